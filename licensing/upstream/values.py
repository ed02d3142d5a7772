"""Reading one value of a vendor answer: numbers, whole numbers, ids, dates, currencies.

The vendor writes the same value several ways (`5`, `"5"`, `"5.00"`, `"12,50"`; a licence
id as `108501` or `"13343"`; a currency as `EUR`, `eur`, `EUR€` or `€`). Each reader
accepts every spelling seen or plausible and returns our type (Decimal, int, str, date,
ISO 4217 code), or raises `BadValue` (a ValueError) for anything else, quickly: a number
with an absurd exponent is refused before Python is asked to expand it.
"""

from __future__ import annotations

import math
import re
from datetime import date as Date
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["BadValue", "currency", "date", "decimal", "identifier", "integer", "text"]

# More digits than this before or after the point is a fault, not a price or a count.
MAX_MAGNITUDE = 30
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_DECIMAL_COMMA_RE = re.compile(r"[+-]?\d+,\d+", re.ASCII)  # "12,50"; "1,234.50" is refused
_ID_MAX_LENGTH = 255
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "FR.": "CHF"}


class BadValue(ValueError):
    """A vendor value that none of the readers' spellings fits."""


def decimal(value: Any) -> Decimal:
    """Return a vendor number (5, 0.5, "5.00", " 7.50 ", "12,50") as an exact Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise BadValue(f"not a number: {_show(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue(f"not a finite number: {value!r}")
        written = repr(value)  # the shortest text that round-trips: 0.1 stays 0.1
    elif isinstance(value, int):
        if abs(value) >= 10**MAX_MAGNITUDE:
            raise BadValue("a number out of range")
        written = str(value)
    else:
        written = str(value).strip()
        if _DECIMAL_COMMA_RE.fullmatch(written):
            written = written.replace(",", ".")
    if not _NUMBER_RE.fullmatch(written):
        raise BadValue(f"not a number: {_show(value)}")
    try:
        number = Decimal(written)
    except InvalidOperation:
        raise BadValue(f"not a number: {_show(value)}") from None
    if number and not -MAX_MAGNITUDE <= number.adjusted() <= MAX_MAGNITUDE:
        raise BadValue("a number out of range")
    return number


def integer(value: Any) -> int:
    """Return a vendor whole number that may arrive as 1, "1", "1.0" or 1.0."""
    number = decimal(value)
    if number != number.to_integral_value():
        raise BadValue(f"not a whole number: {_show(value)}")
    return int(number)


def identifier(value: Any) -> str:
    """Return an id given as 108501, 108501.0, "13343" or " 13343 " as "108501"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadValue(f"not an id: {_show(value)}")
    written = str(value).strip()
    if not written or len(written) > _ID_MAX_LENGTH or not written.isprintable():
        raise BadValue(f"not an id: {_show(value)}")
    return written


def date(value: Any) -> Date:
    """Return a `YYYY-MM-DD` date (a trailing time is ignored)."""
    if not isinstance(value, str):
        raise BadValue(f"not a date: {_show(value)}")
    try:
        return Date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadValue(f"not a date: {_show(value)}") from None


def currency(value: Any) -> str:
    """Return the ISO code of a vendor currency ("EUR", "eur", "EUR€", "€" → "EUR")."""
    if not isinstance(value, str):
        raise BadValue(f"not a currency: {_show(value)}")
    written = value.strip().upper()
    match = re.fullmatch(r"[^A-Z]*([A-Z]{3})[^A-Z]*", written)
    if match:
        return match.group(1)
    if written in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[written]
    raise BadValue(f"unknown currency {_show(value)}")


def text(value: Any) -> str:
    """Return a vendor text (a number written where a text belongs is taken as its text)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadValue(f"not a text: {_show(value)}")
    return str(value)


def _show(value: Any) -> str:
    """`value` for a message: short, so a hostile answer cannot flood a log line."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
