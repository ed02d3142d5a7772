"""The audit export's columns, and the SQL that reads them in batches or for COPY.

An export row holds what an accountant reads first — time, staff member, action and
outcome in words, customer code and name, licence code, label and id, amount, currency —
then every hashed field and the row's own hash (`hashing.EXPORT_COLUMNS`), so an auditor
can recompute the chain from the file (`export_check`). Customer name and the licence
columns are looked up while exporting (the customer by code, the licence through the
assignment): they help the reader and are not covered by the hash.

The database formats what it formats fast (times, amounts, labels, the CSV line itself),
so Python never looks at a cell on the CSV path:
- `value_batches`: the cells (numbers as integers) for XLSX;
- `line_blocks`: a batch of rows as finished CSV lines joined into one text by the
  database (no Python object per row), CSV-injection guard not yet applied;
- `copy_statement`: what PostgreSQL's COPY writes as CSV, the guard included (in SQL).

The CSV rule is the same on every path: a text cell is written in double quotes (quotes
inside doubled), empty or not; a number cell bare, empty when null; "\\n" ends a row.
"""

import contextlib
import csv
import enum
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, QuerySet
from django.utils import translation

from licensing import texts
from licensing.audit import hashing
from licensing.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
)

BATCH_SIZE = 5000
# Rows per block of CSV text: one statement each. Smaller blocks than XLSX batches keep
# the text (and its guarded copy) small; measured as fast as larger ones.
BLOCK_ROWS = 2000
EXPORT_CACHE_KIB = 16 * 1024  # SQLite's page cache while lines are read (see _roomy_cache)
# A cell starting with one of these is run as a formula (or DDE) by Excel and LibreOffice,
# or (the quote) would be taken for the guard's own prefix when the file is read back.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
END_ACTION = "End of export"
END_OUTCOME = "Complete"
UNFILTERED = "no filter"  # an export's description when it holds every row up to its end


class Cell(enum.Enum):
    TEXT = "text"
    NUMBER = "number"  # an integer, or empty
    TIME = "time"  # "2025-01-31T09:05:00", UTC; a date-time cell in XLSX
    AMOUNT = "amount"  # "12.50"; a number cell in XLSX


@dataclass(frozen=True)
class Column:
    header: str
    cell: Cell
    width: int  # in an XLSX sheet, in characters
    source: str  # a hashed field, or one of the readable cells of `_readable`


READABLE_COLUMNS: tuple[Column, ...] = (
    Column("Time (UTC)", Cell.TIME, 19, "time"),
    Column("Staff member", Cell.TEXT, 16, "actor_username"),
    Column("Action", Cell.TEXT, 24, "action_label"),
    Column("Outcome", Cell.TEXT, 18, "outcome_label"),
    Column("Customer code", Cell.NUMBER, 14, "customer_code"),
    Column("Customer name", Cell.TEXT, 30, "customer_name"),
    Column("Licence code", Cell.TEXT, 16, "license_code"),
    Column("Licence label", Cell.TEXT, 20, "license_label"),
    Column("Licence id", Cell.TEXT, 18, "license_id"),
    Column("Amount", Cell.AMOUNT, 11, "amount"),
    Column("Currency", Cell.TEXT, 9, "currency"),
)
_HASHED_WIDTHS = {"created_at": 33, "user_agent": 30, "message": 50, "sent": 30, "answer": 30}
HASHED_COLUMNS: tuple[Column, ...] = tuple(
    Column(
        name,
        Cell.NUMBER if hashing.HASHED_FIELDS.get(name) is hashing.Kind.NUMBER else Cell.TEXT,
        _HASHED_WIDTHS.get(name, 14),
        name,
    )
    for name in hashing.EXPORT_COLUMNS
)
COLUMNS: tuple[Column, ...] = READABLE_COLUMNS + HASHED_COLUMNS
HEADER: tuple[str, ...] = tuple(column.header for column in COLUMNS)
SEQ_INDEX = HEADER.index("seq")
HASH_INDEX = HEADER.index("hash")
TEXT_INDEXES: tuple[int, ...] = tuple(
    i for i, column in enumerate(COLUMNS) if column.cell is not Cell.NUMBER
)


def guard(value: str) -> str:
    """`value` as a cell holds it: a text a spreadsheet would run gets a ' in front."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unguard(value: str) -> str:
    """The value a guarded cell stood for: exactly one leading ' removed, if any."""
    return value[1:] if value.startswith("'") else value


