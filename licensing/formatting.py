"""How money and dates are written, everywhere: pages, messages and exports."""

import zoneinfo
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import dateformat, formats, timezone, translation

# Dates and money follow the active language (the person's choice, else the browser's).
# Day first in both: "31 Jan 2027" in English, "31 gen 2027" in Italian.
DATE_FORMATS = {"it": "j b Y"}
DATE_FORMAT = "j M Y"  # 31 Jan 2027
TIME_FORMAT = "H:i"  # 14:05
EMPTY = "—"
TIMEZONE_COOKIE = "portal_tz"  # set by static/js/portal.js
# English puts the sign before the amount (no space after a symbol, one after a code):
# €5.00, US$161.67, £12.00, CHF 4.71. Italian puts it after, with a space, and groups with
# dots: 1.490,00 €, 161,67 USD, 4,71 CHF. Separators come from Django's formats per language.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "US$", "GBP": "£"}
SIGN_AFTER = {"it": {"EUR": "€", "GBP": "£"}}


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def decimal_or_none(value) -> Decimal | None:
    """`value` as a Decimal, or None when it is empty or not a number."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def money(amount, currency: str = "") -> str:
    """The one way money is written, in the active language; “—” when unknown.

    English: “€1,490.00”, “US$161.67”, “CHF 4.71”. Italian: “1.490,00 €”, “161,67 USD”,
    “4,71 CHF”. Two decimals, thousands grouped; a negative amount starts with “-”.
    """
    value = decimal_or_none(amount)
    if value is None:
        return EMPTY
    text = formats.number_format(
        abs(value).quantize(Decimal("0.01")), 2, use_l10n=True, force_grouping=True
    )
    sign = "-" if value < 0 and text.strip("0.,") else ""
    currency = (currency or "").strip().upper()
    after = SIGN_AFTER.get(_language())
    if after is not None:
        return f"{sign}{text} {after.get(currency, currency)}".rstrip()
    if currency in CURRENCY_SYMBOLS:
        return f"{sign}{CURRENCY_SYMBOLS[currency]}{text}"
    if currency:
        return f"{sign}{currency} {text}"
    return f"{sign}{text}"


def day(value) -> str:
    """A date (or the local date of a datetime) as “31 Jan 2027”."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    return dateformat.format(value, date_format())


def moment(value) -> str:
    """A point in time, in the current zone, as “31 Jan 2027, 14:05”."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, f"{date_format()}, {TIME_FORMAT}")


def date_format() -> str:
    """The day's format in the active language."""
    return DATE_FORMATS.get(_language(), DATE_FORMAT)


def user_zone(request) -> zoneinfo.ZoneInfo:
    """The zone the user's browser reported (portal.js keeps it in a cookie), else the
    portal's own (TIME_ZONE): the staff pages and the admin show times in it."""
    name = request.COOKIES.get(TIMEZONE_COOKIE, "") if request is not None else ""
    if name and len(name) < 64:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return timezone.get_default_timezone()
