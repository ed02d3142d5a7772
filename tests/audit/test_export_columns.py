"""Exports an accountant opens without cleaning: the demo data's CSV and XLSX read back with
the csv module and openpyxl, one event per row, every row as wide as the header, each
column of the type it promises."""

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from licensing import audit
from licensing.audit import export_rows
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer, LicenseAssignment

HEADER = list(export_rows.HEADER)
COL = {name: i for i, name in enumerate(HEADER)}
READABLE = [
    "Time (UTC)",
    "Staff member",
    "Action",
    "Outcome",
    "Customer code",
    "Customer name",
    "Licence code",
    "Licence label",
    "Licence id",
    "Amount",
    "Currency",
]
ACTION_WORDS = {str(label) for _, label in AuditAction.choices}
OUTCOME_WORDS = {str(label) for _, label in AuditOutcome.choices}


@pytest.fixture
def demo(db):
    call_command(
        "seed_demo", customers=30, assignments=120, events=400, seed=11, stdout=io.StringIO()
    )
    # One event for a customer code that is not registered here: its name stays empty.
    audit.record(
        meta=None,
        action=AuditAction.CUSTOMER_REGISTER,
        outcome=AuditOutcome.INVALID,
        customer_code=987_654_321,
    )
    return AuditEvent.objects.count()


def _export(tmp_path, fmt):
    path = tmp_path / f"audit.{fmt}"
    call_command("export_audit", "--format", fmt, "--output", str(path), stderr=io.StringIO())
    return path


def _expected_by_seq():
    names = dict(Customer.objects.values_list("customer_code", "name"))
    licences = {a.pk: a for a in LicenseAssignment.objects.all()}
    return {
        event.seq: (event, names.get(event.customer_code, ""), licences.get(event.assignment_id))
        for event in AuditEvent.objects.all()
    }


def test_the_csv_reads_back_typed_and_rectangular(demo, tmp_path):
    with _export(tmp_path, "csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, data, end = rows[0], rows[1:-1], rows[-1]
    assert header[: len(READABLE)] == READABLE
    assert header[len(READABLE) :] == list(audit.hashing.EXPORT_COLUMNS)
    assert {len(row) for row in rows} == {len(header)}
    assert len(data) == demo  # one row per event
    assert end[COL["Action"]] == "End of export" and end[COL["message"]].startswith(f"{demo} ")

    expected = _expected_by_seq()
    amounts = 0
    for row in data:
        event, name, licence = expected[int(row[COL["seq"]])]
        moment = datetime.fromisoformat(row[COL["Time (UTC)"]])
        assert row[COL["Time (UTC)"]] == event.created_at.strftime("%Y-%m-%dT%H:%M:%S")
        assert moment.tzinfo is None  # the column says UTC; a spreadsheet reads it as a time
        assert row[COL["Staff member"]] == event.actor_username
        assert row[COL["Action"]] == AuditAction(event.action).label in ACTION_WORDS
        assert row[COL["Outcome"]] == AuditOutcome(event.outcome).label in OUTCOME_WORDS
        assert row[COL["Customer code"]] == (
            "" if event.customer_code is None else str(event.customer_code)
        )
        assert row[COL["Customer name"]] == name
        if licence is None:
            assert row[COL["Licence code"]] == row[COL["Amount"]] == row[COL["Currency"]] == ""
            continue
        assert row[COL["Licence code"]] == licence.license_code
        assert row[COL["Licence label"]] == licence.license_info
        assert row[COL["Licence id"]] == (licence.license_id or "")
        assert row[COL["Currency"]] == licence.currency
        if licence.amount is None:
            assert row[COL["Amount"]] == ""
        else:
            assert re.fullmatch(r"\d+\.\d\d", row[COL["Amount"]])
            assert Decimal(row[COL["Amount"]]) == licence.amount
            amounts += 1
    assert amounts > 10  # the demo data has paid licences: the column is exercised
    unregistered = [r for r in data if r[COL["Customer code"]] == "987654321"]
    assert [r[COL["Customer name"]] for r in unregistered] == [""]


def test_the_xlsx_has_real_times_and_numbers_a_frozen_header_a_filter_and_widths(demo, tmp_path):
    workbook = openpyxl.load_workbook(_export(tmp_path, "xlsx"))
    sheet = workbook.active
    rows = list(sheet.values)
    header, data, end = rows[0], rows[1:-1], rows[-1]
    assert list(header) == HEADER
    assert len(data) == demo and {len(row) for row in rows} == {len(HEADER)}
    assert end[COL["Action"]] == "End of export"

    assert sheet.freeze_panes == "A2"
    last_column = openpyxl.utils.get_column_letter(len(HEADER))
    assert sheet.auto_filter.ref == f"A1:{last_column}{demo + 1}"  # the end row stays out
    widths = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i, name in enumerate(HEADER)
    }
    assert widths["Customer name"] >= 25 and widths["message"] >= 40
    assert widths["Currency"] < widths["Customer name"]

    expected = _expected_by_seq()
    for row in data:
        seq = row[COL["seq"]]
        assert isinstance(seq, int)
        event, _name, licence = expected[seq]
        assert isinstance(row[COL["Time (UTC)"]], datetime)
        assert row[COL["Time (UTC)"]] == event.created_at.replace(tzinfo=None, microsecond=0)
        assert row[COL["created_at"]] == audit.hashing.iso_utc(event.created_at)  # hashed text
        assert row[COL["Action"]] in ACTION_WORDS and row[COL["Outcome"]] in OUTCOME_WORDS
        code = row[COL["Customer code"]]
        assert code is None if event.customer_code is None else code == event.customer_code
        amount = row[COL["Amount"]]
        if licence is not None and licence.amount is not None:
            assert isinstance(amount, int | float) and Decimal(str(amount)) == licence.amount
        else:
            assert amount is None
    paid = next(i for i, row in enumerate(data) if row[COL["Amount"]] is not None)
    amount_cell = sheet.cell(row=paid + 2, column=COL["Amount"] + 1)
    assert amount_cell.number_format == "0.00"
    time_cell = sheet.cell(row=2, column=COL["Time (UTC)"] + 1)
    assert time_cell.is_date and "yy" in time_cell.number_format
