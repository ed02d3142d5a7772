"""The managers' audit page: filtered, keyset-paginated, htmx-refreshed, plain GET without JS."""

import pytest

from licensing import audit
from licensing.models import AuditAction, AuditOutcome
from tests.factories import make_events


@pytest.mark.django_db
def test_audit_page_lists_newest_first_and_links_the_exports(manager_client):
    make_events(3, message="row")
    page = manager_client.get("/audit/").content.decode()
    assert page.index("row 2") < page.index("row 1") < page.index("row 0")
    assert 'href="/audit/export.csv"' in page
    assert 'href="/audit/export.xlsx"' in page


@pytest.mark.django_db
def test_filters_apply_and_carry_over_to_the_export_links(manager_client):
    audit.record(
        meta=None,
        action=AuditAction.DEMO_ASSIGN,
        outcome=AuditOutcome.FAILED,
        customer_code=42,
        message="wanted",
    )
    audit.record(
        meta=None,
        action=AuditAction.DEMO_ASSIGN,
        outcome=AuditOutcome.SUCCESS,
        customer_code=42,
        message="other",
    )
    page = manager_client.get("/audit/", {"outcome": "failed", "customer": "42"}).content.decode()
    assert "wanted" in page and "other" not in page
    assert "/audit/export.csv?outcome=failed&amp;customer=42" in page


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_region(manager_client):
    make_events(2)
    response = manager_client.get("/audit/", {"action": "login"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html


@pytest.mark.django_db
def test_keyset_pages_walk_the_whole_trail_without_overlap(manager_client, monkeypatch):
    monkeypatch.setattr(audit.queries, "AUDIT_PAGE_SIZE", 4)
    make_events(9, message="walk")
    seen, query = [], {}
    for _ in range(5):
        page = manager_client.get("/audit/", query).context["page"]
        seen += [e.seq for e in page.events]
        if page.older_than is None:
            break
        query = {"before": page.older_than}
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 10

    back = manager_client.get("/audit/", {"after": seen[3]}).context["page"]
    assert [e.seq for e in back.events] == seen[:3]


@pytest.mark.django_db
def test_invalid_filter_is_explained_next_to_the_field(manager_client):
    response = manager_client.get("/audit/", {"date_from": "2025-03-01", "date_to": "2025-02-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"customer": "9" * 30}, {"customer": "abc"}, {"date_from": "31/31/2025"}, {"action": "nope"}],
)
def test_nonsense_filters_are_refused_politely(manager_client, query):
    assert manager_client.get("/audit/", query).status_code == 200
    assert manager_client.get("/audit/export.csv", query).status_code == 400


@pytest.mark.django_db
def test_nonsense_keyset_positions_are_ignored(manager_client):
    make_events(2)
    for query in ({"before": "abc"}, {"after": "-1"}, {"before": "9" * 40}, {"before": "²"}):
        assert manager_client.get("/audit/", query).status_code == 200


@pytest.mark.django_db
def test_date_filtered_pages_walk_by_time_without_overlap(manager_client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(audit.queries, "AUDIT_PAGE_SIZE", 3)
    make_events(7, message="dated")
    query = {"date_from": timezone.localdate().isoformat()}
    seen = []
    for _ in range(5):
        page = manager_client.get("/audit/", query).context["page"]
        seen += [e.seq for e in page.events]
        if page.older_than is None:
            break
        query = {**query, "before": page.older_than}
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 8

    back = manager_client.get(
        "/audit/", {"date_from": timezone.localdate().isoformat(), "after": seen[3]}
    ).context["page"]
    assert [e.seq for e in back.events] == seen[:3]
    assert back.older_than == seen[2]
