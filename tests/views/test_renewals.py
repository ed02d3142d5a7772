"""Suspending and resuming renewal, and managers resolving unknown outcomes."""

import re

import pytest

from licensing.models import (
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    LicenseAssignment,
    Renewal,
)
from tests.factories import assignment_factory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(sales_client, customer, sandbox_settings):
    """An active licence bought through the portal from the sandbox."""
    url = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
    page = sales_client.get(url).content.decode()
    form = dict(re.findall(r'name="(token|quote)" value="([^"]+)"', page))
    sales_client.post(url, {**form, "license_info": "Headquarter"})
    return LicenseAssignment.objects.get()


def test_suspend_confirmation_states_the_consequence_in_words(sales_client, licence):
    page = sales_client.get(f"/assignments/{licence.pk}/suspend/").content.decode()

    expiry = f"{licence.expiry_date.day} {licence.expiry_date:%b %Y}"
    assert f"Renewal stops; the licence stays active until <strong>{expiry}</strong>" in page
    assert '<label for="id_reason">' in page


def test_suspend_needs_a_reason(sales_client, licence):
    response = sales_client.post(f"/assignments/{licence.pk}/suspend/", {"reason": ""})

    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    licence.refresh_from_db()
    assert licence.renewal == Renewal.ON


def test_suspend_then_resume_without_javascript(sales_client, licence, sandbox_settings):
    response = sales_client.post(
        f"/assignments/{licence.pk}/suspend/", {"reason": "Customer is moving to another reseller"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/customers/1001/#assignment-{licence.pk}"
    licence.refresh_from_db()
    assert licence.renewal == Renewal.SUSPENDED
    assert sandbox_settings.state.license(licence.license_id).renewal == "suspended"

    sales_client.post(f"/assignments/{licence.pk}/resume/")

    licence.refresh_from_db()
    assert licence.renewal == Renewal.ON
    assert sandbox_settings.state.license(licence.license_id).renewal == "enabled"


def test_suspend_by_htmx_updates_the_table_and_timeline_in_place(sales_client, licence):
    dialog = sales_client.get(f"/assignments/{licence.pk}/suspend/", **HTMX).content.decode()
    assert "<html" not in dialog
    assert 'hx-post="/assignments/' in dialog

    response = sales_client.post(
        f"/assignments/{licence.pk}/suspend/", {"reason": "Budget cut"}, **HTMX
    )

    page = response.content.decode()
    assert '<section id="assignments"' in page and 'hx-swap-oob="true"' in page
    assert '<section id="timeline"' in page
    assert ">Renewal suspended<" in page
    assert "Resume renewal" in page
    assert '<div id="messages" hx-swap-oob="innerHTML">' in page
    assert "message-success" in page
    assert AuditEvent.objects.filter(
        action=AuditAction.RENEWAL_SUSPEND, message__contains="Budget cut"
    ).exists()


def test_suspend_when_the_vendor_is_down_keeps_the_dialog_with_the_reason(
    sales_client, licence, settings
):
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"
    settings.FLASHSTART_TIMEOUT = 0.5

    response = sales_client.post(
        f"/assignments/{licence.pk}/suspend/", {"reason": "Budget cut"}, **HTMX
    )

    page = response.content.decode()
    assert "It is safe to try again" in page
    assert "Budget cut" in page
    licence.refresh_from_db()
    assert licence.renewal == Renewal.ON


def test_a_demo_has_no_renewal_to_suspend(sales_client, customer):
    demo = assignment_factory(customer=customer, kind="demo", license_code="CL-DEMO")

    page = sales_client.get(f"/assignments/{demo.pk}/suspend/").content.decode()

    assert "Only an active paid licence has a renewal to change." in page
    assert 'name="reason"' not in page


def test_unknown_assignment_id_is_a_friendly_404(sales_client):
    response = sales_client.get("/assignments/999999/suspend/")

    assert response.status_code == 404
    assert "There is no assignment number 999999." in response.content.decode()


def test_manager_resolves_an_unknown_outcome_as_assigned(manager_client, customer):
    unknown = assignment_factory(customer=customer, status="unknown")

    response = manager_client.post(
        f"/assignments/{unknown.pk}/resolve/",
        {"outcome": "assigned", "license_id": "77001", "note": "Confirmed by Luca at FlashStart"},
    )

    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.status == AssignmentStatus.ACTIVE
    assert unknown.license_id == "77001"


def test_resolving_as_assigned_needs_the_licence_id(manager_client, customer):
    unknown = assignment_factory(customer=customer, status="unknown")

    response = manager_client.post(
        f"/assignments/{unknown.pk}/resolve/", {"outcome": "assigned", "note": "Checked"}
    )

    assert response.status_code == 200
    assert "Enter the licence id shown in FlashStart." in response.content.decode()


def test_manager_resolves_as_failed(manager_client, customer):
    unknown = assignment_factory(customer=customer, status="unknown")

    manager_client.post(
        f"/assignments/{unknown.pk}/resolve/",
        {"outcome": "failed", "note": "Nothing at FlashStart"},
    )

    unknown.refresh_from_db()
    assert unknown.status == AssignmentStatus.FAILED


def test_the_resolve_page_shows_the_kept_answer_and_fills_the_form_in(
    manager_user, sales_client, customer, sandbox_settings
):
    from django.test import Client

    from tests.services import dbfaults

    manager_client = Client()
    manager_client.force_login(manager_user)

    dbfaults.refuse_active()  # the sale goes through at FlashStart, then saving it fails
    url = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
    page = sales_client.get(url).content.decode()
    form = dict(re.findall(r'name="(token|quote)" value="([^"]+)"', page))
    sales_client.post(url, {**form, "license_info": "Headquarter"})
    unknown = LicenseAssignment.objects.get()
    licence = sandbox_settings.state.licenses[0]
    assert unknown.status == AssignmentStatus.UNKNOWN
    dbfaults.allow_active()

    page = manager_client.get(f"/assignments/{unknown.pk}/resolve/").content.decode()

    assert f'that it assigned licence <strong class="mono">{licence.license_id}</strong>' in page
    assert "What FlashStart answered" in page
    assert f'name="license_id" value="{licence.license_id}"' in page
    assert f'name="expiry_date" value="{licence.expiry_date}"' in page
    assert 'name="amount" value="50' in page
    assert re.search(r'<input[^>]*value="assigned"[^>]*checked', page)

    response = manager_client.post(
        f"/assignments/{unknown.pk}/resolve/",
        {
            "outcome": "assigned",
            "license_id": licence.license_id,
            "start_date": licence.start_date,
            "expiry_date": licence.expiry_date,
            "amount": "50.00",
            "currency": "eur",
            "note": "Seen in the FlashStart customer area",
        },
    )

    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.status == AssignmentStatus.ACTIVE
    assert (unknown.license_id, str(unknown.amount), unknown.currency) == (
        licence.license_id,
        "50.00",
        "EUR",
    )
    assert str(unknown.expiry_date) == licence.expiry_date
