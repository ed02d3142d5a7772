"""Whose limit applies, and the daily limit's boundary (equal to the limit is allowed)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from licensing import roles, services
from licensing.models import AssignmentStatus, LicenseAssignment, SpendingLimit
from tests.approvals.conftest import AT_LIMIT, OVER, UNDER
from tests.approvals.helpers import confirmation
from tests.factories import assignment_factory

pytestmark = pytest.mark.django_db


def check(user, customer, code=UNDER, amount="50.00", currency="EUR"):
    return services.spending_check(
        user=user, customer=customer, license_code=code, amount=Decimal(amount), currency=currency
    )


def spent(user, customer, amount, *, status=AssignmentStatus.ACTIVE, **fields):
    return assignment_factory(
        customer=customer,
        kind="paid",
        license_code=UNDER,
        status=status,
        license_id=None
        if status != AssignmentStatus.ACTIVE
        else f"L{LicenseAssignment.objects.count()}",
        amount=Decimal(amount),
        quoted_amount=Decimal(amount),
        currency="EUR",
        created_by=user,
        **fields,
    )


def test_sales_default_comes_from_the_settings(limits, seller):
    limit = services.spending_limit(seller)
    assert limit.per_purchase == Decimal("100") and limit.per_day is None


def test_no_setting_means_no_limit(settings, seller, customer):
    settings.PORTAL_APPROVAL_ABOVE_EUR = None
    settings.PORTAL_DAILY_LIMIT_EUR = None
    assert services.spending_limit(seller).unlimited
    assert not check(seller, customer, OVER, "429.00").over


def test_managers_have_no_limit_unless_one_is_set_for_them(limits, boss, customer):
    assert services.spending_limit(boss).unlimited
    SpendingLimit.objects.create(group=Group.objects.get(name=roles.MANAGERS), per_day_eur=5)
    assert services.spending_limit(boss).per_day == Decimal("5")
    SpendingLimit.objects.create(user=boss, per_purchase_eur=Decimal("1000"))
    assert services.spending_limit(boss).per_purchase == Decimal("1000")
    assert services.spending_limit(boss).per_day is None


def test_a_persons_limit_replaces_the_groups(limits, seller):
    SpendingLimit.objects.create(group=Group.objects.get(name=roles.SALES), per_purchase_eur=20)
    assert services.spending_limit(seller).per_purchase == Decimal("20")
    SpendingLimit.objects.create(user=seller, per_purchase_eur=None, per_day_eur=Decimal("300"))
    limit = services.spending_limit(seller)
    assert limit.per_purchase is None and limit.per_day == Decimal("300")


def test_per_purchase_limit_boundary(limits, seller, customer):
    assert not check(seller, customer, AT_LIMIT, "100.00").over
    over = check(seller, customer, AT_LIMIT, "100.01")
    assert over.over and "€100.01" in over.message and "€100.00" in over.message


def test_daily_limit_counts_pending_and_settled_and_allows_equal(settings, seller, customer):
    settings.PORTAL_APPROVAL_ABOVE_EUR = None
    settings.PORTAL_DAILY_LIMIT_EUR = "100"
    spent(seller, customer, "30.00")
    spent(seller, customer, "20.00", status=AssignmentStatus.PENDING)
    spent(seller, customer, "999.00", status=AssignmentStatus.FAILED)  # nothing spent
    spent(seller, customer, "999.00", created_at=timezone.now() - timedelta(days=1))

    at_limit = check(seller, customer, amount="50.00")
    assert not at_limit.over
    assert at_limit.spent_today == Decimal("50.00") and at_limit.left_today == Decimal("50.00")
    over = check(seller, customer, amount="50.01")
    assert over.over and "daily limit" in over.message and "€50.00 left today" in over.message


def test_daily_limit_boundary_through_the_pages(
    settings, seller_client, seller, customer, sandbox_settings
):
    settings.PORTAL_APPROVAL_ABOVE_EUR = None
    settings.PORTAL_DAILY_LIMIT_EUR = "100"
    spent(seller, customer, "50.00", status=AssignmentStatus.UNKNOWN)

    page, _ = confirmation(seller_client, customer, UNDER)  # 50 + 50 = 100: allowed
    assert "Assign for €50.00" in page
    spent(seller, customer, "0.01")
    page, _ = confirmation(seller_client, customer, UNDER)
    assert "Request approval" in page and "€49.99 left today" in page


def test_other_currency_is_checked_at_the_vendors_eur_price(
    limits, seller, customer, sandbox_settings
):
    # USD 108.50 is €100.00 at the vendor: equal to the limit.
    assert not check(seller, customer, AT_LIMIT, "108.50", "USD").over
    assert check(seller, customer, OVER, "465.47", "USD").over


def test_other_currency_counts_as_over_when_the_vendor_cannot_say(
    limits, seller, customer, vendor_down
):
    result = check(seller, customer, UNDER, "54.25", "USD")
    assert result.over and result.amount_eur is None


def test_a_bad_setting_names_itself(settings, seller):
    settings.PORTAL_APPROVAL_ABOVE_EUR = "a lot"
    with pytest.raises(ImproperlyConfigured, match="PORTAL_APPROVAL_ABOVE_EUR"):
        services.spending_limit(seller)
