"""Audit exports: streamed CSV and constant-memory XLSX, filtered, complete and safe."""

import csv
import io
from datetime import UTC, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from licensing import audit
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import make_events

CSV_URL = "/audit/export.csv"
XLSX_URL = "/audit/export.xlsx"


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _data(rows):
    """The rows between the header and the summary row."""
    return rows[1:-1]


@pytest.mark.django_db
def test_csv_is_streamed_with_bom_header_rows_and_completion_marker(manager_client):
    events = make_events(3)
    response = manager_client.get(CSV_URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = _csv(response)
    assert rows[0] == list(audit.hashing.EXPORT_COLUMNS)
    # The manager's own login is row 1 (force_login is audited), then the three events.
    data = _data(rows)
    assert [r[0] for r in data] == [str(e.seq) for e in AuditEvent.objects.order_by("seq")][
        : len(data)
    ]
    assert data[-1][-1] == events[-1].hash
    assert rows[-1] == ["summary", f"rows={len(data)}", f"last_hash={events[-1].hash}", "complete"]


@pytest.mark.django_db
def test_csv_first_chunk_comes_before_any_row_is_read(manager_client, django_assert_num_queries):
    make_events(2)
    response = manager_client.get(CSV_URL)
    chunks = iter(response.streaming_content)
    with django_assert_num_queries(0):
        first = next(chunks)
    assert first.startswith("\ufeffseq,created_at,".encode())
    b"".join(chunks)


@pytest.mark.django_db
def test_csv_times_are_iso8601_utc(manager_client):
    event = make_events(1)[0]
    rows = _data(_csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGIN})))
    row = next(r for r in rows if r[0] == str(event.seq))
    assert row[1] == event.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    assert row[1].endswith("+00:00")


@pytest.mark.django_db
def test_csv_filters_by_action_outcome_actor_customer_and_dates(manager_client, manager_user):
    meta = audit.RequestMeta(user=manager_user)
    audit.record(
        meta=meta, action=AuditAction.DEMO_ASSIGN, outcome=AuditOutcome.FAILED, customer_code=5
    )
    audit.record(
        meta=meta, action=AuditAction.DEMO_ASSIGN, outcome=AuditOutcome.SUCCESS, customer_code=5
    )
    audit.record(
        meta=None, action=AuditAction.DEMO_ASSIGN, outcome=AuditOutcome.FAILED, customer_code=6
    )
    audit.record(
        meta=meta, action=AuditAction.LICENSE_ASSIGN, outcome=AuditOutcome.FAILED, customer_code=5
    )

    rows = _data(
        _csv(
            manager_client.get(
                CSV_URL,
                {
                    "action": AuditAction.DEMO_ASSIGN,
                    "outcome": AuditOutcome.FAILED,
                    "actor": manager_user.username,
                    "customer": 5,
                    "date_from": timezone.localdate().isoformat(),
                    "date_to": timezone.localdate().isoformat(),
                },
            )
        )
    )
    assert len(rows) == 1
    assert rows[0][7:10] == ["demo_assign", "failed", "5"]

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _data(_csv(manager_client.get(CSV_URL, {"date_to": yesterday}))) == []


@pytest.mark.django_db
def test_csv_neutralises_cells_a_spreadsheet_would_run(manager_client):
    for text in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "fine"):
        audit.record(
            meta=None, action=AuditAction.LOGIN_FAILED, outcome=AuditOutcome.DENIED, message=text
        )
    rows = _data(_csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGIN_FAILED})))
    messages = [r[audit.hashing.EXPORT_COLUMNS.index("message")] for r in rows]
    assert messages == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "fine",
    ]


@pytest.mark.django_db
def test_export_is_audited_with_filter_and_row_count(manager_client, manager_user):
    make_events(2)
    _csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGIN}))
    row = AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).get()
    assert row.outcome == AuditOutcome.SUCCESS
    assert row.actor_username == manager_user.username
    assert "action=login" in row.message
    assert "Exported 3 audit rows as CSV" in row.message  # 2 events + the manager's login
    assert audit.verify()[1] is None


