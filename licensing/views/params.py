"""Numbers and dates read from a query string (or an admin filter), in one place.

A query string is whatever anyone types: `?page=²`, `?page=99999999999999999999`,
`?date_from=0001-01-01`. Each of these once reached `int()` or a time-zone conversion and
answered 500. Here a number is ASCII digits only (`str.isdigit()` also accepts "²", which
`int()` refuses) and bounded, and a date is clamped to days every time zone can shift
without leaving what Python's `datetime` and the database can hold. Anything else is
"not given": the page shows its default instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.utils.dateparse import parse_date, parse_datetime

# The largest value a signed 64-bit column holds (PositiveBigIntegerField is one).
BIGINT_MAX = 2**63 - 1
# Page numbers beyond this are answered as this page (lists clamp deeper pages anyway).
PAGE_MAX = 10_000
# One day inside Python's range at both ends: a day shifted by any time zone (at most
# ±14 h), or the day after the last one, still exists.
EARLIEST_DAY = date.min + timedelta(days=1)
LATEST_DAY = date.max - timedelta(days=1)


def whole_number(
    raw: object, *, default: int | None = None, minimum: int = 0, maximum: int = BIGINT_MAX
) -> int | None:
    """`raw` as an int when it is ASCII digits within [minimum, maximum], else `default`.

    Never raises: "", "-1", "1e3", " 7", "²" and 20-digit numbers all give `default`.
    """
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        return default
    if len(raw) > len(str(maximum)):  # no int() of a million digits
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


def number(
    query: Mapping[str, str], name: str, *, default: int | None = None, maximum: int = BIGINT_MAX
) -> int | None:
    """The whole number `query[name]` (e.g. `request.GET`), or `default`."""
    return whole_number(query.get(name), default=default, maximum=maximum)


def page_number(query: Mapping[str, str], name: str = "page", *, maximum: int = PAGE_MAX) -> int:
    """A 1-based page number from `query[name]`: 1 when absent or unreadable, at most
    `maximum` (a deeper page is answered as the last one a list serves)."""
    raw = query.get(name)
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        return 1
    digits = raw.lstrip("0")
    if not digits:
        return 1
    if len(digits) > len(str(maximum)):  # no int() of a million digits
        return maximum
    return min(int(digits), maximum)


def clamp_day(value: date) -> date:
    """`value` within [EARLIEST_DAY, LATEST_DAY]."""
    return min(max(value, EARLIEST_DAY), LATEST_DAY)


def moment_text(raw: object) -> object:
    """An admin date filter's value (a day or a date and time), clamped to what the
    database and Python can hold, as text of the same form; anything else unchanged, for
    the admin to refuse as it does any malformed filter."""
    if not isinstance(raw, str) or not raw.isascii():
        return raw
    text = raw.strip()
    try:
        parsed = parse_date(text)
        if parsed is not None:
            return clamp_day(parsed).isoformat()
        moment = parse_datetime(text)
    except ValueError:
        return raw
    if moment is None:
        return raw
    clamped = clamp_day(moment.date())
    if clamped == moment.date():
        return raw
    # Only the day moves; the time of day (and its zone, if given) stay as typed.
    return datetime.combine(clamped, moment.timetz()).isoformat(sep=" ")
