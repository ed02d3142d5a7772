"""Admin actions go through the services (and so through the vendor and the audit trail),
exactly as the staff pages do and with the staff pages' forms; the audit admin exports."""

import csv
import datetime
import io
import uuid

import pytest

from licensing import audit, services
from licensing.models import (
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
    Renewal,
)
from tests.factories import make_assignment, make_events

ASSIGNMENTS = "/admin/licensing/licenseassignment/"


@pytest.fixture
def vendor_licence(sandbox_settings, manager_user):
    """An active paid licence bought through the sandbox (customer 1001 is known there)."""
    customer = Customer.objects.create(customer_code=1001, name="Rossi Ufficio SRL")
    outcome = services.license_assign(
        meta=audit.RequestMeta(user=manager_user),
        customer=customer,
        license_code="CL-Q-A005-M12",
        license_info="Headquarter",
        token=uuid.uuid4(),
    )
    assert outcome.ok, outcome.message
    return outcome.assignment


def _action(client, action, *pks, **extra):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"}
    data.update(extra)
    return client.post(ASSIGNMENTS, data)


@pytest.mark.django_db
def test_suspend_asks_for_a_reason_then_suspends_at_the_vendor_and_audits(
    manager_client, manager_user, vendor_licence, sandbox_settings
):
    form = _action(manager_client, "renewal_suspend_action", vendor_licence.pk)
    assert form.status_code == 200
    assert b"Why renewal stops, in a few words." in form.content

    done = _action(
        manager_client,
        "renewal_suspend_action",
        vendor_licence.pk,
        apply="Suspend renewal",
        reason="Customer is closing the branch",
    )
    assert done.status_code == 302
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.SUSPENDED
    assert sandbox_settings.state.license(vendor_licence.license_id).renewal == "suspended"
    row = AuditEvent.objects.get(action=AuditAction.RENEWAL_SUSPEND)
    assert row.outcome == AuditOutcome.SUCCESS
    assert row.actor == manager_user
    assert "Reason: Customer is closing the branch" in row.message
    assert row.assignment_id == vendor_licence.pk


@pytest.mark.django_db
def test_suspend_without_a_reason_changes_nothing(manager_client, vendor_licence):
    page = _action(
        manager_client, "renewal_suspend_action", vendor_licence.pk, apply="Suspend", reason=""
    )
    assert page.status_code == 200
    assert b"This field is required" in page.content
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.ON
    assert not AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND).exists()


@pytest.mark.django_db
def test_suspend_with_a_reason_the_service_refuses_shows_it_on_the_form(
    manager_client, vendor_licence, sandbox_settings
):
    page = _action(
        manager_client, "renewal_suspend_action", vendor_licence.pk, apply="Suspend", reason="no"
    )
    assert page.status_code == 200
    assert "Say why renewal is being suspended (a few words)." in page.content.decode()
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.ON
    assert sandbox_settings.state.license(vendor_licence.license_id).renewal != "suspended"
    row = AuditEvent.objects.get(action=AuditAction.RENEWAL_SUSPEND)
    assert row.outcome == AuditOutcome.INVALID


@pytest.mark.django_db
def test_resume_goes_through_the_service(manager_client, vendor_licence, manager_user):
    services.renewal_suspend(
        meta=audit.RequestMeta(user=manager_user), assignment=vendor_licence, reason="Paused"
    )
    response = _action(manager_client, "renewal_resume_action", vendor_licence.pk)
    assert response.status_code == 302
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.ON
    assert AuditEvent.objects.filter(
        action=AuditAction.RENEWAL_RESUME, outcome=AuditOutcome.SUCCESS, actor=manager_user
    ).exists()


@pytest.mark.django_db
def test_an_action_the_service_refuses_is_reported_and_audited(manager_client, sandbox_settings):
    failed = make_assignment(status=AssignmentStatus.FAILED)
    assert _action(manager_client, "renewal_resume_action", failed.pk).status_code == 302
    response = manager_client.get(ASSIGNMENTS)
    assert "Only an active paid licence has a renewal to change." in response.content.decode()
    row = AuditEvent.objects.get(action=AuditAction.RENEWAL_RESUME)
    assert row.outcome == AuditOutcome.INVALID


