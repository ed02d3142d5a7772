"""The admin's lists cost the same number of queries whatever number of rows they show."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import audit, roles
from licensing.models import ApprovalRequest, AuditAction, AuditOutcome, SpendingLimit
from tests.factories import assignment_factory, customer_factory, user_factory

pytestmark = pytest.mark.django_db

LISTS = (
    "/admin/licensing/customer/",
    "/admin/licensing/licenseassignment/",
    "/admin/licensing/auditevent/",
    "/admin/licensing/spendinglimit/",
)


def add_rows(count: int) -> None:
    """`count` more of everything, each with its own people (the related rows differ)."""
    for _ in range(count):
        person = user_factory()
        customer = customer_factory(owner=person, created_by=person)
        assignment_factory(customer=customer, created_by=person, resolved_by=person)
        audit.record(
            meta=audit.RequestMeta(user=person),
            action=AuditAction.LOGIN,
            outcome=AuditOutcome.SUCCESS,
            customer_code=customer.customer_code,
        )
        SpendingLimit.objects.create(user=person, per_day_eur=Decimal("100"))
        ApprovalRequest.objects.create(
            customer=customer,
            license_code="CL-Q-A050-M12",
            license_info="Branch",
            amount=Decimal("429.00"),
            currency="EUR",
            requested_by=person,
            expires_at=timezone.now(),
        )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_an_admin_list_does_not_query_once_per_row(manager_client, url):
    Group.objects.get_or_create(name=roles.SALES)
    add_rows(3)
    few = queries(manager_client, url)
    add_rows(20)
    many = queries(manager_client, url)
    assert many == few, f"{url}: {few} queries with 3 rows, {many} with 23"
