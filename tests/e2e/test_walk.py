"""A walk through every page a salesperson and a manager can reach, in Debian's Chromium at
phone width, clicking every link and button on the way.

From the navigation bar, every same-origin link is followed by clicking it (each distinct
target once: ids and query values are collapsed, so one customer or one admin filter
stands for all, and filters are walked one by one, not in combination), every GET form
(search, filters) is submitted, every plain button (dismiss, close, disclosure) is
pressed. The buttons that change things are pressed in
scripted steps against the sandbox: register and create a customer, assign a licence and
a demo, suspend and resume renewal, open the customer's dashboard (a new tab, which the
vendor's origin answers inside the browser), resolve an unknown outcome, export the trail.

The walk fails on any console error, any Content-Security-Policy violation, any 4xx or 5xx
answer it triggers, and any page wider than the 390 px screen outside a scroll container.
It is bounded: at most MAX_TARGETS link targets and MAX_SECONDS per role (about 20 s for
a salesperson and 100 s for a manager, whose admin has many lists and filters).
"""

import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.e2e import scenery
from tests.e2e.conftest import DASHBOARD_ORIGIN, log_in, new_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
MAX_TARGETS = 150
MAX_SECONDS = 240
CLICK_TIMEOUT_MS = 5000
# Fetched instead of clicked: a click on a download only saves a file.
NOT_CLICKED = (re.compile(r"^/audit/export\."), re.compile(r"^/static/"))

