"""A salesperson's day in a real browser: log in, browse, filter, assign, suspend, resume."""

import re

import pytest

from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.e2e


def test_assign_suspend_and_resume_in_the_browser(browser, portal):
    expect = pytest.importorskip("playwright.sync_api").expect
    page = new_page(browser)
    log_in(page, portal)

    # Find the customer with the active search, then open its catalogue.
    page.get_by_label("Find a customer").fill("rossi")
    expect(page).to_have_url(re.compile(r"/customers/\?q=rossi$"))
    page.get_by_role("link", name="Rossi Ufficio SRL").click()
    page.get_by_role("link", name="Browse licences to assign").click()
    expect(page.get_by_role("heading", name="Licences for Rossi Ufficio SRL")).to_be_visible()
    page.wait_for_load_state("load")  # htmx has taken over the filters
    expect(page.locator("#catalogue-results tbody tr").first).to_be_visible()

    # Changing a filter refreshes the table only: the page (and this marker) survives.
    page.evaluate("window.__noReload = true")
    page.get_by_label("Duration").select_option("12")
    expect(page).to_have_url(re.compile(r"license_duration=12"))
    durations = page.locator("#catalogue-results tbody td[data-label=Duration]")
    expect(durations.first).to_have_text("12 months")
    assert set(durations.all_inner_texts()) == {"12 months"}
    assert page.evaluate("window.__noReload") is True

    # Assign the 5-user business licence after checking the price.
    row = page.locator("#catalogue-results tbody tr", has_text="CL-Q-A005-M12")
    row.get_by_role("link", name=re.compile("^Assign")).click()
    expect(page.get_by_text("€50.00").first).to_be_visible()
    page.get_by_label("Label for this licence").fill("Headquarter")
    page.get_by_role("button", name="Assign for €50.00").click()
    page.wait_for_url(re.compile(r"/customers/1001/(#assignment-\d+)?$"))
    expect(page.locator(".message-success")).to_contain_text("Assigned Business Filter License")
    licence_row = page.locator("#assignments tbody tr").first
    expect(licence_row).to_contain_text("Active")
    assert portal["sandbox"].state.assign_deductions == 1

    # Suspend renewal in the dialog, with a reason; the table and timeline update in place.
    page.evaluate("window.__noReload = true")
    licence_row.get_by_role("link", name="Suspend renewal").click()
    dialog = page.locator("#action-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("the licence stays active until")
    expect(dialog.get_by_label("Reason")).to_be_focused()
    dialog.get_by_label("Reason").fill("Customer is reviewing its budget")
    dialog.get_by_role("button", name="Suspend renewal").click()
    expect(dialog).to_be_hidden()
    expect(licence_row).to_contain_text("Renewal suspended")
    expect(page.locator("#timeline")).to_contain_text("Suspend renewal")
    expect(page.locator(".message-success")).to_contain_text("Renewal suspended")
    assert page.evaluate("window.__noReload") is True

    # Resume it again.
    licence_row.get_by_role("link", name="Resume renewal").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Resume renewal").click()
    expect(dialog).to_be_hidden()
    expect(licence_row).not_to_contain_text("Renewal suspended")
    expect(page.locator("#timeline")).to_contain_text("Resume renewal")
    expect(licence_row).to_be_focused()
    assert page.evaluate("window.__noReload") is True

    sandbox_licence = portal["sandbox"].state.licenses[0]
    assert sandbox_licence.renewal == "enabled"
    assert page.problems == []


def test_cancelling_the_dialog_returns_focus_to_its_button(browser, portal):
    expect = pytest.importorskip("playwright.sync_api").expect
    from licensing.models import Customer
    from tests.factories import assignment_factory

    assignment = assignment_factory(customer=Customer.objects.get(customer_code=1001))
    page = new_page(browser)
    log_in(page, portal)
    page.goto(portal["url"] + "/customers/1001/")

    opener = page.locator(f"#suspend-{assignment.pk}")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#action-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()

    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert page.problems == []