@pytest.mark.django_db
def test_resolve_an_unknown_outcome_as_assigned(manager_client, manager_user):
    unknown = make_assignment(status=AssignmentStatus.UNKNOWN)
    form = _action(manager_client, "assignment_resolve_action", unknown.pk)
    assert b"FlashStart licence id" in form.content
    done = _action(
        manager_client,
        "assignment_resolve_action",
        unknown.pk,
        apply="Resolve",
        outcome="assigned",
        license_id="LIC-777",
        expiry_date="2031-05-31",
        note="Checked with Anna at FlashStart",
    )
    assert done.status_code == 302
    unknown.refresh_from_db()
    assert unknown.status == AssignmentStatus.ACTIVE
    assert unknown.license_id == "LIC-777"
    assert unknown.expiry_date == datetime.date(2031, 5, 31)
    assert unknown.resolved_by == manager_user
    row = AuditEvent.objects.get(action=AuditAction.ASSIGNMENT_RESOLVE)
    assert row.outcome == AuditOutcome.SUCCESS and "LIC-777" in row.message


@pytest.mark.django_db
def test_resolve_refused_by_the_service_shows_the_error_on_the_form(manager_client):
    active = make_assignment()
    page = _action(
        manager_client,
        "assignment_resolve_action",
        active.pk,
        apply="Resolve",
        outcome="failed",
        note="Checked",
    )
    assert page.status_code == 200
    assert "Only an assignment whose outcome is unknown can be resolved." in page.content.decode()
    assert AuditEvent.objects.get(action=AuditAction.ASSIGNMENT_RESOLVE).outcome == (
        AuditOutcome.INVALID
    )


@pytest.mark.django_db
def test_resolve_takes_one_assignment_at_a_time(manager_client):
    first = make_assignment(status=AssignmentStatus.UNKNOWN)
    second = make_assignment(status=AssignmentStatus.UNKNOWN)
    response = _action(manager_client, "assignment_resolve_action", first.pk, second.pk)
    assert response.status_code == 302
    assert LicenseAssignment.objects.filter(status=AssignmentStatus.UNKNOWN).count() == 2


@pytest.mark.django_db
def test_assignments_cannot_be_added_changed_or_deleted_in_the_admin(manager_client):
    assignment = make_assignment()
    assert manager_client.get(f"{ASSIGNMENTS}add/").status_code == 403
    assert manager_client.get(f"{ASSIGNMENTS}{assignment.pk}/delete/").status_code == 403
    response = manager_client.post(f"{ASSIGNMENTS}{assignment.pk}/change/", {"status": "failed"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_audit_admin_exports_the_filtered_list(manager_client):
    for outcome in (AuditOutcome.SUCCESS, AuditOutcome.DENIED, AuditOutcome.DENIED):
        audit.record(meta=None, action=AuditAction.LOGIN_FAILED, outcome=outcome)
    response = manager_client.post(
        "/admin/licensing/auditevent/?outcome__exact=denied",
        {
            "action": "export_csv_action",
            "_selected_action": ["1"],
            "select_across": "1",
            "index": "0",
        },
    )
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    header, *rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    outcome = header.index("outcome")  # the stored code, among the hashed columns
    assert [r[outcome] for r in rows[:-1]] == ["denied", "denied"]
    assert "complete" in rows[-1][header.index("message")]
    export = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert "outcome__exact=denied" in export.message and "Exported 2 audit rows" in export.message


def _export(client, action, query=""):
    data = {"action": action, "_selected_action": ["1"], "select_across": "1", "index": "0"}
    return client.post(f"/admin/licensing/auditevent/{query}", data)


@pytest.mark.django_db
def test_audit_admin_exports_a_workbook(manager_client):
    make_events(3)
    response = _export(manager_client, "export_xlsx_action")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    assert b"".join(response.streaming_content).startswith(b"PK")  # a zip: the workbook
    export = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert export.outcome == AuditOutcome.SUCCESS and "as XLSX" in export.message


@pytest.mark.django_db
def test_audit_admin_refuses_a_workbook_too_big_for_a_sheet_with_a_message(
    manager_client, monkeypatch
):
    monkeypatch.setattr(audit.exports, "XLSX_MAX_ROWS", 4)
    make_events(5)
    response = _export(manager_client, "export_xlsx_action")
    assert response.status_code == 302
    page = manager_client.get("/admin/licensing/auditevent/").content.decode()
    assert "a spreadsheet holds at most 2" in page
    export = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert export.outcome == AuditOutcome.INVALID