@pytest.mark.django_db
def test_export_left_unfinished_is_audited_as_interrupted(manager_user):
    make_events(3)
    export = audit.exports.Export(
        meta=audit.RequestMeta(user=manager_user),
        events=AuditEvent.objects.all(),
        description="all",
    )
    chunks = audit.exports.csv_chunks(export)
    next(chunks)  # header
    next(chunks)  # first batch; then the client goes away and the server closes the stream
    chunks.close()
    row = AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).get()
    assert row.outcome == AuditOutcome.ERROR
    assert "Exported 3 audit rows as CSV (all; rows up to #3): interrupted" in row.message


@pytest.mark.django_db
def test_export_reads_in_keyset_batches_without_offset(manager_user, django_assert_num_queries):
    make_events(25)
    with django_assert_num_queries(4) as captured:  # three batches and the empty fourth
        batches = list(
            audit.queries.audit_export_rows(
                events=AuditEvent.objects.all(), upto=10**9, batch_size=10
            )
        )
    assert [len(b) for b in batches] == [10, 10, 5]
    seqs = [row[0] for batch in batches for row in batch]
    assert seqs == sorted(seqs) and len(set(seqs)) == 25
    assert not any("OFFSET" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.django_db
def test_invalid_filter_exports_nothing(manager_client):
    response = manager_client.get(CSV_URL, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).exists()


@pytest.mark.django_db
def test_xlsx_opens_and_holds_the_rows_and_the_summary(manager_client):
    make_events(3, message="=cmd")
    response = manager_client.get(XLSX_URL, {"action": AuditAction.LOGIN})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert list(rows[0]) == list(audit.hashing.EXPORT_COLUMNS)
    assert len(rows) == 1 + 4 + 1  # header, 3 events + the manager's login, summary
    assert rows[2][audit.hashing.EXPORT_COLUMNS.index("message")] == "'=cmd 0"
    assert rows[-1][0] == "summary" and rows[-1][1] == "rows=4" and rows[-1][3] == "complete"
    assert rows[-1][2] == f"last_hash={rows[-2][-1]}"
    assert "as XLSX" in AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT).message


@pytest.mark.django_db
def test_xlsx_refuses_past_the_row_limit(manager_client, monkeypatch):
    make_events(5)
    monkeypatch.setattr(audit.exports, "XLSX_MAX_ROWS", 6)  # header + 4 rows + summary
    response = manager_client.get(XLSX_URL)
    assert response.status_code == 422
    assert "holds at most 4" in response.content.decode()
    refusal = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert refusal.outcome == AuditOutcome.INVALID

    response = manager_client.get(XLSX_URL, {"action": AuditAction.LOGIN, "actor": "nobody"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_command_writes_csv_to_stdout_with_filters(capsys):
    make_events(2)
    audit.record(meta=None, action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)
    call_command("export_audit", "--action", "logout")
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert len(rows) == 3 and rows[1][7] == "logout" and rows[-1][3] == "complete"
    assert "export_audit" in AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT).user_agent


@pytest.mark.django_db
def test_command_writes_xlsx_to_a_file(tmp_path):
    make_events(2)
    target = tmp_path / "audit.xlsx"
    call_command("export_audit", "--format", "xlsx", "--output", str(target))
    rows = list(openpyxl.load_workbook(target).active.values)
    assert len(rows) == 4


@pytest.mark.django_db
def test_command_refuses_xlsx_past_the_limit(tmp_path, monkeypatch):
    make_events(5)
    monkeypatch.setattr(audit.exports, "XLSX_MAX_ROWS", 4)
    target = tmp_path / "audit.xlsx"
    with pytest.raises(CommandError, match="holds at most 2"):
        call_command("export_audit", "--format", "xlsx", "--output", str(target))
    assert not target.exists()


@pytest.mark.django_db
def test_csv_time_has_microseconds_even_when_they_are_zero(manager_client, monkeypatch):
    from datetime import datetime

    monkeypatch.setattr(
        audit.chain.timezone, "now", lambda: datetime(2025, 1, 31, 9, 5, tzinfo=UTC)
    )
    event = audit.record(meta=None, action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)
    monkeypatch.undo()
    rows = _data(_csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGOUT})))
    assert [r[1] for r in rows if r[0] == str(event.seq)] == ["2025-01-31T09:05:00.000000+00:00"]
