"""Audit exports: streamed CSV and constant-memory XLSX, filtered, complete and safe."""

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import audit
from licensing.audit import export_rows
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import make_events

CSV_URL = "/audit/export.csv"
XLSX_URL = "/audit/export.xlsx"
HEADER = list(export_rows.HEADER)
COL = {name: i for i, name in enumerate(HEADER)}


def _body(response) -> str:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return body[1:]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response))))


def _data(rows):
    """The rows between the header and the end-of-export row."""
    return rows[1:-1]


@pytest.mark.django_db
def test_csv_is_streamed_with_bom_header_rows_and_end_row(manager_client):
    events = make_events(3)
    response = manager_client.get(CSV_URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = _csv(response)
    assert rows[0] == HEADER
    assert {len(row) for row in rows} == {len(HEADER)}  # rectangular, end row included
    data = _data(rows)
    seqs = [str(e.seq) for e in AuditEvent.objects.order_by("seq")]
    assert [r[COL["seq"]] for r in data] == seqs[: len(data)]
    assert data[-1][COL["hash"]] == events[-1].hash
    end = rows[-1]
    assert end[COL["Action"]] == "End of export" and end[COL["Outcome"]] == "Complete"
    assert end[COL["message"]] == f"{len(data)} rows exported (no filter), complete."
    assert end[COL["prev_hash"]] == events[-1].hash
    assert end[COL["seq"]] == "" and end[COL["hash"]] == ""


@pytest.mark.django_db
def test_csv_quotes_text_cells_and_leaves_numbers_bare(manager_client):
    audit.record(
        meta=None,
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.DENIED,
        customer_code=42,
        message='said "hi", then\nleft',
    )
    body = _body(manager_client.get(CSV_URL, {"action": AuditAction.LOGIN_FAILED}))
    header, line = body.split("\n", 2)[:2]
    assert header == ",".join(f'"{name}"' for name in HEADER)
    cells = line.split(",")
    assert cells[COL["Staff member"]] == '""'  # empty text: quoted
    assert cells[COL["Action"]] == '"Failed log in"'
    assert cells[COL["Customer code"]] == "42"  # number: bare
    assert cells[COL["Amount"]] == '""'
    assert cells[COL["actor_id"]] == ""  # empty number: bare
    assert '"said ""hi"", then\nleft"' in body


@pytest.mark.django_db
def test_csv_first_chunk_comes_before_any_row_is_read(manager_client, django_assert_num_queries):
    make_events(2)
    response = manager_client.get(CSV_URL)
    chunks = iter(response.streaming_content)
    with django_assert_num_queries(0):
        first = next(chunks)
    assert first.startswith('\ufeff"Time (UTC)","Staff member",'.encode())
    b"".join(chunks)


@pytest.mark.django_db
def test_csv_times_are_iso8601_utc(manager_client):
    event = make_events(1)[0]
    rows = _data(_csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGIN})))
    row = next(r for r in rows if r[COL["seq"]] == str(event.seq))
    expected = event.created_at.astimezone(UTC)
    assert row[COL["created_at"]] == expected.isoformat(timespec="microseconds")
    assert row[COL["Time (UTC)"]] == expected.replace(tzinfo=None).isoformat(timespec="seconds")


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
    today = timezone.localdate().isoformat()
    filters = {
        "action": AuditAction.DEMO_ASSIGN,
        "outcome": AuditOutcome.FAILED,
        "actor": manager_user.username,
        "customer": 5,
        "date_from": today,
        "date_to": today,
    }
    rows = _data(_csv(manager_client.get(CSV_URL, filters)))
    assert len(rows) == 1
    row = rows[0]
    assert [row[COL["action"]], row[COL["outcome"]], row[COL["customer_code"]]] == [
        "demo_assign",
        "failed",
        "5",
    ]
    assert [row[COL["Action"]], row[COL["Outcome"]], row[COL["Staff member"]]] == [
        "Assign demo",
        "Refused by vendor",
        manager_user.username,
    ]

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _data(_csv(manager_client.get(CSV_URL, {"date_to": yesterday}))) == []


INJECTIONS = [
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "'quoted",
    "'=already guarded?",
    "fine",
]


