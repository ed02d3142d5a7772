"""A mail server that cannot be reached costs a decision one connection attempt, not one
per manager; a refused address does not stop the others."""

import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from licensing import roles
from licensing.models import ApprovalRequest
from licensing.services import approval_mail
from tests.factories import user_factory

pytestmark = pytest.mark.django_db

ATTEMPTS: list[str] = []


class Unreachable(BaseEmailBackend):
    def send_messages(self, messages):
        ATTEMPTS.extend(m.to[0] for m in messages)
        raise TimeoutError("timed out")


class RefusesOne(BaseEmailBackend):
    def send_messages(self, messages):
        ATTEMPTS.extend(m.to[0] for m in messages)
        if messages[0].to[0].startswith("m0"):
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such user")})
        return len(messages)


@pytest.fixture
def approval(customer, seller):
    for number in range(3):
        user_factory(groups=[roles.MANAGERS], email=f"m{number}@example.com")
    ATTEMPTS.clear()
    return ApprovalRequest.objects.create(
        customer=customer,
        license_code="CL-Q-A050-M12",
        license_info="Branch",
        amount=Decimal("429.00"),
        currency="EUR",
        requested_by=seller,
        expires_at=timezone.now() + timedelta(days=7),
    )


def test_an_unreachable_server_is_tried_once(settings, approval):
    settings.EMAIL_BACKEND = "tests.approvals.test_mail_unreachable.Unreachable"
    approval_mail.notify(approval, "requested", approval_mail.managers())
    assert len(ATTEMPTS) == 1


def test_a_refused_address_does_not_stop_the_others(settings, approval):
    settings.EMAIL_BACKEND = "tests.approvals.test_mail_unreachable.RefusesOne"
    approval_mail.notify(approval, "requested", approval_mail.managers())
    assert sorted(ATTEMPTS) == ["m0@example.com", "m1@example.com", "m2@example.com"]
