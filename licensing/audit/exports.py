"""Audit trail exports an accountant opens without cleaning and an auditor can check.

- CSV, streamed: on PostgreSQL through COPY (`pg_copy`, the database writes the file);
  elsewhere as blocks of lines the database builds (`export_rows.line_blocks`), guarded
  here a block at a time. Both give the same bytes for the same rows.
- XLSX, built in constant memory into a temporary file: date-time and number cells, a
  frozen header, an autofilter and column widths.

Both formats:
- read up to the newest row when the export starts, in keyset batches or one COPY, so
  memory stays flat whatever the trail's length;
- have the columns of `export_rows.COLUMNS`: readable ones, then the hashed fields and
  the hash, so `export_check` (`manage.py verify_audit --export`) can recompute the chain;
- guard cells a spreadsheet would run as a formula, reversibly: a text cell starting with
  = + - @ tab, CR or ' gets one ' in front, and `unguard` strips exactly one on reading;
- end with a row of the same columns: the row count, and the last row's hash as its
  `prev_hash`, so a download cut short is visible to whoever opens it;
- are written in English whatever language the request or the command runs in (labels,
  header, end row): a file's bytes never depend on who asked for it;
- are themselves audited (AUDIT_EXPORT, with the filter and the row count);
- are answered as downloads by `csv_response` and `xlsx_response` (staff pages, admin).
"""

import re
import tempfile
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import xlsxwriter
from django.db import connections
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation

from licensing.audit import chain, export_rows, pg_copy, queries
from licensing.models import AuditAction, AuditEvent, AuditOutcome

BOM = "\ufeff"
# Excel's sheet limit; the header and the end row take two of them.
XLSX_MAX_ROWS = 1_048_576
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = export_rows.FORMULA_START
# Where a guard may be due in CSV text: a quote, then a dangerous character. It is a cell's
# opening quote only after a comma, a newline or at the start (inside a cell every quote
# is doubled), which `guard_lines` checks for each of these rare matches.
_SUSPECT = re.compile("\"[-=+@\t\r']")
_LARGEST_EXACT_FLOAT = 2**53


guard = export_rows.guard
unguard = export_rows.unguard


def guard_lines(text: str) -> str:
    """CSV text (text cells quoted) with every text cell guarded."""
    spots = [
        match.start() + 1
        for match in _SUSPECT.finditer(text)
        if match.start() == 0 or text[match.start() - 1] in ",\n"
    ]
    if not spots:
        return text
    pieces, start = [], 0
    for spot in spots:
        pieces += [text[start:spot], "'"]
        start = spot
    pieces.append(text[start:])
    return "".join(pieces)


def csv_line(cells: Sequence[Any]) -> str:
    """One export row as a CSV line with its "\\n", guarded: what every path writes."""
    text = export_rows.TEXT_INDEXES
    return (
        ",".join(
            '"' + guard("" if value is None else str(value)).replace('"', '""') + '"'
            if i in text
            else ("" if value is None else str(value))
            for i, value in enumerate(cells)
        )
        + "\n"
    )


def header_line() -> str:
    return ",".join(f'"{name}"' for name in export_rows.HEADER) + "\n"


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


def csv_chunks(export: Export, *, use_copy: bool | None = None) -> Generator[bytes, None, None]:
    """The CSV file as UTF-8 chunks: BOM and header at once, then the rows a batch (or a
    COPY chunk) at a time, then the end row. COPY by default on PostgreSQL. In English.

    Audits the export when the generator ends — also when the client goes away mid-way
    (the server closes the generator), then as interrupted with the rows sent so far.
    """
    return in_english(_csv_chunks(export, use_copy=use_copy))


def in_english(chunks: Generator[bytes, None, None]) -> Generator[bytes, None, None]:
    """`chunks`, each one made with English active (and the generator closed so too).

    The language is switched for each step only, never across a `yield`: between two
    chunks the caller's language is back, whichever thread resumes the generator.
    """
    try:
        while True:
            with translation.override("en"):
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return
            yield chunk
    finally:
        with translation.override("en"):
            chunks.close()