@pytest.mark.django_db
def test_csv_guards_cells_a_spreadsheet_would_run_and_the_guard_reverses(manager_client):
    for text in INJECTIONS:
        audit.record(
            meta=None, action=AuditAction.LOGIN_FAILED, outcome=AuditOutcome.DENIED, message=text
        )
    rows = _data(_csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGIN_FAILED})))
    messages = [r[COL["message"]] for r in rows]
    assert messages == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "''quoted",
        "''=already guarded?",
        "fine",
    ]
    assert [audit.exports.unguard(m) for m in messages] == INJECTIONS
    # Before the guard was reversible, these two exported alike.
    assert messages[0] != messages[7]


@pytest.mark.django_db
def test_python_csv_lines_equal_the_reference_writer(manager_user):
    """The lines the database builds (guarded in Python) are byte for byte what the
    one-cell-at-a-time writer makes of the same rows' values."""
    for text in [*INJECTIONS, 'a,"b"', "two\nlines", "crlf\r\nend", "ünïcödé €", ""]:
        audit.record(
            meta=audit.RequestMeta(user=manager_user, ip="::ffff:10.0.0.1", user_agent=text),
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.DENIED,
            customer_code=77,
            message=text,
            sent={"field": text},
        )
    export = audit.exports.Export(
        meta=audit.RequestMeta(), events=AuditEvent.objects.all(), description="all"
    )
    upto = audit.queries.audit_last_seq()
    produced = b"".join(audit.exports.csv_chunks(export, use_copy=False))
    expected = "\ufeff" + audit.exports.header_line()
    last_hash, count = "", 0
    for batch in export_rows.value_batches(AuditEvent.objects.all(), upto=upto, size=4):
        for row in batch:
            expected += audit.exports.csv_line(row)
            last_hash, count = row[COL["hash"]], count + 1
    expected += audit.exports.csv_line(export_rows.end_row(count, last_hash, "all"))
    assert produced.decode() == expected


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
    next(chunks)  # the rows; then the client goes away and the server closes the stream
    chunks.close()
    row = AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).get()
    assert row.outcome == AuditOutcome.ERROR
    upto = row.seq - 1
    assert f"Exported {upto} audit rows as CSV (all; rows up to #{upto}): interrupted" in (
        row.message
    )