def last_cell(line: str) -> str:
    """The last cell of one CSV line, as written (the hash, in an export row)."""
    return next(csv.reader(io.StringIO(line)))[-1]


@dataclass(frozen=True)
class Block:
    """Consecutive export rows as CSV text: lines joined by "\\n", without the last one's."""

    text: str
    rows: int
    last_seq: int
    last_hash: str  # the last row's hash, as stored


@dataclass
class Progress:
    """How far a CSV body got: rows written, and the hash of the last one."""

    rows: int = 0
    last_hash: str = ""


def end_row(rows: int, last_hash: str, description: str) -> list[str | None]:
    """The export's last row, with the same columns as the others: it says the file is
    whole — how many rows, with what filter (`UNFILTERED` for every row), and (as its
    `prev_hash`) the hash of the last one."""
    cells: list[str | None] = [None] * len(COLUMNS)
    cells[HEADER.index("Action")] = END_ACTION
    cells[HEADER.index("Outcome")] = END_OUTCOME
    with translation.override("en"):  # a lazy description, in English like the file
        cells[HEADER.index("message")] = f"{rows} rows exported ({description}), complete."
    cells[HEADER.index("prev_hash")] = last_hash
    return cells


@dataclass(frozen=True)
class _Select:
    """`SELECT … FROM … WHERE …` over the audit table (named as such) and its joins."""

    using: str
    vendor: str
    cells: list[str]
    source: str  # FROM … WHERE …
    params: tuple
    seq: str  # the seq column, for keyset batches and ORDER BY
    hash: str  # the hash column


def value_batches(
    events: QuerySet[AuditEvent], *, upto: int, size: int = BATCH_SIZE
) -> Iterator[list[tuple]]:
    """`events` up to seq `upto`, oldest first, as batches of tuples in `COLUMNS` order:
    numbers as integers (or None), everything else as text (or None)."""
    select = _select(events, upto)
    if select is None:
        return
    yield from _batches(select, select.cells, SEQ_INDEX, size)


def line_blocks(
    events: QuerySet[AuditEvent], *, upto: int, size: int = BLOCK_ROWS
) -> Iterator[Block]:
    """`events` up to seq `upto`, oldest first, as blocks of at most `size` rows whose CSV
    lines the database builds and joins; cells are not yet guarded against CSV injection."""
    select = _select(events, upto)
    if select is None:
        return
    connection = connections[select.using]
    if select.vendor == "postgresql":
        joined = (
            "string_agg(line, chr(10) ORDER BY s), count(*), max(s), "
            "(array_agg(h ORDER BY s DESC))[1]"
        )
    else:
        # SQLite joins the rows in the order the subquery gives them (seq, as its LIMIT
        # needs), and a bare column beside max() comes from the row holding the max.
        joined = "group_concat(line, char(10)), count(*), max(s), h"
    sql = (
        f"SELECT {joined} FROM (SELECT {_line(select)} AS line, {select.seq} AS s, "  # noqa: S608
        f"{select.hash} AS h {select.source} AND {select.seq} > %s "
        f"ORDER BY {select.seq} LIMIT %s) AS block"
    )
    last = 0
    with _roomy_cache(connection):
        while True:
            with connection.cursor() as cursor:
                cursor.execute(sql, (*select.params, last, size))
                text, rows, last, last_hash = cursor.fetchone()
            if not rows:
                return
            yield Block(text=text, rows=rows, last_seq=last, last_hash=last_hash or "")


