"""One purchase at a time per buyer while a daily limit applies (services.limits.daily_turn)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing import audit, services
from licensing.models import AuditEvent, LicenseAssignment, Profile
from licensing.services import limits
from tests.factories import customer_factory, user_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily(settings):
    settings.PORTAL_APPROVAL_ABOVE_EUR = None
    settings.PORTAL_DAILY_LIMIT_EUR = "500"


def buy(user, customer, sandbox):
    import uuid

    return services.license_assign(
        meta=audit.RequestMeta(user=user),
        customer=customer,
        license_code="CL-Q-A005-M12",
        license_info="Headquarter",
        token=uuid.uuid4(),
        quoted_amount=Decimal("50.00"),
    )


def test_a_turn_another_purchase_holds_refuses_after_a_short_wait(
    daily, sandbox_settings, monkeypatch
):
    monkeypatch.setattr(limits, "TURN_WAIT_SECONDS", 0.2)
    seller = user_factory(username="sam")
    customer = customer_factory(customer_code=1001)
    Profile.objects.create(
        user=seller,
        purchase_turn="00000000-0000-0000-0000-000000000001",
        purchase_turn_until=timezone.now() + timedelta(seconds=30),
    )

    with pytest.raises(services.InputInvalid) as refused:
        buy(seller, customer, sandbox_settings)

    assert "Another purchase of yours" in str(refused.value.errors["__all__"][0])
    assert LicenseAssignment.objects.count() == 0
    assert sandbox_settings.state.assign_deductions == 0
    row = AuditEvent.objects.filter(action="license_assign").latest("seq")
    assert row.outcome == "invalid" and "Another purchase of yours" in row.message
    # The other purchase's turn is left alone.
    assert str(Profile.objects.get(user=seller).purchase_turn).endswith("0001")


def test_a_lapsed_turn_is_taken_over_and_released_after_the_purchase(daily, sandbox_settings):
    seller = user_factory(username="sam")
    customer = customer_factory(customer_code=1001)
    Profile.objects.create(
        user=seller,
        purchase_turn="00000000-0000-0000-0000-000000000001",
        purchase_turn_until=timezone.now() - timedelta(seconds=1),  # its process died
    )

    outcome = buy(seller, customer, sandbox_settings)

    assert outcome.ok
    assert sandbox_settings.state.assign_deductions == 1
    profile = Profile.objects.get(user=seller)
    assert profile.purchase_turn is None and profile.purchase_turn_until is None


def test_a_refused_purchase_releases_its_turn(daily, settings, sandbox_settings):
    settings.PORTAL_DAILY_LIMIT_EUR = "10"
    seller = user_factory(username="sam")
    customer = customer_factory(customer_code=1001)

    with pytest.raises(services.InputInvalid):
        buy(seller, customer, sandbox_settings)

    assert Profile.objects.get(user=seller).purchase_turn is None
    assert sandbox_settings.state.assign_deductions == 0


def test_without_a_daily_limit_no_turn_is_taken(settings, sandbox_settings):
    settings.PORTAL_APPROVAL_ABOVE_EUR = "100"
    settings.PORTAL_DAILY_LIMIT_EUR = None
    seller = user_factory(username="sam")
    customer = customer_factory(customer_code=1001)

    assert buy(seller, customer, sandbox_settings).ok
    assert not Profile.objects.filter(user=seller).exists()
