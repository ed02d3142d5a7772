"""Real-browser fixtures: Debian's Chromium driven by Playwright, against live_server and
the sandbox. Never downloads a browser: without /usr/bin/chromium the tests are skipped."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def portal(live_server, sandbox_settings, transactional_db):
    """A running portal (talking to the sandbox) with one salesperson and one customer."""
    from licensing import roles
    from tests.factories import PASSWORD, customer_factory, user_factory

    user = user_factory(
        groups=[roles.SALES], username="sally", first_name="Sally", last_name="Seller"
    )
    customer_factory(
        customer_code=1001,
        name="Rossi Ufficio SRL",
        language="en",
        email="amministrazione@rossiufficio.it",
    )
    return {
        "url": live_server.url,
        "username": user.username,
        "password": PASSWORD,
        "sandbox": sandbox_settings,
    }


# Every Content-Security-Policy violation becomes a console error (Chromium logs most of
# them itself; the event also catches those it reports only to the page).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI);
});
"""
# The vendor's dashboard, answered inside the browser: no test reaches the internet.
DASHBOARD_ORIGIN = "https://cloud.flashstart.com"
FAKE_DASHBOARD = "<!doctype html><title>FlashStart dashboard</title><h1>FlashStart dashboard</h1>"


def new_page(browser, *, width=1280, height=900):
    """A page whose console errors, CSP violations and page errors (its own and those of any
    tab it opens) are collected in `page.problems`. The vendor's dashboard is faked."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.route(
        DASHBOARD_ORIGIN + "/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=FAKE_DASHBOARD),
    )
    problems: list[str] = []

    def watch(page):
        page.on("pageerror", lambda exc: problems.append(f"page error on {page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: problems.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
        )

    context.on("page", watch)
    page = context.new_page()
    page.problems = problems
    return page


def log_in(page, portal, username=None) -> None:
    page.goto(portal["url"] + "/accounts/login/?next=/customers/")
    page.get_by_label("Username").fill(username or portal["username"])
    page.get_by_label("Password").fill(portal["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/customers/")
