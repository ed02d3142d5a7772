"""Paying for a licence: one vendor call per form, every outcome settled and audited."""

import uuid
from decimal import Decimal

import pytest

from licensing import services
from licensing.models import (
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    LicenseAssignment,
)

CODE = "CL-Q-A005-M12"


def assign(meta, customer, token, **kwargs):
    kwargs.setdefault("license_code", CODE)
    kwargs.setdefault("license_info", "Headquarter")
    return services.license_assign(meta=meta, customer=customer, token=token, **kwargs)


def last_event():
    return AuditEvent.objects.order_by("-seq").first()


def test_assign_spends_credit_once_and_records_the_licence(
    sandbox_settings, sales_meta, customer, token
):
    before = sandbox_settings.state.balances["EUR"]
    outcome = assign(sales_meta, customer, token)
    assert outcome.level == "success"
    a = outcome.assignment
    assert a.status == AssignmentStatus.ACTIVE
    assert a.license_id and a.start_date and a.expiry_date > a.start_date
    assert a.amount > 0 and a.currency == "EUR"
    assert sandbox_settings.state.balances["EUR"] == before - a.amount
    event = last_event()
    assert (event.action, event.outcome) == (AuditAction.LICENSE_ASSIGN, AuditOutcome.SUCCESS)
    assert event.assignment_id == a.pk and event.http_status == 200
    assert event.actor_username == "sally" and event.request_id == "req-sales-0001"
    assert CODE in event.sent and "X-API-KEY" not in event.sent
    assert sandbox_settings.api_key not in event.sent + event.answer


def test_assign_twice_with_same_token_calls_vendor_once(
    sandbox_settings, sales_meta, customer, token
):
    first = assign(sales_meta, customer, token)
    second = assign(sales_meta, customer, token)
    assert second.duplicate and second.assignment.pk == first.assignment.pk
    assert second.level == "success"
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1
    assert last_event().outcome == AuditOutcome.DUPLICATE


def test_a_second_form_for_the_same_licence_is_held_until_confirmed(
    sandbox_settings, sales_meta, customer
):
    first = assign(sales_meta, customer, uuid.uuid4()).assignment

    with pytest.raises(services.RepeatPurchase) as held:
        assign(sales_meta, customer, uuid.uuid4())
    assert held.value.earlier.pk == first.pk
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1

    again = assign(sales_meta, customer, uuid.uuid4(), repeat_of=first.pk)
    assert again.ok and sandbox_settings.state.assign_deductions == 2


def test_bad_license_info_is_refused_before_anything_is_recorded(
    sandbox_settings, sales_meta, customer, token
):
    with pytest.raises(services.InputInvalid) as exc:
        assign(sales_meta, customer, token, license_info="<script>")
    assert "license_info" in exc.value.errors
    assert LicenseAssignment.objects.count() == 0
    assert sandbox_settings.state.assign_deductions == 0
    assert last_event().outcome == AuditOutcome.INVALID


def test_user_without_role_is_refused_and_audited(sandbox_settings, nobody_meta, customer, token):
    with pytest.raises(services.PermissionRefused):
        assign(nobody_meta, customer, token)
    assert LicenseAssignment.objects.count() == 0
    event = last_event()
    assert event.outcome == AuditOutcome.DENIED and event.actor_username == "otto"


def test_vendor_validation_errors_come_back_field_by_field(
    sandbox_settings, sales_meta, customer, token
):
    outcome = assign(sales_meta, customer, token, license_code="CL-NOPE-M1")
    assert outcome.level == "error"
    assert "license_code" in outcome.field_errors
    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert last_event().outcome == AuditOutcome.FAILED and last_event().http_status == 500


def test_insufficient_credit_fails_without_charge(sandbox_settings, sales_meta, customer, token):
    sandbox_settings.reset(balances={"EUR": "0.00", "USD": "0", "CHF": "0"})
    outcome = assign(sales_meta, customer, token)
    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert "credit" in outcome.message.lower()
    assert last_event().http_status == 405


def test_rejected_key_says_to_call_an_administrator(
    sandbox_settings, settings, sales_meta, customer, token
):
    settings.FLASHSTART_API_KEY = "wrong-key"
    outcome = assign(sales_meta, customer, token)
    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert "administrator" in outcome.message
    assert last_event().http_status == 401
    assert "wrong-key" not in last_event().sent + last_event().answer


@pytest.mark.parametrize("fault", ["timeout_after", "reset_after", "invalid_json", "html502"])
def test_answer_lost_after_sending_leaves_outcome_unknown(
    sandbox_settings, settings, sales_meta, customer, token, fault
):
    settings.FLASHSTART_TIMEOUT = 0.5
    sandbox_settings.add_fault("assign", fault, seconds=1.5)
    outcome = assign(sales_meta, customer, token)
    assert outcome.level == "warning"
    assert outcome.assignment.status == AssignmentStatus.UNKNOWN
    assert "do not assign again" in outcome.message.lower()
    assert last_event().outcome == AuditOutcome.UNKNOWN
    # never retried: the vendor saw exactly one assign request
    assert sandbox_settings.state.snapshot()["requests"].get("assign", 0) == 1


def test_unreachable_vendor_fails_cleanly_and_nothing_is_charged(
    settings, sales_meta, customer, token
):
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"
    outcome = assign(sales_meta, customer, token)
    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert "nothing was charged" in outcome.message
    assert last_event().outcome == AuditOutcome.ERROR


def test_unknown_outcome_is_resolved_by_a_manager_only(
    sandbox_settings, settings, sales_meta, manager_meta, customer, token
):
    settings.FLASHSTART_TIMEOUT = 0.5
    sandbox_settings.add_fault("assign", "timeout_after", seconds=1.5)
    a = assign(sales_meta, customer, token).assignment
    with pytest.raises(services.PermissionRefused):
        services.assignment_resolve(meta=sales_meta, assignment=a, license_id="L1", note="checked")
    with pytest.raises(services.InputInvalid):
        services.assignment_resolve(meta=manager_meta, assignment=a, license_id="", note="checked")
    outcome = services.assignment_resolve(
        meta=manager_meta, assignment=a, license_id="99123", note="Confirmed by FlashStart support"
    )
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACTIVE and a.license_id == "99123"
    assert a.resolved_by_id == manager_meta.user.pk
    assert last_event().action == AuditAction.ASSIGNMENT_RESOLVE
    assert "Confirmed by FlashStart support" in last_event().message
    with pytest.raises(services.InputInvalid):  # settled: nothing more to resolve
        services.assignment_resolve(meta=manager_meta, assignment=a, failed=True, note="again")
    assert outcome.ok


def test_unknown_outcome_can_be_resolved_as_failed(
    sandbox_settings, settings, sales_meta, manager_meta, customer, token
):
    settings.FLASHSTART_TIMEOUT = 0.5
    sandbox_settings.add_fault("assign", "reset_after")
    a = assign(sales_meta, customer, token).assignment
    services.assignment_resolve(
        meta=manager_meta, assignment=a, failed=True, note="Not in FlashStart"
    )
    a.refresh_from_db()
    assert a.status == AssignmentStatus.FAILED and a.license_id is None


def test_amounts_are_decimals(sandbox_settings, sales_meta, customer, token):
    a = assign(sales_meta, customer, token, license_code="CL-Q-A005-M1").assignment
    assert isinstance(a.amount, Decimal)
