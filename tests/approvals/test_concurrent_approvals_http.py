"""Two managers approving the same request at once, over real HTTP: one purchase.

Runs on the configured database (SQLite by default; PostgreSQL with DATABASE_URL)."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from licensing import audit
from licensing.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    LicenseAssignment,
)
from tests.approvals.conftest import OVER
from tests.http.browsing import form_fields, open_url

PER_MANAGER = 5  # each manager clicks Approve five times, all at once


def _cookies(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {django_settings.SESSION_COOKIE_NAME: client.cookies["sessionid"].value}


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_at_once_buy_one_licence(
    portal_url, sandbox_settings, limits, seller, boss, other_boss, customer
):
    approval = ApprovalRequest.objects.create(
        customer=customer,
        license_code=OVER,
        license_name="Business Filter License",
        license_info="Headquarter",
        amount=Decimal("429.00"),
        currency="EUR",
        requested_by=seller,
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    url = f"{portal_url}/approvals/{approval.pk}/"
    bodies = []
    for manager in (boss, other_boss):
        cookies = _cookies(manager)
        status, page = open_url(url, cookies=cookies)
        assert status == 200, page[:300]
        fields = form_fields(page, marker='value="approve"')
        bodies.append((cookies, fields))
    sandbox_settings.latency = 0.2  # the first purchase is in flight when the others arrive

    submits = PER_MANAGER * len(bodies)
    barrier = threading.Barrier(submits)
    statuses, failures = [], []

    def approve(cookies, fields):
        try:
            barrier.wait(timeout=20)
            statuses.append(open_url(url, cookies=dict(cookies), data=fields, follow=False)[0])
        except Exception as exc:  # reported below
            failures.append(repr(exc))

    threads = [
        threading.Thread(target=approve, args=body) for body in bodies for _ in range(PER_MANAGER)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(statuses) == submits and all(s < 500 for s in statuses), statuses
    assert sandbox_settings.state.assign_deductions == 1
    assert sandbox_settings.state.requests["assign"] == 1
    bought = LicenseAssignment.objects.get()
    assert bought.status == AssignmentStatus.ACTIVE and bought.created_by == seller
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.assignment == bought
    assert approval.decided_by in (boss, other_boss)
    approved_rows = AuditEvent.objects.filter(
        action=AuditAction.APPROVAL_APPROVE, outcome=AuditOutcome.SUCCESS
    )
    assert approved_rows.count() == 1
    assert audit.verify()[1] is None