# Says when the swap an htmx click started has settled (or failed).
HTMX_SETTLED = """
document.addEventListener("htmx:afterSettle", function () { window.__walkSettled = true; });
document.addEventListener("htmx:afterRequest", function (event) {
  if (!event.detail.successful) { window.__walkSettled = true; }
});
"""
# Elements wider than the screen that no ancestor lets scroll (or clips), and whether the
# page itself scrolls sideways.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1) {
    found.push("the page is " + document.documentElement.scrollWidth + " px wide");
  }
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    let parent = el.parentElement, contained = false;
    while (parent && parent !== document.body) {
      const overflow = getComputedStyle(parent).overflowX;
      if (overflow !== "visible") { contained = true; break; }
      parent = parent.parentElement;
    }
    if (!contained) {
      const classes = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (classes ? "." + classes.split(/\\s+/).join(".") : "");
      const inside = [];
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        inside.push(up.tagName.toLowerCase() + (up.id ? "#" + up.id : ""));
      }
      found.push(name + " reaches " + Math.round(box.right) + " px, in " + inside.join(" < "));
    }
    if (found.length > 4) break;
  }
  return found;
}"""


def pattern(url: str) -> str:
    """What a link target stands for: its path with numbers collapsed, and its query keys
    (but the admin's memory of the list it came from)."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    keys = sorted({key for key, _ in pairs if key != "_changelist_filters"})
    return path + ("?" + "&".join(keys) if keys else "")


def is_combination(here: str, url: str) -> bool:
    """A link from a filtered list to the same list filtered some more: each filter is
    walked from the unfiltered list, their combinations are not."""
    this, that = urlsplit(here), urlsplit(url)
    return this.path == that.path and bool(this.query) and bool(that.query)


class Walk:
    """One role's walk: what it reached and what went wrong on the way."""

    def __init__(self, browser, portal, username: str):
        self.base = portal["url"]
        self.page = new_page(browser, **PHONE)
        self.context = self.page.context
        self.failures: list[str] = []
        self.reached: dict[str, str] = {}  # pattern -> the first URL reached for it
        self.clicked = 0
        self.not_clickable: list[str] = []  # links present but not visible: opened by address
        self.forms = 0
        self.buttons = 0
        self.started = time.monotonic()
        self.context.on("response", self._answer)
        self.context.add_init_script(HTMX_SETTLED)
        log_in(self.page, portal, username)

    # --- what is checked everywhere ---------------------------------------------------

    def _answer(self, response) -> None:
        if response.url.startswith(self.base) and response.status >= 400:
            came_from = response.request.headers.get("referer", "no page")
            self.failures.append(
                f"{response.status} for {response.request.method} {response.url} (from {came_from})"
            )

    def check_page(self) -> None:
        self.settle()  # measured with the stylesheets applied, not while they load
        for problem in self.page.evaluate(OVERFLOW_JS):
            self.failures.append(f"{self.page.url} at 390 px: {problem}")

    def settle(self) -> None:
        """The page loaded and no htmx request is on its way."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function("() => !document.querySelector('.htmx-request')")

    def click(self, item) -> None:
        """Click, and wait for what it starts: a page load, or htmx's swap and settle."""
        by_htmx = item.evaluate(
            """el => el.matches("[hx-get], [hx-post]") ||
                (el.type === "submit" && !!el.form && el.form.matches("[hx-get], [hx-post]"))"""
        )
        if by_htmx:
            self.page.evaluate("window.__walkSettled = false")
        item.click(timeout=CLICK_TIMEOUT_MS)
        if by_htmx:  # (a new page has no flag at all)
            self.page.wait_for_function("() => window.__walkSettled !== false")
        self.settle()

    def in_time(self) -> bool:
        return time.monotonic() - self.started < MAX_SECONDS

    def goto(self, path_or_url: str) -> None:
        url = path_or_url if path_or_url.startswith("http") else self.base + path_or_url
        self.page.goto(url)
        self.settle()

    # --- following links ----------------------------------------------------------------

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.href).filter(h => h.startsWith(location.origin))"
        )
        found = []
        for href in hrefs:
            url = href.split("#", 1)[0]
            path = urlsplit(url).path
            if url and not any(rule.search(path) for rule in NOT_CLICKED):
                found.append(url)
        return list(dict.fromkeys(found))

    def follow_all(self, *starts: str) -> None:
        """Breadth first from `starts`: reach each new target by clicking its link.

        Each start is walked even when a page like it was (the richest customer page, say,
        after the first one the list links to)."""
        queue = []
        for start in starts:
            self.goto(start)
            self.reached.setdefault(pattern(self.page.url), self.page.url)
            queue.append(self.page.url)
        while queue:
            here = queue.pop(0)
            self.goto(here)
            self.check_page()
            self.press_buttons()
            self.submit_get_forms(here)
            for url in self.links():
                key = pattern(url)
                if key in self.reached or is_combination(here, url):
                    continue
                assert len(self.reached) < MAX_TARGETS, f"more than {MAX_TARGETS} targets"
                assert self.in_time(), f"the walk took more than {MAX_SECONDS} s"
                self.reached[key] = url
                self.click_link(here, url)
                queue.append(url)

    def click_link(self, here: str, url: str) -> None:
        self.goto(here)  # afresh: the last click may have opened a dialog or swapped a part
        # Links are matched by where they lead, however their href is written ("?page=2").
        self.page.eval_on_selector_all(
            "a[href]",
            """(links, url) => links.forEach(a => {
                if (a.href.split("#")[0] === url) a.setAttribute("data-walk-target", "");
            })""",
            url,
        )
        link = self.page.locator("a[data-walk-target]")
        visible = [item for item in link.all() if item.is_visible()]
        if visible:
            self.click(visible[0])
            self.clicked += 1
            self.check_page()
        else:  # only in a closed menu or off-screen: followed as a browser would
            self.not_clickable.append(url)
            self.goto(url)
            self.check_page()

    # --- buttons and forms ----------------------------------------------------------------

    def press_buttons(self) -> None:
        """Every plain button and disclosure on the page (they change nothing stored).

        A disclosure is opened and closed again (or the reverse): the admin remembers its
        filters' state, and a closed one would hide their links from the rest of the walk."""
        for item in self.page.locator("summary").all():
            if item.is_visible():
                item.click(timeout=CLICK_TIMEOUT_MS)
                self.check_page()
                item.click(timeout=CLICK_TIMEOUT_MS)
                self.buttons += 1
        plain = "button[type=button]:not([hx-post]):not([hx-put]):not([hx-patch]):not([hx-delete])"
        for item in self.page.locator(plain).all():
            if item.is_visible():
                self.click(item)
                self.buttons += 1
        self.check_page()

    def submit_get_forms(self, here: str) -> None:
        count = self.page.locator("form:not([method=post]):not([method=POST])").count()
        for index in range(count):
            form = self.page.locator("form:not([method=post]):not([method=POST])").nth(index)
            submit = form.locator("button[type=submit], input[type=submit]").first
            if form.count() and submit.count() and submit.is_visible():
                self.click(submit)
                self.forms += 1
                self.check_page()
                self.goto(here)

    def finish(self) -> None:
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_url("**/accounts/login/**")
        self.settle()
        problems = list(self.page.problems)
        self.context.close()
        assert not problems, "console errors or CSP violations:\n" + "\n".join(problems)
        assert not self.failures, "\n".join(self.failures)


