"""A salesperson buys a licence, presses Back and clicks Assign again: the browser shows
the earlier purchase and buys another licence only when asked to, in so many words."""

import re

import pytest

from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.e2e

ASSIGN = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
CUSTOMER_PAGE = re.compile(r"/customers/1001/(#assignment-\d+)?$")  # not the assign page


def test_back_then_assign_asks_before_buying_the_same_licence_again(browser, portal):
    expect = pytest.importorskip("playwright.sync_api").expect
    sandbox = portal["sandbox"]
    page = new_page(browser)
    log_in(page, portal)

    page.goto(portal["url"] + ASSIGN)
    page.get_by_label("Label for this licence").fill("Headquarter")
    page.get_by_role("button", name="Assign for €50.00").click()
    page.wait_for_url(CUSTOMER_PAGE)
    expect(page.locator(".message-success")).to_contain_text("Assigned Business Filter License")
    assert sandbox.state.assign_deductions == 1

    # Back to the confirmation, as the salesperson would, and Assign once more.
    page.go_back()
    page.wait_for_url(re.compile(r"/assign/"))
    page.reload()  # what Back shows when the page is not kept: a fresh form
    page.get_by_label("Label for this licence").fill("Headquarter")
    page.get_by_role("button", name="Assign for €50.00").click()

    panel = page.locator("#confirm-panel")
    expect(panel).to_contain_text("Rossi Ufficio SRL already has this licence")
    expect(panel).to_contain_text(
        "Sally Seller bought Business Filter License for Rossi Ufficio SRL"
    )
    expect(panel).to_contain_text("labelled “Headquarter”")
    expect(panel).to_contain_text("Confirming buys another licence")
    buy_again = panel.get_by_role("button", name="Buy another for €50.00")
    expect(buy_again).to_be_visible()
    assert sandbox.state.assign_deductions == 1  # nothing was sent yet

    buy_again.click()
    page.wait_for_url(CUSTOMER_PAGE)
    expect(page.locator(".message-success")).to_contain_text("Assigned Business Filter License")
    assert sandbox.state.assign_deductions == 2
    assert page.problems == []


def test_not_buying_again_leads_back_to_the_customer_and_buys_nothing(browser, portal):
    expect = pytest.importorskip("playwright.sync_api").expect
    sandbox = portal["sandbox"]
    page = new_page(browser, width=390, height=844)  # a phone
    log_in(page, portal)
    page.goto(portal["url"] + ASSIGN)
    page.get_by_label("Label for this licence").fill("Headquarter")
    page.get_by_role("button", name="Assign for €50.00").click()
    page.wait_for_url(CUSTOMER_PAGE)
    page.goto(portal["url"] + ASSIGN)
    page.get_by_label("Label for this licence").fill("Headquarter")
    page.get_by_role("button", name="Assign for €50.00").click()
    expect(page.locator("#confirm-panel")).to_contain_text("already has this licence")

    page.get_by_role("link", name="Do not buy: back to Rossi Ufficio SRL").click()

    page.wait_for_url(CUSTOMER_PAGE)
    expect(page.get_by_role("heading", name="Rossi Ufficio SRL")).to_be_visible()
    assert sandbox.state.assign_deductions == 1
    assert page.problems == []
