"""Audit trail exports: CSV streamed row batch by row batch, XLSX built in constant memory.

Both formats:
- read through `queries.audit_export_rows` (keyset batches by seq), up to the
  newest row when the export starts, so memory stays flat whatever the trail's length;
- write times as ISO 8601 in UTC (the same text the row's hash covers);
- neutralise cells that a spreadsheet would run as a formula (CSV injection);
- end with a summary row — row count, hash of the last exported row, "complete" — so a
  download cut short is visible to whoever opens it;
- are themselves audited (AUDIT_EXPORT, with the filter and the row count).
"""

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from licensing.audit import chain, hashing, queries
from licensing.models import AuditAction, AuditEvent, AuditOutcome

BOM = "\ufeff"
# Excel's sheet limit; the header and the summary row take two of them.
XLSX_MAX_ROWS = 1_048_576
COMPLETE = "complete"
# A cell starting with one of these is run as a formula (or DDE) by Excel and LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(row: Sequence[Any]) -> Sequence[Any]:
    """The row with every text cell a spreadsheet would run as a formula prefixed with '.

    Checked here rather than in SQL: measured faster in Python (most rows come back
    untouched, as the same tuple).
    """
    cells: list[Any] | None = None
    for i in hashing.TEXT_INDEXES:
        value = row[i]
        if value and value.startswith(FORMULA_START):
            if cells is None:
                cells = list(row)
            cells[i] = "'" + value
    return row if cells is None else cells


class ExportTooLarge(Exception):
    """The rows do not fit the format (XLSX's row limit). Already audited when raised."""

    def __init__(self, rows: int, limit: int):
        self.rows = rows
        self.limit = limit
        super().__init__(
            f"This export would have {rows:,} rows, but a spreadsheet holds at most "
            f"{limit:,}. Narrow the filter (a shorter date range, say) or export CSV instead."
        )


@dataclass(frozen=True)
class Export:
    """What to export and on whose behalf. `description` names the filter in the audit row."""

    meta: chain.RequestMeta
    events: QuerySet[AuditEvent]
    description: str

    def filename(self, extension: str) -> str:
        return f"audit-{timezone.now():%Y%m%dT%H%M%SZ}.{extension}"


def summary_row(rows: int, last_hash: str) -> list[str]:
    return ["summary", f"rows={rows}", f"last_hash={last_hash or 'none'}", COMPLETE]


def csv_chunks(export: Export) -> Iterator[str]:
    """The CSV file as text chunks: BOM and header at once, then one chunk per batch.

    Audits the export when the generator ends — also when the client goes away mid-way
    (the server closes the generator), then as interrupted with the rows sent so far.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(hashing.EXPORT_COLUMNS)
    yield BOM + buffer.getvalue()
    upto = queries.audit_last_seq()
    rows, last_hash, complete = 0, "", False
    try:
        for batch in queries.audit_export_rows(events=export.events, upto=upto):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(map(neutralise, batch))
            rows += len(batch)
            last_hash = batch[-1][hashing.HASH_INDEX]
            yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(summary_row(rows, last_hash))
        complete = True
        yield buffer.getvalue()
    finally:
        _record(export, "CSV", rows=rows, upto=upto, complete=complete)


def xlsx_file(export: Export) -> tuple[IO[bytes], int]:
    """An anonymous temporary file holding the XLSX workbook, rewound, and its row count.

    The file disappears when closed. Raises ExportTooLarge (audited) before writing
    anything when the rows would not fit a sheet.
    """
    upto = queries.audit_last_seq()
    total = queries.audit_export_count(events=export.events, upto=upto)
    limit = XLSX_MAX_ROWS - 2
    if total > limit:
        chain.record(
            meta=export.meta,
            action=AuditAction.AUDIT_EXPORT,
            outcome=AuditOutcome.INVALID,
            message=(
                f"Refused XLSX export of {total} audit rows ({export.description}): "
                f"over the spreadsheet limit of {limit} rows."
            ),
        )
        raise ExportTooLarge(total, limit)

    # Handed to the response, which closes (and so deletes) it once sent.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        rows, _last_hash = _write_workbook(target, export, upto)
    except BaseException:
        target.close()
        raise
    _record(export, "XLSX", rows=rows, upto=upto, complete=True)
    target.seek(0)
    return target, rows


def _write_workbook(target: IO[bytes], export: Export, upto: int) -> tuple[int, str]:
    # constant_memory flushes each row to disk once the next one starts; the string
    # options keep every value a plain text cell, never a formula, number or link.
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet("Audit trail")
    sheet.write_row(0, 0, hashing.EXPORT_COLUMNS, workbook.add_format({"bold": True}))
    sheet.freeze_panes(1, 0)
    limit = XLSX_MAX_ROWS - 2
    row_no, last_hash = 0, ""
    for batch in queries.audit_export_rows(events=export.events, upto=upto):
        if row_no + len(batch) > limit:  # cannot happen below `upto`; never write past it
            workbook.close()
            raise ExportTooLarge(row_no + len(batch), limit)
        for row in batch:
            row_no += 1
            sheet.write_row(row_no, 0, neutralise(row))
        last_hash = batch[-1][hashing.HASH_INDEX]
    sheet.write_row(row_no + 1, 0, summary_row(row_no, last_hash))
    workbook.close()
    return row_no, last_hash


def _record(export: Export, fmt: str, *, rows: int, upto: int, complete: bool) -> None:
    if complete:
        outcome, ending = AuditOutcome.SUCCESS, "complete"
    else:
        outcome, ending = AuditOutcome.ERROR, "interrupted before the end"
    chain.record(
        meta=export.meta,
        action=AuditAction.AUDIT_EXPORT,
        outcome=outcome,
        message=(
            f"Exported {rows} audit rows as {fmt} ({export.description}; "
            f"rows up to #{upto}): {ending}."
        ),
    )