def test_a_salesperson_reaches_and_clicks_everything(browser, portal):
    expect = pytest.importorskip("playwright.sync_api").expect
    data = scenery.populate()
    walk = Walk(browser, portal, portal["username"])
    page = walk.page

    # From the navigation, and from the customer with a licence in every state.
    walk.follow_all("/customers/", "/customers/1001/")
    for needed in ("/customers/", "/customers/new/?mode", "/customers/N/", "/customers/N/demo/"):
        assert needed in walk.reached, f"{needed} was not reached from the navigation"
    assert "/customers/N/catalogue/" in walk.reached
    assert "/customers/N/assign/?currency_code&license_code" in walk.reached
    assert {"/assignments/N/suspend/", "/assignments/N/resume/"} <= set(walk.reached)
    assert {"/customers/?page", "/customers/N/?page"} <= set(walk.reached)  # next pages
    assert not any(p.startswith(("/audit/", "/reports/", "/admin/")) for p in walk.reached)

    # The dashboard button: a new tab at the vendor's dashboard, logged in by the link.
    walk.goto("/customers/1001/")
    with page.expect_popup() as opened:
        page.get_by_role(
            "button", name=re.compile("Open the customer's FlashStart dashboard")
        ).click()
    dashboard = opened.value
    dashboard.wait_for_url(DASHBOARD_ORIGIN + "/?auth_token=*")
    expect(dashboard.get_by_role("heading", name="FlashStart dashboard")).to_be_visible()
    dashboard.close()

    # Assign a paid licence from the catalogue (the sandbox charges its own credit).
    walk.goto("/customers/1001/catalogue/")
    row = page.locator("#catalogue-results tbody tr", has_text="CL-Q-A005-M12")
    row.get_by_role("link", name=re.compile("^Assign")).click()
    page.get_by_label(re.compile("Label for this licence")).fill("Walk office")
    page.get_by_role("button", name="Assign for €50.00").click()
    expect(page.locator(".message-success")).to_contain_text("Assigned")
    walk.check_page()
    walk.press_buttons()  # dismisses the message
    expect(page.locator(".message-success")).to_have_count(0)

    # Suspend and resume that licence's renewal in the dialog.
    licence_row = page.locator("#assignments tbody tr", has_text="Walk office")
    licence_row.get_by_role("link", name="Suspend renewal").click()
    dialog = page.locator("#action-dialog")
    expect(dialog).to_be_visible()
    walk.check_page()
    dialog.get_by_label(re.compile("Reason")).fill("Walking the portal")
    dialog.get_by_role("button", name="Suspend renewal").click()
    expect(dialog).to_be_hidden()
    expect(licence_row).to_contain_text("Renewal suspended")
    licence_row.get_by_role("link", name="Resume renewal").click()
    dialog.get_by_role("button", name="Resume renewal").click()
    expect(dialog).to_be_hidden()
    expect(licence_row).not_to_contain_text("Renewal suspended")

    # A demo for a customer without one (the button says what it assigns).
    walk.goto("/customers/1003/demo/")
    walk.check_page()
    page.locator("#main form[method=post] button[type=submit]").first.click()
    walk.settle()
    expect(page.locator(".message, .alert").first).to_be_visible()

    # Register: a code FlashStart does not know is refused next to the field...
    walk.goto("/customers/new/?mode=link")
    page.get_by_label(re.compile("FlashStart customer code")).fill("424242")
    page.get_by_label(re.compile("Customer name")).fill("Nobody Srl")
    page.get_by_role("button", name="Check the code and link the customer").click()
    expect(page.locator(".field-error")).to_contain_text("does not know customer code 424242")
    walk.check_page()
    # ... and a new customer is created at FlashStart, every mistake shown in one round.
    walk.goto("/customers/new/?mode=create")
    page.get_by_label(re.compile("^Phone")).fill("call me")
    page.get_by_label(re.compile("^Industry")).select_option(label="Business")
    page.get_by_role("button", name="Create the customer at FlashStart").click()
    for field in ("First name", "Company name", "E-mail", "Password", "Country", "Phone"):
        expect(page.locator(".field-invalid", has_text=field)).to_be_visible()
    walk.check_page()
    page.get_by_label(re.compile("First name")).fill("Walter")
    page.get_by_label(re.compile("Company name")).fill("Walk Srl")
    page.get_by_label(re.compile("E-mail")).fill("walter@walk.example")
    page.get_by_label(re.compile("^Password")).fill("a-long-password")
    page.get_by_label(re.compile("^Country")).select_option(label="Italy")
    page.get_by_label(re.compile("^Phone")).fill("+39 02 1234567")
    page.get_by_role("button", name="Create the customer at FlashStart").click()
    expect(page.locator(".message-success")).to_contain_text("Created Walk Srl")
    walk.check_page()

    walk.finish()
    assert data["rossi"].assignments.filter(license_info="Walk office").exists()
    assert walk.clicked >= 10 and walk.forms >= 2 and walk.not_clickable == []


