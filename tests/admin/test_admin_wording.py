"""The admin speaks like the portal: the user's time zone, "licence", money and outcomes
written the same way as on the staff pages."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from licensing import audit
from licensing.models import AuditAction, AuditOutcome
from tests.factories import make_assignment, make_customer

ASSIGNMENTS = "/admin/licensing/licenseassignment/"
AUDIT = "/admin/licensing/auditevent/"
WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "shown"),
    [("America/New_York", "15 Jan 2026, 04:30"), ("Asia/Tokyo", "15 Jan 2026, 18:30")],
)
def test_times_are_in_the_zone_the_browser_reported_like_the_staff_pages(
    manager_client, zone, shown
):
    customer = make_customer(customer_code=1001)
    make_assignment(customer, created_at=WHEN)
    manager_client.cookies["portal_tz"] = zone

    admin_page = manager_client.get(ASSIGNMENTS).content.decode()
    staff_page = manager_client.get("/customers/1001/").content.decode()

    assert shown in admin_page
    assert shown in staff_page


@pytest.mark.django_db
def test_without_a_zone_cookie_the_admin_uses_the_portals_zone(manager_client, settings):
    make_assignment(created_at=WHEN)

    page = manager_client.get(ASSIGNMENTS).content.decode()

    assert settings.TIME_ZONE == "Europe/Rome"
    assert "15 Jan 2026, 10:30" in page


@pytest.mark.django_db
def test_a_nonsense_zone_cookie_falls_back_to_the_portals_zone(manager_client):
    make_assignment(created_at=WHEN)
    manager_client.cookies["portal_tz"] = "../../etc/passwd"

    response = manager_client.get(ASSIGNMENTS)

    assert response.status_code == 200
    assert "15 Jan 2026, 10:30" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_says_licence_and_writes_money_like_the_portal(manager_client):
    make_assignment(amount=Decimal("4.71"), currency="CHF")
    make_assignment(amount=Decimal("161.67"), currency="USD")

    page = manager_client.get(ASSIGNMENTS).content.decode()
    index = manager_client.get("/admin/").content.decode()

    assert "Licence assignments" in index and "License assignments" not in index
    assert "Select licence assignment to view" in page
    assert "FlashStart licence id" in page
    assert "CHF 4.71" in page and "US$161.67" in page
    assert "License" not in page and "license id" not in page


@pytest.mark.django_db
def test_the_audit_list_in_the_admin_speaks_in_words(manager_client):
    audit.record(
        meta=None,
        action=AuditAction.RENEWAL_SUSPEND,
        outcome=AuditOutcome.INVALID,
        message="Refused input: reason: Say why renewal is being suspended.",
    )

    page = manager_client.get(AUDIT).content.decode()

    assert "Suspend renewal" in page and "Input refused" in page
    assert "Refused input: Reason: Say why renewal is being suspended." in page
