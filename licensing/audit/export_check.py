"""Checking an exported audit file (CSV or XLSX) against the chain, from the file alone.

For every row the hash is recomputed from the row's own hashed cells with
`hashing.digest` — keyed, so the check needs the portal's AUDIT_HMAC_KEY, and a row a
person without the key edited, added or removed does not match. Between two rows whose
seq follow each other the link (`prev_hash` = the previous row's hash) is checked too; a
filtered export has gaps, where the link cannot be checked from the file. The readable
cells that repeat a hashed one (time, staff member, action, outcome, customer code) must
agree with it; customer name, licence, amount and currency are looked up when exporting
and are not covered by the hash. The end-of-export row must be there and count the rows.

`check_file` stops at the first row that does not match and names it.
"""

import csv
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from licensing.audit import export_rows, hashing
from licensing.models import AuditAction, AuditOutcome


class ExportUnreadable(Exception):
    """The file cannot be read as an audit export (missing, another format, no header)."""


@dataclass(frozen=True)
class ExportCheck:
    rows: int  # data rows whose hash matched (all of them when `problem` is None)
    links: int  # links between consecutive rows checked
    gaps: int  # places where rows were left out (by the export's filter)
    problem: str | None = None  # the first row that does not match, in words

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Mismatch(Exception):
    pass


