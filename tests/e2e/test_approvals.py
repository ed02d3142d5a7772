"""In Chromium: a salesperson's purchase above their limit becomes a request, and a
manager approves it at /approvals/; one licence is bought."""

import re

import pytest

from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.e2e

OVER = "/customers/1001/assign/?license_code=CL-Q-A050-M12&currency_code=EUR"  # €429.00


def test_request_then_approve_in_the_browser(browser, portal, settings):
    expect = pytest.importorskip("playwright.sync_api").expect
    from licensing import roles
    from licensing.models import ApprovalRequest, ApprovalStatus, AssignmentStatus
    from tests.factories import user_factory

    settings.PORTAL_APPROVAL_ABOVE_EUR = "100"
    user_factory(groups=[roles.MANAGERS], username="margo")
    sandbox = portal["sandbox"]

    seller = new_page(browser)
    log_in(seller, portal)
    seller.goto(portal["url"] + OVER)
    expect(seller.locator("#spending-limit")).to_contain_text("€100.00")
    seller.get_by_label("Label for this licence").fill("Headquarter")
    seller.get_by_label("Note for the manager").fill("New branch opens Monday")
    seller.get_by_role("button", name="Request approval").click()
    seller.wait_for_url(re.compile(r"/customers/1001/$"))
    expect(seller.locator("#approvals")).to_contain_text("Awaiting approval")
    assert sandbox.state.requests["assign"] == 0

    manager = new_page(browser)
    log_in(manager, portal, username="margo")
    manager.goto(portal["url"] + "/approvals/")
    row = manager.locator("tr", has_text="Rossi Ufficio SRL")
    expect(row).to_contain_text("€429.00")
    row.get_by_role("link", name="Decide").click()
    manager.get_by_role("button", name="Approve and buy for €429.00").click()
    expect(manager.locator(".message-success")).to_be_visible()
    expect(manager.get_by_role("heading", name="Approved")).to_be_visible()

    assert sandbox.state.assign_deductions == 1
    approval = ApprovalRequest.objects.select_related("assignment").get()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.assignment.status == AssignmentStatus.ACTIVE
    seller.goto(portal["url"] + "/")
    expect(seller.get_by_text("Approved", exact=True).first).to_be_visible()
    assert seller.problems == [] and manager.problems == []
