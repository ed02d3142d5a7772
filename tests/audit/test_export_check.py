"""`manage.py verify_audit --export FILE`: an export (CSV or XLSX) checked from its own rows,
the first row that does not match named; the CSV-injection guard undone exactly."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from licensing import audit
from licensing.audit import export_check, export_rows
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import make_assignment, make_customer, make_events

COL = {name: i for i, name in enumerate(export_rows.HEADER)}
TRICKY = [
    "=cmd|' /C calc'!A0",
    "'=cmd|' /C calc'!A0",
    "''two quotes",
    "+1",
    "-2",
    "@SUM(A1)",
    "\ttab",
    "\rcarriage return",
    'a "quoted", comma',
    "two\nlines",
    "crlf\r\nend",
    "ünïcödé €",
    "_x000D_ written as such",  # what XLSX uses to escape a CR, as plain text
    "",
]


@given(st.text())
def test_the_guard_is_undone_exactly(text):
    guarded = export_rows.guard(text)
    assert export_rows.unguard(guarded) == text
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


def _trail(manager_user):
    customer = make_customer(name="=Evil & Co")
    assignment = make_assignment(customer=customer, license_info="-label")
    for i, text in enumerate(TRICKY):
        audit.record(
            meta=audit.RequestMeta(user=manager_user, ip="10.0.0.9", user_agent=text),
            action=AuditAction.LICENSE_ASSIGN if i % 2 else AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.SUCCESS if i % 2 else AuditOutcome.DENIED,
            customer_code=customer.customer_code if i % 3 else 999_999_999,
            assignment=assignment if i % 2 else None,
            message=text,
            sent={"note": text} if text else None,
        )


def _export(path, **options):
    call_command("export_audit", "--output", str(path), *_flags(options))
    return path


def _flags(options):
    return [part for key, value in options.items() for part in (f"--{key}", str(value))]


def _verify(path):
    out = io.StringIO()
    call_command("verify_audit", "--export", str(path), stdout=out)
    return out.getvalue()


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _write(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_round_trips_through_verify_audit(tmp_path, manager_user, fmt):
    _trail(manager_user)
    path = tmp_path / f"audit.{fmt}"
    call_command("export_audit", "--format", fmt, "--output", str(path))
    out = _verify(path)
    assert "matches the chain" in out
    rows = audit.queries.audit_last_seq() - 1  # every row but the export's own
    assert f"{rows} row(s) match their hashes, {rows - 1} link(s)" in out


@pytest.mark.django_db
def test_a_filtered_export_verifies_across_its_gaps(tmp_path, manager_user):
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv", action="license_assign")
    out = _verify(path)
    rows = AuditEvent.objects.filter(action=AuditAction.LICENSE_ASSIGN).count()
    assert rows > 3
    assert f"{rows} row(s) match their hashes, 0 link(s)" in out and f"{rows} gap(s)" in out


@pytest.mark.django_db
def test_an_edited_cell_is_named_by_its_row(tmp_path, manager_user):
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv")
    rows = _rows(path)
    rows[5][COL["message"]] = "nothing to see"
    _write(path, rows)
    with pytest.raises(CommandError, match=r"Row #5 \(row 6 of the file\): its content"):
        _verify(path)


@pytest.mark.django_db
def test_a_removed_row_breaks_the_link_of_the_next(tmp_path, manager_user):
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv")
    rows = _rows(path)
    del rows[4]
    _write(path, rows)
    with pytest.raises(CommandError, match=r"Row #5 \(row 5 of the file\): row #4 before it"):
        _verify(path)


@pytest.mark.django_db
def test_an_unguarded_formula_no_longer_matches(tmp_path, manager_user):
    # Someone "cleaning" the file by removing the guard's quote changes the row.
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv")
    rows = _rows(path)
    line = next(i for i, r in enumerate(rows) if r[COL["message"]] == "'''two quotes")
    rows[line][COL["message"]] = rows[line][COL["message"]][1:]
    _write(path, rows)
    with pytest.raises(CommandError, match=rf"\(row {line + 1} of the file\): its content"):
        _verify(path)


@pytest.mark.django_db
def test_a_readable_cell_that_disagrees_with_the_hashed_ones_is_named(tmp_path, manager_user):
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv")
    rows = _rows(path)
    rows[3][COL["Outcome"]] = "Success"
    _write(path, rows)
    with pytest.raises(CommandError, match=r"Row #3 .*“Outcome” says “Success”"):
        _verify(path)


@pytest.mark.django_db
def test_a_file_cut_short_or_padded_is_refused(tmp_path, manager_user):
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv")
    rows = _rows(path)
    _write(path, rows[:-1])
    with pytest.raises(CommandError, match="ends without its end-of-export row"):
        _verify(path)
    _write(path, rows[:-3] + rows[-1:])
    with pytest.raises(CommandError, match="end-of-export row .* rows were added or removed"):
        _verify(path)
    _write(path, [*rows, rows[3]])
    with pytest.raises(CommandError, match="comes after the end-of-export row"):
        _verify(path)


@pytest.mark.django_db
def test_an_edited_xlsx_cell_is_named(tmp_path, manager_user):
    _trail(manager_user)
    path = tmp_path / "audit.xlsx"
    call_command("export_audit", "--format", "xlsx", "--output", str(path))
    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(row=8, column=COL["customer_code"] + 1, value=1234)
    workbook.save(path)
    with pytest.raises(CommandError, match=r"Row #7 \(row 8 of the file\): its content"):
        _verify(path)


@pytest.mark.django_db
def test_rows_written_under_another_key_do_not_match(tmp_path, manager_user, settings):
    _trail(manager_user)
    path = _export(tmp_path / "audit.csv")
    settings.AUDIT_HMAC_KEY = "another key, as an attacker without ours would use" * 2
    with pytest.raises(CommandError, match=r"Row #\d+ \(row \d+ of the file\): its content"):
        _verify(path)


@pytest.mark.django_db
def test_a_file_that_is_not_an_export_gets_a_message(tmp_path):
    not_csv = tmp_path / "notes.txt"
    not_csv.write_text("hello")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    for path, message in (
        (not_csv, "expected a .csv or .xlsx file"),
        (other, "not an audit export"),
        (broken, "not a readable XLSX file"),
        (tmp_path / "missing.csv", "Cannot read"),
    ):
        with pytest.raises(CommandError, match=message):
            _verify(path)


def test_check_rows_reads_cells_as_a_sheet_gives_them():
    with pytest.raises(export_check.ExportUnreadable, match="empty"):
        export_check.check_rows(iter([]))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_output_that_cannot_be_written_is_a_clear_error_and_leaves_nothing(tmp_path, fmt):
    make_events(3)
    missing = tmp_path / "no-such-folder" / f"audit.{fmt}"
    with pytest.raises(CommandError, match="Cannot write .*No such file or directory"):
        call_command("export_audit", "--format", fmt, "--output", str(missing))
    assert not any(tmp_path.rglob("*.partial"))