@pytest.mark.django_db
def test_export_reads_in_keyset_batches_without_offset(django_assert_num_queries):
    make_events(25)
    with django_assert_num_queries(4) as captured:  # three batches and the empty fourth
        read = list(export_rows.value_batches(AuditEvent.objects.all(), upto=10**9, size=10))
    assert [len(b) for b in read] == [10, 10, 5]
    seqs = [row[export_rows.SEQ_INDEX] for batch in read for row in batch]
    assert seqs == sorted(seqs) and len(set(seqs)) == 25
    assert not any("OFFSET" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.django_db
def test_csv_lines_come_in_keyset_blocks_of_text_in_seq_order():
    """Each block is one statement: its rows' lines joined by the database in seq order
    (not the table's: here the last rows' ids run backwards), with the last row's seq and
    hash."""
    make_events(22)
    top = AuditEvent.objects.order_by("-pk").first()
    backwards = [
        AuditEvent(
            **{**_stored(top), "pk": top.pk + 10 - i, "seq": top.seq + 1 + i, "hash": f"{i:064x}"}
        )
        for i in range(3)
    ]
    AuditEvent.objects.bulk_create(backwards)
    with CaptureQueriesContext(connection) as captured:
        blocks = list(export_rows.line_blocks(AuditEvent.objects.all(), upto=10**9, size=10))
    reads = [q["sql"] for q in captured.captured_queries if "PRAGMA" not in q["sql"]]
    assert len(reads) == 4  # three blocks and the empty fourth
    assert not any("OFFSET" in sql.upper() for sql in reads)
    assert [b.rows for b in blocks] == [10, 10, 5]
    rows = [r for b in blocks for r in csv.reader(io.StringIO(b.text + "\n"))]
    seqs = [int(r[COL["seq"]]) for r in rows]
    assert seqs == list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs[-3:] == [top.seq + 1, top.seq + 2, top.seq + 3]
    assert [b.last_seq for b in blocks] == [seqs[9], seqs[19], seqs[24]]
    assert [b.last_hash for b in blocks] == [rows[i][COL["hash"]] for i in (9, 19, 24)]


def _stored(event: AuditEvent) -> dict:
    return {f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_blocks_read_with_a_larger_page_cache_and_give_the_connection_its_own_back():
    make_events(3)

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default
    before = cache_size()
    blocks = export_rows.line_blocks(AuditEvent.objects.all(), upto=10**9, size=2)
    next(blocks)
    assert cache_size() == -export_rows.EXPORT_CACHE_KIB
    blocks.close()  # a client gone mid-way
    assert cache_size() == before


@pytest.mark.django_db
def test_a_filter_through_a_join_or_a_slice_still_exports_its_rows():
    events = make_events(6)
    wanted = [e.seq for e in events[1:4]]
    through_join = AuditEvent.objects.filter(
        Q(assignment__isnull=True) | Q(assignment__status="active"), seq__in=wanted
    )
    assert len(through_join.query.alias_map) == 2  # the filter joins the assignments
    sliced = AuditEvent.objects.filter(seq__in=wanted).order_by("seq")[:2]
    for queryset, expected in ((through_join, wanted), (sliced, wanted[:2])):
        rows = [r for b in export_rows.value_batches(queryset, upto=10**9) for r in b]
        assert [r[export_rows.SEQ_INDEX] for r in rows] == expected
    assert list(export_rows.value_batches(AuditEvent.objects.none(), upto=10**9)) == []


@pytest.mark.django_db
def test_invalid_filter_exports_nothing(manager_client):
    response = manager_client.get(CSV_URL, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).exists()


@pytest.mark.django_db
def test_xlsx_opens_and_holds_the_rows_and_the_end_row(manager_client):
    make_events(3, message="=cmd")
    response = manager_client.get(XLSX_URL, {"action": AuditAction.LOGIN})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert list(rows[0]) == HEADER
    assert len(rows) == 1 + 4 + 1  # header, 3 events + the manager's login, end row
    assert rows[2][COL["message"]] == "'=cmd 0"
    assert isinstance(rows[2][COL["Time (UTC)"]], datetime)
    assert isinstance(rows[2][COL["seq"]], int)
    end = rows[-1]
    assert end[COL["Action"]] == "End of export" and end[COL["message"]].startswith("4 rows")
    assert end[COL["prev_hash"]] == rows[-2][COL["hash"]]
    assert "as XLSX" in AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT).message


@pytest.mark.django_db
def test_xlsx_refuses_past_the_row_limit(manager_client, monkeypatch):
    make_events(5)
    monkeypatch.setattr(audit.exports, "XLSX_MAX_ROWS", 6)  # header + 4 rows + end row
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
    assert len(rows) == 3 and rows[1][COL["action"]] == "logout"
    assert rows[-1][COL["Outcome"]] == "Complete"
    assert "export_audit" in AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT).user_agent


@pytest.mark.django_db
def test_command_writes_csv_to_a_text_stream_and_to_a_file(tmp_path):
    make_events(2)
    text = io.StringIO()
    call_command("export_audit", stdout=text)
    target = tmp_path / "audit.csv"
    call_command("export_audit", "--output", str(target))
    streamed = list(csv.reader(io.StringIO(text.getvalue().lstrip("\ufeff"))))
    written = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert len(streamed) == 1 + 2 + 1 and len(written) == 1 + 3 + 1  # the first export's row
    assert not (tmp_path / "audit.csv.partial").exists()


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
    monkeypatch.setattr(
        audit.chain.timezone, "now", lambda: datetime(2025, 1, 31, 9, 5, tzinfo=UTC)
    )
    event = audit.record(meta=None, action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)
    monkeypatch.undo()
    rows = _data(_csv(manager_client.get(CSV_URL, {"action": AuditAction.LOGOUT})))
    row = next(r for r in rows if r[COL["seq"]] == str(event.seq))
    assert row[COL["created_at"]] == "2025-01-31T09:05:00.000000+00:00"
    assert row[COL["Time (UTC)"]] == "2025-01-31T09:05:00"