@contextlib.contextmanager
def _roomy_cache(connection) -> Iterator[None]:
    """SQLite: a 16 MiB page cache on this connection while the blocks are read (the
    default 2 MiB makes the customer and licence look-ups read pages from the OS again
    and again: a fifth of the time at 1,000,000 rows), the connection's own size after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
    if not -EXPORT_CACHE_KIB < before < 0:  # a size in pages, or a larger one: as chosen
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = {-EXPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def copy_statement(events: QuerySet[AuditEvent], *, upto: int) -> tuple[str, tuple] | None:
    """PostgreSQL's `COPY (SELECT …) TO STDOUT` of `events` up to seq `upto`, guard and
    quoting done by the database, and its parameters; None when nothing can match."""
    select = _select(events, upto, guarded=True)
    if select is None:
        return None
    cells = ", ".join(
        f"COALESCE({cell}, '') AS c{i}" if i in TEXT_INDEXES else f"{cell} AS c{i}"
        for i, cell in enumerate(select.cells)
    )
    quoted = ", ".join(f"c{i}" for i in TEXT_INDEXES)
    sql = (
        f"COPY (SELECT {cells} {select.source} ORDER BY {select.seq}) "  # noqa: S608
        f"TO STDOUT WITH (FORMAT csv, FORCE_QUOTE ({quoted}))"
    )
    return sql, select.params


def reference_select(events: QuerySet[AuditEvent], *, upto: int) -> tuple[str, tuple] | None:
    """The export's SELECT as one ordered statement, cells unguarded, and its parameters:
    what the benchmark has the database's own CSV tool run, for a fair comparison."""
    select = _select(events, upto)
    if select is None:
        return None
    sql = f"SELECT {', '.join(select.cells)} {select.source} ORDER BY {select.seq}"  # noqa: S608
    return sql, select.params


def _batches(select: _Select, cells: list[str], seq_index: int, size: int):
    # Keyset batches (`seq > last ORDER BY seq LIMIT n`): each one short indexed query,
    # memory holds one batch, and no cursor or transaction stays open between batches.
    sql = (
        f"SELECT {', '.join(cells)} {select.source} AND {select.seq} > %s "  # noqa: S608
        f"ORDER BY {select.seq} LIMIT %s"
    )
    connection = connections[select.using]
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, (*select.params, last, size))
            batch = cursor.fetchall()
        if not batch:
            return
        yield batch
        last = batch[-1][seq_index]


def _select(events: QuerySet[AuditEvent], upto: int, *, guarded: bool = False) -> _Select | None:
    """The export's cells for `events` up to `upto`; None when the filter matches nothing.
    `guarded`: with the CSV-injection guard in SQL (PostgreSQL only).

    The filter is the queryset's own WHERE, compiled by Django over the bare audit table,
    so the joins for the readable columns are plain LEFT JOINs (the ORM would read a
    customer's name, which has no foreign key, through one subquery per row).
    """
    table = AuditEvent._meta.db_table
    query = None if events.query.is_sliced else events.filter(seq__lte=upto).query
    if query is None or set(query.alias_map) != {table} or query.distinct:
        # A filter through a join, or a slice: narrow by the rows it matches instead.
        matching = events.values("pk")
        query = AuditEvent.objects.filter(pk__in=matching, seq__lte=upto).query
    connection = connections[events.db]
    compiler = query.get_compiler(connection=connection)
    try:
        where, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    qn = connection.ops.quote_name
    event = qn(table)
    # A column's expression has no parameters of its own.
    iso, _ = compiler.compile(hashing.IsoUtc(F("created_at")).resolve_expression(query))
    sql_guard = _pg_guard if guarded else _unguarded
    readable = _readable(connection.vendor, sql_guard)
    cells = [
        readable[column.source]
        if column in READABLE_COLUMNS
        else _hashed(column.source, qn, connection.vendor, sql_guard)
        for column in COLUMNS
    ]
    cells = [cell.format(e=event, iso=iso) for cell in cells]
    source = (
        f"FROM {event} "
        f"LEFT JOIN {qn(Customer._meta.db_table)} c ON c.customer_code = {event}.customer_code "
        f"LEFT JOIN {qn(LicenseAssignment._meta.db_table)} a ON a.id = {event}.assignment_id "
        f"WHERE ({where})"
    )
    return _Select(
        using=events.db,
        vendor=connection.vendor,
        cells=cells,
        source=source,
        params=tuple(params),
        seq=f"{event}.seq",
        hash=f"{event}.hash",
    )


# Which cells the SQL guard covers: every text a person or the vendor wrote, and the codes
# behind the labels. Not the cells the database formats from typed columns — times
# (digits first), amounts (numeric, never negative: a check constraint) and addresses
# (inet) — which cannot start with a character the guard is for. `exports.guard_lines`
# (the Python path) checks every text cell, and both give the same bytes.


