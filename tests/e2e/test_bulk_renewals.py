"""Ticking licences on the customer page and suspending their renewal in one go, in
Chromium: with htmx the outcomes open in the dialog, the failed licence ticked for a retry.

Screenshots: PORTAL_SCREENSHOTS=1 .venv/bin/python -m pytest -p no:cacheprovider -q \
    tests/e2e/test_bulk_renewals.py  (writes docs/screenshots/bulk-renewals-*.png)
"""

import os
from pathlib import Path

import pytest

from licensing.models import AuditAction, AuditEvent, LicenseAssignment, Renewal
from licensing.upstream.sandbox import catalogue, endpoints
from tests.e2e.conftest import log_in, new_page
from tests.factories import assignment_factory

pytestmark = pytest.mark.e2e
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REASON = "Customer moves to another reseller"


def seed(portal, count=5):
    """`count` active paid licences of customer 1001, known to the sandbox; the third one
    is refused by FlashStart when suspended."""
    from licensing.models import Customer

    customer = Customer.objects.get(customer_code=1001)
    sandbox = portal["sandbox"]
    made = []
    for number in range(1, count + 1):
        lic = sandbox.state.assign(
            customer_code=1001,
            item=catalogue.ITEMS["CL-Q-A005-M12"],
            license_info=f"Office {number}",
            currency_code="EUR",
        )
        made.append(
            assignment_factory(
                customer=customer,
                license_code="CL-Q-A005-M12",
                license_name="FlashStart Cloud 5",
                license_info=f"Office {number}",
                license_id=lic.license_id,
            )
        )
    return made


@pytest.fixture
def one_refused(monkeypatch):
    def arrange(license_id: str) -> None:
        real = endpoints.HANDLERS["suspend"]

        def handler(state, data):
            if str(data.get("license_id")) == license_id:
                return endpoints.invalid({"license_id": ["The selected license id is invalid."]})
            return real(state, data)

        monkeypatch.setitem(endpoints.HANDLERS, "suspend", handler)

    return arrange


def suspend_ticked(page, portal, licences) -> None:
    page.goto(portal["url"] + "/customers/1001/")
    page.get_by_role("button", name="Tick all on this page").click()
    # Keyboard: untick and tick the first one again with the space bar.
    first = page.locator(f"#bulk-select-{licences[0].pk}")
    first.focus()
    page.keyboard.press("Space")
    assert not first.is_checked()
    page.keyboard.press("Space")
    page.get_by_label("Reason (for suspending)").fill(REASON)
    page.get_by_role("button", name="Apply to the ticked licences").click()
    page.locator("#action-dialog[open] #bulk-panel").wait_for()


def test_tick_five_licences_and_suspend_their_renewal(browser, portal, one_refused, monkeypatch):
    licences = seed(portal)
    one_refused(licences[2].license_id)
    page = new_page(browser)
    log_in(page, portal)

    suspend_ticked(page, portal, licences)

    dialog = page.locator("#action-dialog")
    assert "Renewal suspended for 4 of 5 licences." in dialog.inner_text()
    failed = dialog.locator(f"#bulk-outcome-{licences[2].pk}")
    assert "Not changed" in failed.inner_text()
    assert "The selected license id is invalid." in failed.inner_text()
    assert dialog.locator(f"#bulk-choice-{licences[2].pk}").is_checked()
    assert page.locator(f"#bulk-select-{licences[2].pk}").is_checked()
    renewals = [LicenseAssignment.objects.get(pk=a.pk).renewal for a in licences]
    assert renewals == [Renewal.SUSPENDED] * 2 + [Renewal.ON] + [Renewal.SUSPENDED] * 2
    assert AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND).count() == 5

    # Retry from the dialog, after FlashStart accepts it again.
    monkeypatch.setitem(endpoints.HANDLERS, "suspend", endpoints.suspend)
    dialog.get_by_role("button", name="Try the ticked licences again").click()
    page.get_by_text("Renewal suspended for 1 of 1 licence.").first.wait_for()
    assert LicenseAssignment.objects.get(pk=licences[2].pk).renewal == Renewal.SUSPENDED
    dialog.get_by_role("link", name="Close").click()
    assert not dialog.is_visible()
    assert page.problems == []


def test_screenshots(browser, portal, one_refused):
    if not os.environ.get("PORTAL_SCREENSHOTS"):
        pytest.skip("set PORTAL_SCREENSHOTS=1 to write docs/screenshots/bulk-renewals-*.png")
    licences = seed(portal)
    one_refused(licences[2].license_id)
    for device, width in {"desktop": 1280, "phone": 390}.items():
        LicenseAssignment.objects.update(renewal=Renewal.ON)
        for a in licences:
            portal["sandbox"].state.set_renewal(a.license_id, "enabled")
        page = new_page(browser, width=width, height=860)
        log_in(page, portal)
        page.goto(portal["url"] + "/customers/1001/")
        page.get_by_role("button", name="Tick all on this page").click()
        page.locator("#bulk-renewals").scroll_into_view_if_needed()
        page.screenshot(path=OUT / f"bulk-renewals-form-{device}.png", full_page=False)
        suspend_ticked(page, portal, licences)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / f"bulk-renewals-{device}.png", full_page=False)
        page.context.close()