def test_a_manager_reaches_and_clicks_everything(browser, portal):
    expect = pytest.importorskip("playwright.sync_api").expect
    from licensing.models import AuditAction, AuditEvent

    data = scenery.populate()
    walk = Walk(browser, portal, scenery.MANAGER["username"])
    page = walk.page

    walk.follow_all("/customers/", "/customers/1001/")
    for needed in ("/audit/", "/reports/", "/admin/", "/admin/licensing/auditevent/"):
        assert needed in walk.reached, f"{needed} was not reached from the navigation"
    assert "/assignments/N/resolve/" in walk.reached
    assert "/audit/?before" in walk.reached  # older rows

    # Resolve the unknown outcome: FlashStart confirmed nothing was assigned.
    walk.goto(f"/assignments/{data['unknown'].pk}/resolve/")
    page.get_by_label(re.compile("Nothing was assigned")).check()
    page.get_by_label(re.compile("How you checked")).fill("Asked FlashStart support by phone")
    page.locator("#main form[method=post] button[type=submit]").first.click()
    walk.settle()
    expect(page.locator(".message-success")).to_be_visible()
    walk.check_page()

    # The exports download (fetched: a click would only save the file).
    for suffix in ("csv", "xlsx"):
        answer = page.request.get(f"{walk.base}/audit/export.{suffix}")
        assert answer.status == 200, suffix
        assert "attachment" in answer.headers["content-disposition"]

    # The audit page says what happened in words, and links only customers it knows.
    walk.goto("/audit/?action=customer_register")
    expect(page.locator("#results")).to_contain_text("Link a FlashStart customer")
    expect(page.locator("#results")).to_contain_text("not registered here")
    expect(page.locator("#results")).not_to_contain_text("__all__")
    expect(page.locator('#results a[href="/customers/999999/"]')).to_have_count(0)
    walk.check_page()

    walk.finish()
    data["unknown"].refresh_from_db()
    assert data["unknown"].status == "failed"
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).count() == 2
    assert walk.clicked >= 40 and walk.forms >= 3 and walk.buttons >= 10
    # Only the admin's "sort by this column" links hide at phone width (opened by address).
    assert all(re.search(r"/admin/.*\?o=", url) for url in walk.not_clickable)
