"""Admin lists on big tables: no exact COUNT(*), links between the three lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing.admin import site as managers_admin
from licensing.models import AuditAction, AuditOutcome
from tests.factories import make_assignment, make_events

AUDIT = "/admin/licensing/auditevent/"


@pytest.mark.django_db
def test_counts_stop_at_the_cap_and_say_so(manager_client, monkeypatch):
    monkeypatch.setattr(managers_admin.EstimatedCountPaginator, "CAP", 5)
    make_events(8)
    with CaptureQueriesContext(connection) as captured:
        page = manager_client.get(AUDIT).content.decode()
    assert "More than 5 audit events" in page
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 6" in counts[0].upper()


@pytest.mark.django_db
def test_small_lists_show_the_exact_count(manager_client):
    make_events(2)
    page = manager_client.get(AUDIT, {"action__exact": AuditAction.LOGIN}).content.decode()
    assert "3 audit events" in page  # two events and the manager's login


@pytest.mark.django_db
def test_lists_link_customer_to_assignments_to_audit_rows(manager_client, manager_user):
    from licensing import audit

    assignment = make_assignment()
    customer = assignment.customer
    other = make_assignment()
    audit.record(
        meta=audit.RequestMeta(user=manager_user),
        action=AuditAction.LICENSE_ASSIGN,
        outcome=AuditOutcome.SUCCESS,
        customer_code=customer.customer_code,
        assignment=assignment,
        message="the wanted row",
    )
    audit.record(
        meta=None,
        action=AuditAction.LICENSE_ASSIGN,
        outcome=AuditOutcome.SUCCESS,
        customer_code=other.customer.customer_code,
        assignment=other,
        message="another row",
    )
    customers = manager_client.get("/admin/licensing/customer/").content.decode()
    to_assignments = f"/admin/licensing/licenseassignment/?customer={customer.pk}"
    assert to_assignments in customers
    assert f"{AUDIT}?customer_code={customer.customer_code}" in customers

    assignments = manager_client.get(to_assignments).content.decode()
    assert f"/admin/licensing/licenseassignment/{assignment.pk}/change/" in assignments
    assert f"/admin/licensing/licenseassignment/{other.pk}/change/" not in assignments
    assert str(customer) in assignments  # the filter names the chosen customer

    rows = manager_client.get(AUDIT, {"assignment": assignment.pk}).content.decode()
    assert "the wanted row" in rows and "another row" not in rows


@pytest.mark.django_db
def test_search_finds_assignments_by_customer_code_and_licence_id(manager_client):
    wanted = make_assignment()
    make_assignment()
    url = "/admin/licensing/licenseassignment/"
    for term in (str(wanted.customer.customer_code), wanted.license_id):
        page = manager_client.get(url, {"q": term}).content.decode()
        assert page.count('class="action-select"') == 1, term
        assert f"{url}{wanted.pk}/change/" in page


@pytest.mark.django_db
def test_facet_counts_are_never_computed(manager_client):
    make_events(3)
    with CaptureQueriesContext(connection) as captured:
        page = manager_client.get(AUDIT, {"_facets": "True"}).content.decode()
    assert "Show counts" not in page
    counts = [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1  # the capped page count only


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "abc", "9" * 40])
def test_link_filters_ignore_nonsense(manager_client, value):
    for url in (
        f"{AUDIT}?customer_code={value}",
        f"{AUDIT}?assignment={value}",
        f"/admin/licensing/licenseassignment/?customer={value}",
        f"{AUDIT}?q={value}",
    ):
        assert manager_client.get(url).status_code == 200, url
