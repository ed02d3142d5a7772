"""An approval the portal stopped on between "approved" and its purchase: found and linked
when the purchase was recorded, re-opened when it was not (nothing was sent then)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from licensing import audit, services
from licensing.models import ApprovalRequest, ApprovalStatus, AuditEvent
from tests.approvals.conftest import OVER
from tests.factories import assignment_factory

pytestmark = pytest.mark.django_db


def stuck(customer, seller, boss, *, minutes_ago=30):
    return ApprovalRequest.objects.create(
        customer=customer,
        license_code=OVER,
        license_info="Branch office",
        amount=Decimal("429.00"),
        currency="EUR",
        requested_by=seller,
        expires_at=timezone.now() + timedelta(days=7),
        status=ApprovalStatus.APPROVED,
        decided_by=boss,
        decided_at=timezone.now() - timedelta(minutes=minutes_ago),
        approved_amount=Decimal("429.00"),
    )


def test_with_no_purchase_recorded_it_opens_again_and_can_then_be_bought_once(
    limits, seller, boss, customer, sandbox_settings
):
    approval = stuck(customer, seller, boss)
    assert approval.is_stuck

    done = services.approval_recover(meta=audit.RequestMeta(user=boss), approval=approval)

    approval.refresh_from_db()
    assert done == "reopened"
    assert (approval.status, approval.decided_by, approval.approved_amount) == (
        ApprovalStatus.PENDING,
        None,
        None,
    )
    row = AuditEvent.objects.filter(action="approval_reopen").get()
    assert "nothing was sent to FlashStart" in row.message and row.actor == boss
    assert sandbox_settings.state.assign_deductions == 0

    outcome = services.approval_approve(meta=audit.RequestMeta(user=boss), approval=approval)
    assert outcome.ok and sandbox_settings.state.assign_deductions == 1
    approval.refresh_from_db()
    assert approval.assignment is not None and approval.assignment.created_by == seller


def test_a_purchase_recorded_before_the_stop_is_linked_not_bought_again(
    limits, seller, boss, customer, sandbox_settings
):
    approval = stuck(customer, seller, boss)
    recorded = assignment_factory(
        customer=customer, token=approval.token, status="pending", license_code=OVER
    )

    done = services.approval_recover(meta=audit.RequestMeta(user=boss), approval=approval)

    approval.refresh_from_db()
    assert done == "linked"
    assert approval.status == ApprovalStatus.APPROVED and approval.assignment == recorded
    assert sandbox_settings.state.assign_deductions == 0
    assert AuditEvent.objects.get(action="approval_reopen").assignment == recorded


def test_a_purchase_still_in_flight_is_left_alone(limits, seller, boss, customer):
    approval = stuck(customer, seller, boss, minutes_ago=0)
    assert not approval.is_stuck
    assert services.approval_recover(meta=audit.RequestMeta(user=boss), approval=approval) == ""
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert not AuditEvent.objects.filter(action="approval_reopen").exists()


def test_only_a_manager_may_check(limits, seller, boss, customer):
    approval = stuck(customer, seller, boss)
    with pytest.raises(services.PermissionRefused):
        services.approval_recover(meta=audit.RequestMeta(user=seller), approval=approval)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


def test_the_daily_job_settles_them(limits, seller, boss, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reopened = stuck(customer, seller, boss)
    linked = stuck(customer, seller, boss)
    assignment_factory(customer=customer, token=linked.token, status="pending")
    in_flight = stuck(customer, seller, boss, minutes_ago=0)

    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    statuses = {
        a.pk: (a.status, a.assignment_id is not None) for a in ApprovalRequest.objects.all()
    }
    assert statuses[reopened.pk] == (ApprovalStatus.PENDING, False)
    assert statuses[linked.pk] == (ApprovalStatus.APPROVED, True)
    assert statuses[in_flight.pk] == (ApprovalStatus.APPROVED, False)
    assert AuditEvent.objects.filter(action="approval_reopen", actor=None).count() == 2


def test_the_request_page_offers_the_check_to_a_manager(
    limits, seller, boss, customer, boss_client, seller_client
):
    approval = stuck(customer, seller, boss)
    page = boss_client.get(f"/approvals/{approval.pk}/").content.decode()
    assert "Approved, but no purchase is linked" in page
    assert 'value="recover"' in page
    assert 'value="recover"' not in seller_client.get(f"/approvals/{approval.pk}/").content.decode()

    response = boss_client.post(f"/approvals/{approval.pk}/", {"decision": "recover"}, follow=True)

    assert "the request is open again" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
