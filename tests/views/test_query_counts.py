"""Page cost must not grow with the rows shown: the same number of queries for 3 rows as
for 30 (no query per row, no N+1 through foreign keys or list filters)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import audit
from licensing.models import AssignmentKind, AssignmentStatus, AuditAction, AuditOutcome, Renewal
from tests.factories import make_assignment, make_customer

PAGES = [
    "/audit/",
    "/audit/?action=license_assign&outcome=success",
    "/reports/",
    "/admin/licensing/customer/",
    "/admin/licensing/customer/?q=Customer",
    "/admin/licensing/licenseassignment/",
    "/admin/licensing/licenseassignment/?status__exact=active&q=FS-1Y",
    "/admin/licensing/auditevent/",
    "/admin/licensing/auditevent/?action__exact=license_assign",
]


def _populate(n: int, user) -> None:
    soon = timezone.localdate() + timedelta(days=10)
    for i in range(n):
        customer = make_customer()
        paid = make_assignment(customer, created_by=user, expiry_date=soon)
        if i % 3 == 0:
            make_assignment(customer, kind=AssignmentKind.DEMO, created_by=user)
        if i % 3 == 1:
            make_assignment(customer, status=AssignmentStatus.UNKNOWN, created_by=user)
        if i % 2:
            paid.renewal = Renewal.SUSPENDED
            paid.save(update_fields=["renewal"])
        audit.record(
            meta=audit.RequestMeta(user=user),
            action=AuditAction.LICENSE_ASSIGN,
            outcome=AuditOutcome.SUCCESS,
            customer_code=customer.customer_code,
            assignment=paid,
            message=f"Assigned {i}",
        )


def _queries(client, url) -> int:
    client.get(url)  # warm per-process caches (content types, site, templates)
    cache.clear()  # but measure the reports' period figures computed, not cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_rows(manager_client, manager_user, url):
    _populate(3, manager_user)
    few = _queries(manager_client, url)
    _populate(27, manager_user)
    many = _queries(manager_client, url)
    assert many == few, f"{url}: {few} queries for 3 rows, {many} for 30"
    assert few <= 14, f"{url}: {few} queries"


@pytest.mark.django_db
def test_pages_really_list_the_rows(manager_client, manager_user):
    _populate(30, manager_user)
    page = manager_client.get("/audit/").content.decode()
    assert page.count("Assigned ") >= 30
    assert "Older →" not in page or "before=" in page
    admin = manager_client.get("/admin/licensing/licenseassignment/").content.decode()
    assert admin.count("Customer 7") >= 30
    report = manager_client.get("/reports/").content.decode()
    assert "Outcomes waiting for resolution" in report
    assert report.count("/resolve/") == 10
