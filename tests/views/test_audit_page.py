"""The managers' audit page: filtered, keyset-paginated, htmx-refreshed, plain GET without JS."""

import pytest

from licensing import audit
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import make_customer, make_events


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


# --- the trail in words -------------------------------------------------------------------


def _row(page: str, seq: int) -> str:
    """The HTML of audit row `seq` on the page."""
    start = page.index(f'id="audit-{seq}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_rows_say_what_happened_in_words_with_field_labels(manager_client):
    # As the services wrote refusals before they used labels: field names and __all__.
    old = audit.record(
        meta=None,
        action=AuditAction.LICENSE_ASSIGN,
        outcome=AuditOutcome.INVALID,
        message="Refused input: license_info: Letters and numbers only.; __all__: Check it.",
    )
    link = audit.record(meta=None, action=AuditAction.DASHBOARD_OPEN, outcome=AuditOutcome.SUCCESS)

    page = manager_client.get("/audit/").content.decode()

    refused = _row(page, old.seq)
    assert "Assign a paid licence" in refused and "Input refused" in refused
    assert "Label for this licence: Letters and numbers only. Check it." in refused
    assert "__all__" not in page and "license_info" not in page
    assert ">license_assign<" not in page and ">invalid<" not in page
    issued = _row(page, link.seq)
    assert "Open the customer&#x27;s dashboard" in issued and "Link issued" in issued


@pytest.mark.django_db
def test_a_refusal_written_now_names_fields_by_their_labels():
    from licensing.services import settling

    settling.refuse(
        meta=None,
        action=AuditAction.CUSTOMER_CREATE,
        errors={"email": ["Enter a valid e-mail address."], "__all__": ["Try again."]},
    )

    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CREATE)
    assert event.message == "Refused input: E-mail: Enter a valid e-mail address. Try again."


@pytest.mark.django_db
def test_customers_are_named_and_linked_only_when_registered_here(manager_client):
    make_customer(customer_code=1001, name="Rossi Ufficio SRL")
    known = audit.record(
        meta=None, action=AuditAction.DEMO_ASSIGN, outcome=AuditOutcome.SUCCESS, customer_code=1001
    )
    unknown = audit.record(
        meta=None,
        action=AuditAction.CUSTOMER_REGISTER,
        outcome=AuditOutcome.INVALID,
        customer_code=999_999,
    )

    page = manager_client.get("/audit/").content.decode()

    assert '<a href="/customers/1001/">Rossi Ufficio SRL</a>' in _row(page, known.seq)
    assert "999999" in _row(page, unknown.seq)
    assert "not registered here" in _row(page, unknown.seq)
    assert 'href="/customers/999999/"' not in page


@pytest.mark.django_db
def test_names_and_vendor_answers_cost_the_same_queries_for_one_customer_or_fifty(
    manager_client,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get("/audit/").status_code == 200
        return len(captured)

    def rows(n):
        for _ in range(n):
            code = make_customer().customer_code
            audit.record(
                meta=None,
                action=AuditAction.LICENSE_ASSIGN,
                outcome=AuditOutcome.SUCCESS,
                customer_code=code,
                call=_call(),
            )

    rows(1)
    manager_client.get("/audit/")  # warm per-process caches
    few = queries()
    rows(49)
    assert queries() == few


@pytest.mark.django_db
def test_the_vendor_call_is_one_sentence_and_its_answer_one_click_away(manager_client):
    event = audit.record(
        meta=None,
        action=AuditAction.LICENSE_ASSIGN,
        outcome=AuditOutcome.FAILED,
        customer_code=1001,
        message="FlashStart refused the request: The license info may only contain letters",
        call=_call(status=500, answer='{"code":500,"errors":{"license_info":["letters"]}}'),
    )

    row = _row(manager_client.get("/audit/").content.decode(), event.seq)

    assert "Refused by FlashStart" in row
    assert "FlashStart (assign) answered 500 in 41 ms." in row
    assert "<details" in row and "<summary>What was sent and FlashStart's answer" in row
    assert "&quot;license_info&quot;" in row  # the raw answer, indented, inside <details>
    assert "test-api-key" not in row


def _call(*, status=200, answer='{"code":200}'):
    from licensing import upstream

    return upstream.CallRecord(
        endpoint="assign",
        method="POST",
        path="/customerarea/licenses/assign",
        status=status,
        duration_ms=41,
        sent={"customer_code": 1001, "license_code": "CL-Q-A005-M12"},
        answer=answer,
    )
