"""Above the limit a purchase becomes a request; a manager approves (one purchase) or
rejects it (none); nobody decides on their own request; requests expire."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from licensing import forms
from licensing.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    LicenseAssignment,
    SpendingLimit,
)
from tests.approvals.conftest import OVER, UNDER
from tests.approvals.helpers import assign_url, confirmation, hidden, request_approval

pytestmark = pytest.mark.django_db


def test_over_limit_confirmation_offers_request_approval_with_amount_limit(
    limits, seller_client, customer, sandbox_settings
):
    page, _ = confirmation(seller_client, customer, OVER)

    assert "Request approval" in page
    assert "Assign for" not in page
    assert "€429.00" in page and "€100.00" in page
    assert "above your limit" in page


def test_within_limit_confirmation_assigns_as_before(
    limits, seller_client, customer, sandbox_settings
):
    page, _ = confirmation(seller_client, customer, UNDER)

    assert "Assign for €50.00" in page
    assert "Request approval" not in page


def test_request_makes_no_vendor_call_and_shows_awaiting_approval(
    limits, seller, seller_client, boss, customer, sandbox_settings
):
    response = request_approval(seller_client, customer, OVER, note="Big office")

    assert response.status_code == 302
    approval = ApprovalRequest.objects.get()
    assert approval.status == ApprovalStatus.PENDING
    assert approval.amount == Decimal("429.00") and approval.currency == "EUR"
    assert approval.requested_by == seller and approval.note == "Big office"
    assert approval.expires_at - approval.created_at == timedelta(days=7)
    assert sandbox_settings.state.requests["assign"] == 0
    assert sandbox_settings.state.assign_deductions == 0
    assert LicenseAssignment.objects.count() == 0
    customer_page = seller_client.get(f"/customers/{customer.customer_code}/").content.decode()
    assert "Awaiting approval" in customer_page
    home = seller_client.get("/").content.decode()
    assert "Awaiting approval" in home
    row = AuditEvent.objects.get(action=AuditAction.APPROVAL_REQUEST)
    assert row.outcome == AuditOutcome.SUCCESS and "€429.00" in row.message
    assert [m.to for m in mail.outbox] == [["margo@example.com"]]
    assert "Approval needed" in mail.outbox[0].subject


def test_same_request_form_sent_twice_makes_one_request(
    limits, seller_client, customer, sandbox_settings
):
    _, fields = confirmation(seller_client, customer, OVER)
    data = {**fields, "license_info": "Headquarter", "note": ""}
    url = f"/customers/{customer.customer_code}/request-approval/?license_code={OVER}"
    seller_client.post(url, data)
    seller_client.post(url, data)

    assert ApprovalRequest.objects.count() == 1


def test_posting_the_assign_form_above_the_limit_is_refused_without_vendor_call(
    limits, seller_client, customer, sandbox_settings
):
    # The limit was lowered after the page was shown: the service checks again.
    limits.PORTAL_APPROVAL_ABOVE_EUR = None
    _, fields = confirmation(seller_client, customer, OVER)
    limits.PORTAL_APPROVAL_ABOVE_EUR = "100"
    page = seller_client.post(
        assign_url(customer, OVER), {**fields, "license_info": "Headquarter"}
    ).content.decode()

    assert "above your limit" in page
    assert sandbox_settings.state.requests["assign"] == 0
    assert LicenseAssignment.objects.count() == 0
    refusal = AuditEvent.objects.get(action=AuditAction.LICENSE_ASSIGN)
    assert refusal.outcome == AuditOutcome.INVALID


def test_manager_approves_and_exactly_one_deduction_recorded_as_the_requesters(
    limits,
    seller,
    seller_client,
    boss,
    boss_client,
    other_boss,
    other_boss_client,
    customer,
    sandbox_settings,
):
    request_approval(seller_client, customer, OVER)
    approval = ApprovalRequest.objects.get()
    mail.outbox.clear()

    listing = boss_client.get("/approvals/").content.decode()
    assert "Rossi Ufficio SRL" in listing and "€429.00" in listing
    response = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})

    assert response.status_code == 302
    assert sandbox_settings.state.assign_deductions == 1
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.decided_by == boss and approval.approved_amount == Decimal("429.00")
    bought = LicenseAssignment.objects.get()
    assert bought.status == AssignmentStatus.ACTIVE
    assert bought.token == approval.token and approval.assignment == bought
    assert bought.created_by == seller  # requested by the salesperson ...
    approve_row = AuditEvent.objects.get(action=AuditAction.APPROVAL_APPROVE)
    assert approve_row.actor == boss  # ... approved by the manager
    assert "sally" in approve_row.message and "€429.00" in approve_row.message
    assert any(m.to == ["sally@example.com"] and "Approved" in m.subject for m in mail.outbox)

    # A second manager approving afterwards buys nothing more.
    page = other_boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})
    assert "already approved" in page.content.decode()
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1


def test_requester_cannot_approve_their_own_request(
    limits, boss, boss_client, customer, sandbox_settings
):
    SpendingLimit.objects.create(user=boss, per_purchase_eur=Decimal("100"))
    request_approval(boss_client, customer, OVER)
    approval = ApprovalRequest.objects.get()

    response = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})

    assert response.status_code == 403
    assert "your own request" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert sandbox_settings.state.requests["assign"] == 0
    assert AuditEvent.objects.filter(
        action=AuditAction.APPROVAL_APPROVE, outcome=AuditOutcome.DENIED
    ).exists()


def test_salesperson_cannot_approve(limits, seller_client, customer, sandbox_settings):
    request_approval(seller_client, customer, OVER)
    approval = ApprovalRequest.objects.get()

    response = seller_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})

    assert response.status_code == 403
    assert seller_client.get("/approvals/").status_code == 403
    assert sandbox_settings.state.requests["assign"] == 0


def test_rejection_needs_a_reason_and_never_reaches_the_vendor(
    limits, seller_client, boss_client, customer, sandbox_settings
):
    request_approval(seller_client, customer, OVER)
    approval = ApprovalRequest.objects.get()

    no_reason = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "reject"})
    assert "Say why" in no_reason.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING

    boss_client.post(f"/approvals/{approval.pk}/", {"decision": "reject", "reason": "Too big"})
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED and approval.reason == "Too big"
    late = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})
    assert "already rejected" in late.content.decode()
    assert sandbox_settings.state.requests["assign"] == 0
    assert sandbox_settings.state.assign_deductions == 0
    home = seller_client.get("/").content.decode()
    assert "Rejected" in home and "Too big" in home


def test_changed_price_is_shown_and_must_be_confirmed(
    limits, seller_client, boss_client, customer, sandbox_settings
):
    request_approval(seller_client, customer, OVER)
    approval = ApprovalRequest.objects.get()
    ApprovalRequest.objects.filter(pk=approval.pk).update(amount=Decimal("400.00"))

    page = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})
    text = page.content.decode()
    assert "€400.00" in text and "€429.00" in text
    assert "Approve at the new price" in text
    assert sandbox_settings.state.requests["assign"] == 0

    boss_client.post(
        f"/approvals/{approval.pk}/",
        {"decision": "approve", "confirmed_amount": hidden(text, "confirmed_amount")},
    )
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.approved_amount == Decimal("429.00")
    assert sandbox_settings.state.assign_deductions == 1


def test_request_expires_after_the_configured_days_and_says_so(
    limits, seller_client, boss_client, customer, sandbox_settings
):
    request_approval(seller_client, customer, OVER)
    approval = ApprovalRequest.objects.get()
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    page = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})

    assert "expired" in page.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.EXPIRED
    assert AuditEvent.objects.filter(action=AuditAction.APPROVAL_EXPIRE).count() == 1
    assert sandbox_settings.state.requests["assign"] == 0
    assert "Expired" in seller_client.get("/").content.decode()


def test_the_list_expires_old_requests(limits, boss_client, customer):
    approval = ApprovalRequest.objects.create(
        customer=customer,
        license_code=OVER,
        license_info="Office",
        amount=Decimal("429"),
        currency="EUR",
        expires_at=timezone.now() - timedelta(seconds=1),
    )

    boss_client.get("/approvals/")

    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.EXPIRED


def test_the_audit_filter_offers_every_approval_step():
    offered = dict(forms.AuditFilterForm().fields["action"].choices)
    for action in ("approval_request", "approval_approve", "approval_reject", "approval_expire"):
        assert action in offered
    assert forms.AuditFilterForm({"action": "approval_approve"}).is_valid()


def test_reports_show_pending_requests_and_approved_spend_per_manager(
    limits, seller_client, boss_client, customer, sandbox_settings
):
    request_approval(seller_client, customer, OVER)
    approval = ApprovalRequest.objects.get()
    before = boss_client.get("/reports/").content.decode()
    assert "1 request awaiting approval" in before

    boss_client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})
    after = boss_client.get("/reports/").content.decode()

    assert "0 requests awaiting approval" in after
    assert "Approved spend per manager" in after and "margo" in after and "€429.00" in after
