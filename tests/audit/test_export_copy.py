"""The CSV export on PostgreSQL: COPY (quoting and the CSV-injection guard done in SQL)
writes the same bytes as the Python path for the same rows, streams, and stops cleanly."""

import csv
import io

import pytest
from django.db import connection

from licensing import audit
from licensing.audit import export_rows, pg_copy
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import make_assignment, make_customer, user_factory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

COL = {name: i for i, name in enumerate(export_rows.HEADER)}
TRICKY = [
    "=cmd|' /C calc'!A0",
    "'=already quoted",
    "''",
    "'",
    "+1",
    "-2",
    "@SUM(A1)",
    "\ttab",
    "\rcarriage return",
    'a "quoted", comma',
    '"',
    "two\nlines",
    "crlf\r\nend",
    "\\.",
    "ünïcödé € 𝄞",
    "",
    " leading space",
]


def _trail():
    """Rows with every awkward text in every text column, and some empty numbers."""
    for i, text in enumerate(TRICKY):
        customer = make_customer(name=text or "plain", customer_code=800_000 + i)
        assignment = make_assignment(
            customer=customer, license_code=f"C{i}", license_info=text, currency="CHF"
        )
        user = user_factory(username=f"-user{i}" if i % 2 else f"user{i}")
        audit.record(
            meta=audit.RequestMeta(user=user, ip="::1" if i % 2 else "10.1.2.3", user_agent=text),
            action=AuditAction.LICENSE_ASSIGN if i % 3 else "made_up_action",
            outcome=AuditOutcome.UNKNOWN,
            customer_code=customer.customer_code if i % 4 else None,
            assignment=assignment if i % 2 else None,
            message=text,
            sent={"text": text} if text else None,
        )
    audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)


def _both(events, description="test"):
    # Both up to the same row: the first export's own audit row is not in the second.
    events = events.filter(seq__lte=audit.queries.audit_last_seq())
    export = audit.exports.Export(meta=audit.RequestMeta(), events=events, description=description)
    by_copy = b"".join(audit.exports.csv_chunks(export, use_copy=True))
    by_python = b"".join(audit.exports.csv_chunks(export, use_copy=False))
    return by_copy, by_python


def test_copy_and_python_paths_write_the_same_bytes():
    _trail()
    by_copy, by_python = _both(AuditEvent.objects.all())
    assert by_copy == by_python
    rows = list(csv.reader(io.StringIO(by_copy.decode().lstrip("\ufeff"))))
    assert {len(row) for row in rows} == {len(export_rows.HEADER)}
    messages = [audit.exports.unguard(r[COL["message"]]) for r in rows[1:-1]]
    assert messages[: len(TRICKY)] == TRICKY
    guarded = [r[COL["message"]] for r in rows[1:5]]
    assert guarded == ["'=cmd|' /C calc'!A0", "''=already quoted", "'''", "''"]


def test_copy_and_python_paths_agree_under_filters_and_admin_selections():
    _trail()
    ids = list(AuditEvent.objects.order_by("seq").values_list("pk", flat=True)[2:9:3])
    for events in (
        audit.queries.audit_filter(
            filters=audit.queries.AuditFilters(action=AuditAction.LICENSE_ASSIGN)
        ),
        AuditEvent.objects.filter(pk__in=ids),
        AuditEvent.objects.filter(assignment__license_code__startswith="C1"),  # a join
        AuditEvent.objects.none(),
    ):
        by_copy, by_python = _both(events)
        assert by_copy == by_python


def test_the_csv_download_and_the_command_use_copy(manager_client, monkeypatch, capsys):
    _trail()

    def no_python_path(*args, **kwargs):
        raise AssertionError("the Python path was used on PostgreSQL")

    monkeypatch.setattr(export_rows, "line_blocks", no_python_path)
    response = manager_client.get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode()
    end = list(csv.reader(io.StringIO(body)))[-1]
    assert end[COL["message"]] == f"{len(TRICKY) + 2} rows exported (no filter), complete."

    from django.core.management import call_command

    call_command("export_audit", "--action", "login")
    assert "rows exported (action=login), complete." in capsys.readouterr().out


def test_a_copy_left_unfinished_is_cancelled_and_audited(manager_user, monkeypatch):
    _trail()
    monkeypatch.setattr(pg_copy, "CHUNK_BYTES", 1)  # one chunk per row
    export = audit.exports.Export(
        meta=audit.RequestMeta(user=manager_user),
        events=AuditEvent.objects.all(),
        description="all",
    )
    chunks = audit.exports.csv_chunks(export)
    next(chunks)  # header
    next(chunks)  # the first row; then the client goes away
    chunks.close()
    row = AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).get()
    assert row.outcome == AuditOutcome.ERROR
    assert "Exported 1 audit rows as CSV (all; " in row.message
    assert "interrupted" in row.message
    assert audit.verify()[1] is None  # and the connection is usable again


def test_the_reference_statement_is_the_one_copy_runs():
    _trail()
    sql, params = export_rows.copy_statement(AuditEvent.objects.all(), upto=10**9)
    assert sql.startswith("COPY (SELECT ") and "TO STDOUT WITH (FORMAT csv, FORCE_QUOTE (" in sql
    with connection.cursor() as cursor:
        cursor.execute(sql.split("COPY (", 1)[1].rsplit(") TO STDOUT", 1)[0], params)
        rows = cursor.fetchall()
    assert len(rows) == AuditEvent.objects.count()