def _csv_chunks(export: Export, *, use_copy: bool | None) -> Generator[bytes, None, None]:
    yield (BOM + header_line()).encode()
    upto = queries.audit_last_seq()
    progress = export_rows.Progress()
    complete = False
    try:
        if use_copy is None:
            use_copy = connections[export.events.db].vendor == "postgresql"
        if use_copy:
            yield from pg_copy.csv_rows(export.events, upto=upto, progress=progress)
        else:
            yield from _csv_rows(export.events, upto=upto, progress=progress)
        end = export_rows.end_row(progress.rows, progress.last_hash, export.description)
        yield csv_line(end).encode()
        complete = True
    finally:
        _record(export, "CSV", rows=progress.rows, upto=upto, complete=complete)


def _csv_rows(
    events: QuerySet[AuditEvent], *, upto: int, progress: export_rows.Progress
) -> Iterator[bytes]:
    for block in export_rows.line_blocks(events, upto=upto):
        text = guard_lines(block.text + "\n")
        progress.rows += block.rows
        progress.last_hash = block.last_hash
        yield text.encode()


def xlsx_file(export: Export) -> tuple[IO[bytes], int]:
    """An anonymous temporary file holding the XLSX workbook, rewound, and its row count.

    The file disappears when closed. Raises ExportTooLarge (audited) before writing
    anything when the rows would not fit a sheet. In English, whatever language is active.
    """
    with translation.override("en"):
        return _xlsx_file(export)


def _xlsx_file(export: Export) -> tuple[IO[bytes], int]:
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
        rows = _write_workbook(target, export, upto, total)
    except BaseException:
        target.close()
        raise
    _record(export, "XLSX", rows=rows, upto=upto, complete=True)
    target.seek(0)
    return target, rows


def _write_workbook(target: IO[bytes], export: Export, upto: int, total: int) -> int:
    # constant_memory flushes each row to disk once the next one starts; the string
    # options keep every text a plain text cell, never a formula, number or link.
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd hh:mm:ss",
        },
    )
    sheet = workbook.add_worksheet("Audit trail")
    amount = workbook.add_format({"num_format": "0.00"})
    cells = [column.cell for column in export_rows.COLUMNS]
    for i, column in enumerate(export_rows.COLUMNS):
        fmt = amount if column.cell is export_rows.Cell.AMOUNT else None
        sheet.set_column(i, i, column.width, fmt)
    sheet.write_row(0, 0, export_rows.HEADER, workbook.add_format({"bold": True}))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(total, 1), len(cells) - 1)
    limit = XLSX_MAX_ROWS - 2
    row_no, last_hash = 0, ""
    for batch in export_rows.value_batches(export.events, upto=upto):
        if row_no + len(batch) > limit:  # cannot happen below `upto`; never write past it
            workbook.close()
            raise ExportTooLarge(row_no + len(batch), limit)
        for row in batch:
            row_no += 1
            sheet.write_row(row_no, 0, [_xlsx_cell(c, v) for c, v in zip(cells, row, strict=True)])
        last_hash = batch[-1][export_rows.HASH_INDEX] or ""
    end = export_rows.end_row(row_no, last_hash, export.description)
    sheet.write_row(row_no + 1, 0, [_xlsx_cell(c, v) for c, v in zip(cells, end, strict=True)])
    workbook.close()
    return row_no


def _xlsx_cell(cell: export_rows.Cell, value: Any) -> Any:
    """A value as its XLSX cell: numbers and times as such, text guarded."""
    if value is None or value == "":
        return None
    if cell is export_rows.Cell.NUMBER and isinstance(value, int):
        # A spreadsheet number is a double: a larger integer stays exact only as text.
        return value if abs(value) <= _LARGEST_EXACT_FLOAT else str(value)
    if cell is export_rows.Cell.TIME:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    if cell is export_rows.Cell.AMOUNT:
        try:
            return float(value)
        except ValueError:
            pass
    return guard(str(value))


def csv_response(export: Export) -> StreamingHttpResponse:
    """The export streamed as a CSV download (staff pages and admin)."""
    response = StreamingHttpResponse(csv_chunks(export), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename("csv")}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy must pass the bytes on as they come
    return response


def xlsx_response(export: Export) -> FileResponse:
    """The export as an XLSX download. Raises ExportTooLarge (audited) past a sheet's rows."""
    workbook, _rows = xlsx_file(export)
    response = FileResponse(
        workbook, as_attachment=True, filename=export.filename("xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


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
