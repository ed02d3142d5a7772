"""Italian words run longer than English ones: at phone width (390 px), in Chromium, no
page a manager reaches in Italian is wider than the screen outside a scroll container,
and none logs a console error or a CSP violation."""

import pytest

from tests.e2e import scenery
from tests.e2e.conftest import log_in, new_page
from tests.e2e.test_walk import OVERFLOW_JS

pytestmark = pytest.mark.e2e

PAGES = (
    "/",
    "/customers/",
    "/customers/1001/",
    "/customers/1001/catalogue/",
    "/customers/1001/assign/?license_code=CL-Q-A010-M12&currency_code=EUR",
    "/customers/1001/demo/",
    "/customers/1001/renewals/",
    "/customers/new/?mode=create",
    "/customers/new/?mode=link",
    "/profile/",
    "/audit/",
    "/reports/",
    "/approvals/",
    "/admin/",
    "/admin/licensing/licenseassignment/",
    "/admin/licensing/auditevent/",
    "/admin/licensing/customer/",
)


def test_italian_pages_fit_a_phone(browser, portal):
    data = scenery.populate()
    page = new_page(browser, width=390, height=844)
    log_in(page, portal, scenery.MANAGER["username"])
    page.get_by_role("button", name="Italiano").click()
    page.get_by_role("heading", name="Clienti").first.wait_for()
    extra = (
        f"/assignments/{data['unknown'].pk}/resolve/",
        f"/assignments/{data['suspended'].pk}/resume/",
    )
    too_wide = {}
    for path in PAGES + extra:
        page.goto(portal["url"] + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "it", path
        over = page.evaluate(OVERFLOW_JS)
        if over:
            too_wide[path] = over
    assert not too_wide, too_wide
    assert page.problems == [], page.problems
