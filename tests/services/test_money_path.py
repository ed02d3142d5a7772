"""The money path against a vendor less kind than the docs: every sale FlashStart confirms
is recorded, or kept for a manager; demos and paid licences are numbered apart; a settle
that fails or comes late loses nothing and changes nothing it should not.

All over real HTTP to the sandbox, with its answer variants switched on (repeats and
prices: test_repeats_and_prices.py).
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing import services, upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    VendorAnswer,
)
from licensing.services import settling
from tests.factories import assignment_factory
from tests.services import dbfaults

CODE = "CL-Q-A005-M12"  # 50.00 EUR in the sandbox


def assign(meta, customer, token=None, **kwargs):
    kwargs.setdefault("license_code", CODE)
    kwargs.setdefault("license_info", "Headquarter")
    return services.license_assign(
        meta=meta, customer=customer, token=token or uuid.uuid4(), **kwargs
    )


def events(action=AuditAction.LICENSE_ASSIGN):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# --- 1. tolerant answers: a sale the vendor confirms is a sale --------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        {"numbers_as_strings": True},
        {"decimal_commas": True},
        {"currency": "lower"},
        {"currency": "code_symbol"},
        {"currency": "symbol"},
        {"id_types_swapped": True},
        {"extra_fields": True},
    ],
    ids=lambda v: "-".join(f"{k}={v[k]}" for k in v),
)
def test_a_sale_is_recorded_however_the_vendor_writes_its_answer(
    sandbox_settings, sales_meta, customer, variant
):
    sandbox_settings.set_variants(**variant)

    outcome = assign(sales_meta, customer)

    a = outcome.assignment
    assert outcome.ok and a.status == AssignmentStatus.ACTIVE and not a.needs_review
    licence = sandbox_settings.state.licenses[0]
    assert a.license_id == licence.license_id
    assert (a.amount, a.currency) == (Decimal("50.00"), "EUR")
    assert str(a.expiry_date) == licence.expiry_date


def test_odd_details_in_a_confirmed_sale_are_flagged_not_unknown(
    sandbox_settings, sales_meta, customer
):
    sandbox_settings.set_variants(odd_details=True)  # start date as 18/01/2022, no amount

    outcome = assign(sales_meta, customer)

    a = outcome.assignment
    assert outcome.ok and a.status == AssignmentStatus.ACTIVE
    assert a.license_id == sandbox_settings.state.licenses[0].license_id
    assert a.start_date is None and a.amount is None and a.expiry_date is not None
    assert a.needs_review
    assert "no readable start date (“" in a.review_note
    assert "no readable deducted amount" in a.review_note
    (event,) = events()
    assert event.outcome == AuditOutcome.SUCCESS
    assert "A manager will check it" in event.message
    assert '"start_date": "' in event.answer  # the raw answer, in the audit row


def test_a_vendor_error_sent_with_http_200_is_read_from_the_body(
    sandbox_settings, sales_meta, customer
):
    sandbox_settings.set_variants(http200=True)
    sandbox_settings.state.set_balances({"EUR": "0"})  # the vendor refuses: 405 in the body

    outcome = assign(sales_meta, customer)

    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert "Insufficient credit" in outcome.message
    (event,) = events()
    assert (event.outcome, event.http_status) == (AuditOutcome.FAILED, 200)


def test_a_validation_error_sent_with_http_200_is_shown_field_by_field(
    sandbox_settings, sales_meta, customer
):
    sandbox_settings.set_variants(http200=True)

    outcome = assign(sales_meta, customer, license_code="CL-NOPE-M1")

    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert "license_code" in outcome.field_errors


# --- 3. licence ids are unique per kind -------------------------------------------------------


def test_a_demo_may_carry_the_id_of_an_earlier_paid_licence(sandbox_settings, sales_meta, customer):
    sandbox_settings.set_variants(ids_per_kind=True)
    paid = assign(sales_meta, customer).assignment

    demo = services.demo_assign(meta=sales_meta, customer=customer, token=uuid.uuid4())

    assert demo.ok and demo.assignment.status == AssignmentStatus.ACTIVE
    assert demo.assignment.license_id == paid.license_id
    assert demo.assignment.kind == AssignmentKind.DEMO


def test_the_same_licence_id_twice_for_one_kind_is_left_for_a_manager(
    sandbox_settings, sales_meta, customer
):
    assignment_factory(customer=customer, license_id="13343", license_code="CL-OTHER")

    outcome = assign(sales_meta, customer)  # the sandbox's first id is 13343 again

    assert outcome.level == "warning"
    assert outcome.assignment.status == AssignmentStatus.UNKNOWN
    kept = VendorAnswer.objects.get(assignment=outcome.assignment)
    assert kept.license_id == "13343"


# --- 4. a charge is never lost ----------------------------------------------------------------


def test_a_settle_that_fails_after_the_vendor_said_yes_keeps_the_answer(
    sandbox_settings, sales_meta, customer, settle_refused
):
    outcome = assign(sales_meta, customer)

    a = outcome.assignment
    assert a.status == AssignmentStatus.UNKNOWN and outcome.level == "warning"
    licence = sandbox_settings.state.licenses[0]
    kept = a.vendor_answer
    assert kept.license_id == licence.license_id
    assert (kept.expiry_date, kept.amount) == (licence.expiry_date, "50")  # as written
    assert kept.http_status == 200 and licence.license_id in kept.answer
    (event,) = events()
    assert event.outcome == AuditOutcome.UNKNOWN
    assert "answer is kept for the manager" in event.message


def test_the_manager_resolves_with_what_the_vendor_answered(
    sandbox_settings, sales_meta, manager_meta, customer, settle_refused
):
    a = assign(sales_meta, customer).assignment
    kept = a.vendor_answer
    dbfaults.allow_active()

    outcome = services.assignment_resolve(
        meta=manager_meta,
        assignment=a,
        license_id=kept.license_id,
        note="FlashStart's answer, checked in the customer area",
        start_date=timezone.localdate(),
        expiry_date=timezone.localdate() + timedelta(days=365),
        amount=Decimal(kept.amount),
        currency="EUR",
    )

    a.refresh_from_db()
    assert outcome.ok and a.status == AssignmentStatus.ACTIVE
    assert (a.license_id, a.amount, a.currency) == (kept.license_id, Decimal("50.00"), "EUR")
    assert a.start_date == timezone.localdate()
    event = events(AuditAction.ASSIGNMENT_RESOLVE)[-1]
    assert "€50.00 deducted" in event.message


def test_a_late_settle_finds_the_row_resolved_and_changes_nothing(
    sandbox_settings, sales_meta, manager_meta, customer
):
    stale = assignment_factory(
        customer=customer,
        status=AssignmentStatus.PENDING,
        license_id=None,
        amount=None,
        created_at=timezone.now() - timedelta(hours=2),
    )
    services.assignment_resolve(
        meta=manager_meta, assignment=stale, failed=True, note="Not at FlashStart"
    )
    call = upstream.CallRecord("assign", "POST", "x", 200, 5, {}, '{"code": 200}')
    late = upstream.AssignResult(
        customer_name="Rossi",
        license_id="77777",
        start_date=timezone.localdate(),
        expiry_date=timezone.localdate(),
        deducted_amount=Decimal("50"),
        currency="EUR",
        call=call,
    )

    outcome = settling.assignment_bought(meta=sales_meta, assignment=stale, result=late)

    stale.refresh_from_db()
    assert stale.status == AssignmentStatus.FAILED and stale.license_id is None
    assert outcome.level == "warning" and "nothing was changed" in outcome.message
    assert stale.vendor_answer.license_id == "77777"  # kept all the same
    assert "Late answer, nothing changed" in events()[-1].message


@pytest.mark.parametrize(
    ("bent", "expected"),
    [
        ({"license_id": "9" * 65}, AssignmentStatus.UNKNOWN),
        ({"deducted_amount": 10**13}, AssignmentStatus.ACTIVE),
        ({"deducted_amount": "0.001"}, AssignmentStatus.ACTIVE),
    ],
    ids=["id too long to store", "amount too big to store", "amount finer than cents"],
)
def test_a_value_the_columns_cannot_hold_is_kept_raw(
    settings, sales_meta, customer, bent, expected
):
    from tests.upstream import faultserver as fs

    server = fs.FaultServer()
    try:
        settings.FLASHSTART_API_URL, settings.FLASHSTART_API_KEY = server.url, "k-123456"
        content = {
            "customer": "Rossi",
            "license_id": "13343",
            "start_date": "2022-01-18",
            "expiry_date": "2022-01-31",
            "deducted_amount": 5,
            **bent,
        }
        server.script(fs.ok(content))
        a = assign(sales_meta, customer).assignment
    finally:
        server.close()

    assert a.status == expected
    assert a.vendor_answer.license_id == str(content["license_id"])
    assert a.vendor_answer.amount == str(content["deducted_amount"])
    if expected == AssignmentStatus.ACTIVE:
        assert a.amount is None and a.needs_review
        assert "an amount the portal cannot store" in a.review_note
