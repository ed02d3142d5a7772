"""No accidental second purchase, and a price good only for what it was shown for: a
repeat is held until confirmed, a price confirmation is bound to customer, licence,
currency and amount, a deduction other than the price shown is flagged, and the
customer's notification choice is sent, stored and audited. Over HTTP to the sandbox."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing import services
from licensing.models import (
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
)
from tests.factories import assignment_factory

CODE = "CL-Q-A005-M12"  # 50.00 EUR in the sandbox


def assign(meta, customer, token=None, **kwargs):
    kwargs.setdefault("license_code", CODE)
    kwargs.setdefault("license_info", "Headquarter")
    return services.license_assign(
        meta=meta, customer=customer, token=token or uuid.uuid4(), **kwargs
    )


def events(action=AuditAction.LICENSE_ASSIGN):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def quote_for(customer, *, code=CODE, currency="EUR", amount="50.00"):
    return {
        "customer": customer.customer_code,
        "code": code,
        "currency": currency,
        "amount": amount,
    }


# --- 5. no accidental second purchase ---------------------------------------------------------


def test_a_repeat_is_held_audited_and_not_sent(sandbox_settings, sales_meta, customer):
    first = assign(sales_meta, customer).assignment
    calls = sandbox_settings.state.requests["assign"]

    with pytest.raises(services.RepeatPurchase) as held:
        assign(sales_meta, customer, license_info="Second office")

    assert sandbox_settings.state.requests["assign"] == calls
    assert LicenseAssignment.objects.count() == 1
    assert "sally bought CL-Q-A005-M12 for Rossi Ufficio SRL" in str(held.value)
    assert "labelled “Headquarter”" in str(held.value)
    event = events()[-1]
    assert event.outcome == AuditOutcome.INVALID
    assert f"Held as a repeat of assignment #{first.pk}, not sent" in event.message


@pytest.mark.parametrize("status", [AssignmentStatus.PENDING, AssignmentStatus.UNKNOWN])
def test_a_purchase_is_held_while_an_earlier_one_is_undecided_however_old(
    sandbox_settings, sales_meta, customer, status
):
    assignment_factory(
        customer=customer,
        status=status,
        license_id=None,
        created_at=timezone.now() - timedelta(days=10),
    )

    with pytest.raises(services.RepeatPurchase):
        assign(sales_meta, customer)

    assert sandbox_settings.state.assign_deductions == 0


@pytest.mark.parametrize(
    "earlier",
    [
        {"status": AssignmentStatus.FAILED, "license_id": None},
        {"created_at_days": 2},
        {"license_code": "CL-Q-A010-M12"},
    ],
    ids=["a failed attempt", "bought two days ago", "another licence"],
)
def test_no_confirmation_is_asked_for_what_is_not_a_repeat(
    sandbox_settings, sales_meta, customer, earlier
):
    days = earlier.pop("created_at_days", 0)
    assignment_factory(
        customer=customer, created_at=timezone.now() - timedelta(days=days), **earlier
    )

    assert assign(sales_meta, customer).ok


def test_confirming_an_older_purchase_is_held_again_when_a_newer_one_appeared(
    sandbox_settings, sales_meta, customer
):
    older = assign(sales_meta, customer).assignment
    newer = assign(sales_meta, customer, repeat_of=older.pk).assignment

    with pytest.raises(services.RepeatPurchase) as held:
        assign(sales_meta, customer, repeat_of=older.pk)

    assert held.value.earlier.pk == newer.pk
    assert sandbox_settings.state.assign_deductions == 2


# --- 7. a price is bound to what it was shown for ---------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"customer": 1002},
        {"code": "CL-Q-A010-M12"},
        {"currency": "USD"},
        {"amount": "40.00"},
    ],
    ids=["another customer", "another licence", "another currency", "another amount"],
)
def test_a_price_confirmation_for_something_else_is_refused_unsent(
    sandbox_settings, sales_meta, customer, change
):
    Customer.objects.create(customer_code=1002, name="Bäckerei Müller GmbH")
    quote = {**quote_for(customer), **change}

    with pytest.raises(services.InputInvalid) as refused:
        assign(sales_meta, customer, quote=quote, quoted_amount=Decimal("50.00"))

    assert "quote" in refused.value.errors
    assert sandbox_settings.state.requests["assign"] == 0
    assert not LicenseAssignment.objects.exists()
    assert events()[-1].outcome == AuditOutcome.INVALID


def test_the_matching_price_confirmation_goes_through(sandbox_settings, sales_meta, customer):
    outcome = assign(
        sales_meta, customer, quote=quote_for(customer), quoted_amount=Decimal("50.00")
    )

    assert outcome.ok and not outcome.assignment.needs_review


def test_a_deduction_other_than_the_price_shown_stands_and_is_flagged(
    sandbox_settings, sales_meta, customer
):
    sandbox_settings.set_variants(surcharge=True)  # deducts 51.00

    outcome = assign(
        sales_meta, customer, quote=quote_for(customer), quoted_amount=Decimal("50.00")
    )

    a = outcome.assignment
    assert outcome.ok and a.status == AssignmentStatus.ACTIVE
    assert (a.amount, a.quoted_amount) == (Decimal("51.00"), Decimal("50.00"))
    assert a.needs_review and "€51.00 deducted where €50.00 was shown" in a.review_note
    assert "€51.00 deducted where €50.00 was shown" in events()[-1].message
    assert LicenseAssignment.objects.filter(needs_review=True).count() == 1


# --- 8. accept_notifications ------------------------------------------------------------------


@pytest.mark.parametrize("choice", [True, False])
def test_the_notification_choice_is_sent_stored_and_audited(
    sandbox_settings, sales_meta, customer, choice
):
    a = assign(sales_meta, customer, accept_notifications=choice).assignment
    demo = services.demo_assign(
        meta=sales_meta, customer=customer, token=uuid.uuid4(), accept_notifications=choice
    ).assignment

    sent = [r["body"] for r in sandbox_settings.state.recent_requests]
    assert [
        body["accept_notifications"] for body in sent if "lang" in body or "license_info" in body
    ] == [choice, choice]
    assert (a.accept_notifications, demo.accept_notifications) == (choice, choice)
    for action in (AuditAction.LICENSE_ASSIGN, AuditAction.DEMO_ASSIGN):
        assert f'"accept_notifications": {str(choice).lower()}' in events(action)[-1].sent