def check_file(path: Path) -> ExportCheck:
    """Check the export at `path` (by its extension: .csv or .xlsx).

    Raises ExportUnreadable when it is not an export at all.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExportUnreadable(f"{path.name}: expected a .csv or .xlsx file.")
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return check_rows(csv.reader(handle))
        return _check_xlsx(path)
    except OSError as exc:
        raise ExportUnreadable(f"Cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ExportUnreadable(f"{path.name} is not a readable CSV file: {exc}") from None


def _check_xlsx(path: Path) -> ExportCheck:
    # openpyxl is only needed here: not imported with the portal.
    import openpyxl
    from openpyxl.utils.escape import unescape

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExportUnreadable(f"{path.name} is not a readable XLSX file: {exc}") from None
    # The sheet's text is OOXML-escaped (a control character as _x000D_, a literal
    # "_x000D_" as _x005F_x000D_), which spreadsheets undo and openpyxl does not.
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    try:
        return check_rows(
            tuple(unescape(cell) if isinstance(cell, str) else cell for cell in row) for row in rows
        )
    finally:
        workbook.close()


def check_rows(rows: Iterator[Sequence[Any]]) -> ExportCheck:
    """Check an export given as its rows (the header first), as cells (text, or the
    numbers and date-times an XLSX sheet holds)."""
    header = next(rows, None)
    if header is None:
        raise ExportUnreadable("The file is empty.")
    names = [str(name or "") for name in header]
    missing = [name for name in hashing.EXPORT_COLUMNS if name not in names]
    if missing:
        raise ExportUnreadable(
            "This is not an audit export: it has no column "
            + ", ".join(f"“{name}”" for name in missing[:3])
            + ("…" if len(missing) > 3 else "")
            + "."
        )
    where = {name: names.index(name) for name in names if name}
    walk = _Walk()
    for line, cells in enumerate(rows, start=2):
        row = _Row(cells, where, line)
        if not row.has_content():
            continue
        if row.is_end():
            return walk.end(row, rows)
        try:
            walk.step(row)
        except _Mismatch as exc:
            label = f"Row #{row.raw('seq')}" if row.looks_numbered() else "A row"
            return walk.result(f"{label} (row {line} of the file): {exc}.")
    return walk.result(
        "The file ends without its end-of-export row: it was cut short, or the row removed."
    )


class _Walk:
    """The rows read so far: how many matched, the links checked, the first gap."""

    def __init__(self):
        self.matched, self.links, self.gaps = 0, 0, 0
        self.seq: int | None = None
        self.hash = ""
        self.first_gap = ""  # the row after the first gap, in words

    def result(self, problem: str | None = None) -> ExportCheck:
        return ExportCheck(self.matched, self.links, self.gaps, problem)

    def step(self, row: "_Row") -> None:
        seq = row.number("seq")
        if seq is None or (self.seq is not None and seq <= self.seq):
            raise _Mismatch("it is out of order (seq must grow down the file)")
        content = {name: row.canonical(name, kind) for name, kind in hashing.HASHED_FIELDS.items()}
        if hashing.digest(content) != row.text("hash"):
            raise _Mismatch(
                "its content does not match its hash (changed after it was written, "
                "or exported from another trail)"
            )
        follows = seq == (self.seq or 0) + 1
        if follows and self.seq is not None and content["prev_hash"] != self.hash:
            raise _Mismatch("its link to the row before is broken (a row removed or changed)")
        if seq == 1 and content["prev_hash"] != hashing.GENESIS_HASH:
            raise _Mismatch("it is the first row but does not start the chain")
        row.check_readable(content)
        if not follows:
            self.gaps += 1
            if not self.first_gap:
                missing = f"#{(self.seq or 0) + 1}" + (
                    f"–#{seq - 1}" if seq > (self.seq or 0) + 2 else ""
                )
                self.first_gap = f"Row #{seq} (row {row.line} of the file): row {missing} before it"
        elif self.seq is not None:
            self.links += 1
        self.matched += 1
        self.seq, self.hash = seq, row.text("hash")

    def end(self, row: "_Row", rows: Iterator[Sequence[Any]]) -> ExportCheck:
        message = row.text("message")
        if self.first_gap and f"({export_rows.UNFILTERED})" in message:
            return self.result(f"{self.first_gap} is missing, and the export was not filtered.")
        if message.split(" ", 1)[0] != str(self.matched) or row.text("prev_hash") != self.hash:
            return self.result(
                f"The end-of-export row (row {row.line} of the file) says “{message}” and "
                f"ends on hash {row.text('prev_hash') or 'none'}, but the file holds "
                f"{self.matched} rows ending on {self.hash or 'none'}: rows were added or removed."
            )
        for line, cells in enumerate(rows, start=row.line + 1):
            if _Row(cells, row.where, line).has_content():
                return self.result(f"Row {line} of the file comes after the end-of-export row.")
        return self.result()


class _Row:
    """One row of the file, its cells read by column name."""

    def __init__(self, cells: Sequence[Any], where: dict[str, int], line: int):
        self.cells, self.where, self.line = cells, where, line

    def raw(self, name: str) -> Any:
        index = self.where.get(name)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def has_content(self) -> bool:
        return any(cell not in (None, "") for cell in self.cells)

    def is_end(self) -> bool:
        return self.raw("seq") in (None, "") and self.text("Action") == export_rows.END_ACTION

    def looks_numbered(self) -> bool:
        value = self.raw("seq")
        return isinstance(value, int) or (isinstance(value, str) and value.isdigit())

    def text(self, name: str) -> str:
        value = self.raw(name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return export_rows.unguard(str(value))

    def number(self, name: str) -> int | None:
        value = self.raw(name)
        if value in (None, ""):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isascii() and text.isdigit():
            return int(text)
        raise _Mismatch(f"its {name} “{value}” is not a whole number")

    def canonical(self, name: str, kind: hashing.Kind) -> str | int | None:
        if kind is hashing.Kind.NUMBER:
            return self.number(name)
        text = self.text(name)
        if kind is hashing.Kind.TIME:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise _Mismatch(f"its {name} “{text}” is not a time") from None
            if moment.tzinfo is None:
                raise _Mismatch(f"its {name} “{text}” has no time zone")
            return hashing.canonical(kind, moment)
        if kind is hashing.Kind.IP:
            return hashing.canonical(kind, text or None)
        return hashing.canonical(kind, text)

    def check_readable(self, content: dict[str, Any]) -> None:
        """The readable cells that repeat a hashed one must say the same."""
        time = self.raw("Time (UTC)")
        if isinstance(time, datetime):  # a spreadsheet's day fraction: to the nearest second
            shown = (time + timedelta(microseconds=500_000)).replace(microsecond=0).isoformat()
        else:
            shown = self.text("Time (UTC)")
        expected = {
            "Time (UTC)": (shown, str(content["created_at"])[:19]),
            "Staff member": (self.text("Staff member"), content["actor_username"]),
            "Action": (self.text("Action"), _label(AuditAction, content["action"])),
            "Outcome": (self.text("Outcome"), _label(AuditOutcome, content["outcome"])),
            "Customer code": (self.number("Customer code"), content["customer_code"]),
        }
        for column, (value, wanted) in expected.items():
            if column in self.where and value != wanted:
                raise _Mismatch(
                    f"its “{column}” says “{value}” but its hashed fields say “{wanted}”"
                )


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)