def _hashed(name: str, qn, vendor: str, sql_guard) -> str:
    kind = hashing.HASHED_FIELDS.get(name)
    if kind is hashing.Kind.TIME:
        return "{iso}"
    if kind is hashing.Kind.IP and vendor == "postgresql":
        # inet as its output function writes it (what Django reads), unlike a text cast,
        # which adds the netmask ("/32").
        return "abbrev({e}." + qn(name) + ")"
    column = "{e}." + qn(name)
    return column if kind is hashing.Kind.NUMBER else sql_guard(column)


def _readable(vendor: str, sql_guard) -> dict[str, str]:
    if vendor == "postgresql":
        amount = "a.amount::text"  # numeric(12, 2): always two decimals
    else:
        amount = "CASE WHEN a.amount IS NULL THEN NULL ELSE printf('%%.2f', a.amount) END"
    if vendor == "postgresql":
        time = "TO_CHAR({e}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    else:  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        time = "REPLACE(SUBSTR({e}.created_at, 1, 19), ' ', 'T')"
    return {
        "time": time,
        "actor_username": sql_guard("{e}.actor_username"),
        "action_label": _labels("{e}.action", AuditAction.choices, sql_guard),
        "outcome_label": _labels("{e}.outcome", AuditOutcome.choices, sql_guard),
        "customer_code": "{e}.customer_code",
        "customer_name": sql_guard("c.name"),
        "license_code": sql_guard("a.license_code"),
        "license_label": sql_guard("a.license_info"),
        "license_id": sql_guard("a.license_id"),
        "amount": amount,
        "currency": sql_guard("a.currency"),
    }


def _labels(column: str, choices: Sequence[tuple[str, texts.StrOrPromise]], sql_guard) -> str:
    """A CASE giving each code's label in English (an unknown code as it is)."""
    # Our labels start with a letter; guarded all the same when the SQL guards. English
    # whatever the request's language: an export's bytes never depend on who asked.
    with translation.override("en"):
        labels = [
            (code, str(label) if sql_guard is _unguarded else guard(str(label)))
            for code, label in choices
        ]
    whens = " ".join(f"WHEN {_literal(code)} THEN {_literal(label)}" for code, label in labels)
    return f"CASE {column} {whens} ELSE {sql_guard(column)} END"


def _unguarded(cell: str) -> str:
    return cell


def _literal(text: str) -> str:
    # Our own labels, not input; quoted for SQL, and % doubled for the driver's paramstyle.
    # Braces are doubled too: the cells go through str.format once.
    escaped = text.replace("'", "''").replace("%", "%%").replace("{", "{{").replace("}", "}}")
    return f"'{escaped}'"


def _line(select: _Select) -> str:
    """SQL for the row as one CSV line (text quoted, numbers bare), without its "\\n"."""
    if select.vendor == "sqlite":
        # printf is SQLite's fastest way to build a string from many; %w doubles quotes.
        formats, args = [], []
        for i, cell in enumerate(select.cells):
            if i in TEXT_INDEXES:
                formats.append('"%%w"')
                # %w writes NULL as "(NULL)"; IFNULL only where there can be one.
                args.append(cell if _never_null(COLUMNS[i]) else f"IFNULL({cell}, '')")
            else:
                formats.append("%%s")
                args.append(f"CAST({cell} AS INTEGER)")
        return f"printf('{','.join(formats)}', {', '.join(args)})"
    parts = [
        f"""'"' || REPLACE(COALESCE({cell}, ''), '"', '""') || '"'"""
        if i in TEXT_INDEXES
        else f"COALESCE(({cell})::text, '')"
        for i, cell in enumerate(select.cells)
    ]
    return " || ',' || ".join(parts)


def _never_null(column: Column) -> bool:
    if column in READABLE_COLUMNS:
        return column.source in ("time", "actor_username", "action_label", "outcome_label")
    return hashing.HASHED_FIELDS.get(column.source) is hashing.Kind.TIME or not (
        AuditEvent._meta.get_field(column.source).null
    )


def _pg_guard(cell: str) -> str:
    """SQL for `cell` with the CSV-injection guard: a quote before a dangerous start.

    `ascii` (the first character's code, 0 for "") costs nothing per row; taking the first
    character as text (LEFT) cost 0.2 s per column at 1,000,000 rows."""
    codes = ", ".join(str(ord(char)) for char in FORMULA_START)
    return f"CASE WHEN ascii({cell}) IN ({codes}) THEN chr(39) || {cell} ELSE {cell} END"
