"""Screenshots of every page at desktop and phone width, into docs/screenshots/.

Run:  .venv/bin/python -m pytest -p no:cacheprovider tests/e2e/screenshots.py -q
(Not collected by a plain `pytest` run: the file name does not start with test_.)
Look at each PNG before calling a page done; the README shows a few of them.
"""

import re
from pathlib import Path

import pytest

from tests.e2e import scenery
from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.e2e

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
# A different licence at each width: the same one twice within a day needs a second
# confirmation (a repeat purchase).
BOUGHT = {"desktop": ("CL-Q-A005-M12", "€50.00"), "phone": ("CL-Q-A025-M12", "€225.00")}


def shoot(page, device: str, name: str, *, full_page: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / f"{name}-{device}.png", full_page=full_page)


def test_take_screenshots(browser, portal):
    OUT.mkdir(parents=True, exist_ok=True)
    data = scenery.populate()
    base = portal["url"]
    unknown = data["unknown"].pk
    for device, width in WIDTHS.items():
        page = new_page(browser, width=width, height=860)

        page.goto(base + "/accounts/login/")
        shoot(page, device, "login")

        log_in(page, portal)
        shoot(page, device, "customers")

        page.goto(base + "/customers/new/?mode=link")
        shoot(page, device, "customer-new")
        page.goto(base + "/customers/new/?mode=create")
        page.get_by_label(re.compile("^Country")).select_option("DE")
        page.get_by_label(re.compile("^Industry")).select_option("1")
        page.get_by_label(re.compile("^Phone")).fill("call me")
        page.get_by_role("button", name="Create the customer at FlashStart").click()
        page.locator(".field-invalid").first.wait_for()
        shoot(page, device, "customer-new-errors")

        page.goto(base + "/customers/1001/catalogue/")
        shoot(page, device, "catalogue")

        code, price = BOUGHT[device]
        page.goto(base + f"/customers/1001/assign/?license_code={code}&currency_code=EUR")
        page.get_by_label(re.compile("Label for this licence")).fill("Headquarter")
        shoot(page, device, "assign")
        page.get_by_role("button", name=f"Assign for {price}").click()
        page.wait_for_url(re.compile(r"/customers/1001/(#.*)?$"))
        page.locator(".message-success").wait_for()
        shoot(page, device, "customer")

        page.locator("#assignments").get_by_role("link", name="Suspend renewal").first.click()
        page.locator("#action-dialog").wait_for(state="visible")
        shoot(page, device, "suspend-dialog", full_page=False)

        page.goto(base + "/customers/1001/demo/")
        shoot(page, device, "demo")

        assert page.problems == [], page.problems
        page.goto(base + "/customers/999999/")  # the browser logs the 404 as an error
        shoot(page, device, "not-found")
        page.context.close()

        page = new_page(browser, width=width, height=860)
        log_in(page, portal, scenery.MANAGER["username"])
        page.goto(base + f"/assignments/{unknown}/resolve/")
        shoot(page, device, "resolve")
        page.goto(base + "/audit/")
        shoot(page, device, "audit")
        page.goto(base + "/reports/")
        shoot(page, device, "reports")
        page.goto(base + "/admin/")
        shoot(page, device, "admin")
        page.goto(base + "/admin/licensing/licenseassignment/")
        shoot(page, device, "admin-assignments")
        page.goto(base + "/admin/licensing/auditevent/")
        shoot(page, device, "admin-audit")
        assert page.problems == [], page.problems
        page.context.close()


def test_take_italian_screenshots(browser, portal):
    """The main pages in Italian (`<page>-it-<device>.png`): a salesperson switches with the
    header's "Italiano" button (saved on their profile), a manager's browser asks for it."""
    OUT.mkdir(parents=True, exist_ok=True)
    data = scenery.populate()
    base = portal["url"]
    for device, width in WIDTHS.items():
        page = new_page(browser, width=width, height=860)
        log_in(page, portal)
        italiano = page.get_by_role("button", name="Italiano")
        if italiano.is_enabled():  # the second round: the profile remembers the choice
            italiano.click()
        page.get_by_role("heading", name="Clienti").first.wait_for()
        shoot(page, device, "customers-it")
        page.goto(base + "/")
        shoot(page, device, "home-it")
        page.goto(base + "/customers/1001/")
        shoot(page, device, "customer-it")
        page.goto(base + "/customers/1001/catalogue/")
        shoot(page, device, "catalogue-it")
        page.goto(base + "/customers/1001/assign/?license_code=CL-Q-A010-M12&currency_code=EUR")
        shoot(page, device, "assign-it")
        page.goto(base + "/customers/1001/renewals/")
        shoot(page, device, "bulk-renewals-it")
        assert page.problems == [], page.problems
        page.context.close()

        context = browser.new_context(viewport={"width": width, "height": 860}, locale="it-IT")
        page = context.new_page()
        page.goto(base + "/accounts/login/?next=/reports/")
        shoot(page, device, "login-it")
        page.locator("#id_username").fill(scenery.MANAGER["username"])
        page.locator("#id_password").fill(portal["password"])
        page.locator("form [type=submit]").last.click()
        page.wait_for_url("**/reports/")
        shoot(page, device, "reports-it")
        page.goto(base + "/audit/")
        shoot(page, device, "audit-it")
        page.goto(base + f"/assignments/{data['unknown'].pk}/resolve/")
        shoot(page, device, "resolve-it")
        page.goto(base + "/admin/licensing/licenseassignment/")
        shoot(page, device, "admin-assignments-it")
        context.close()
