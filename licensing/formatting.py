"""How money and dates are written, everywhere: pages, messages and exports."""

import zoneinfo
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, timezone

DATE_FORMAT = "j M Y"  # 31 Jan 2027
TIME_FORMAT = "H:i"  # 14:05
EMPTY = "—"
TIMEZONE_COOKIE = "portal_tz"  # set by static/js/portal.js
# One convention for every currency: the sign before the amount, with no space after a
# symbol and one after a code: €5.00, US$161.67, £12.00, CHF 4.71, SEK 1,200.00.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "US$", "GBP": "£"}


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
    """The one way money is written: “€12.50”, “US$161.67”, “CHF 4.71”, “—” when unknown.

    The currency sign (or ISO code) comes first, then the amount with two decimals and
    thousands separated by commas; a negative amount starts with “-”.
    """
    value = decimal_or_none(amount)
    if value is None:
        return EMPTY
    text = f"{abs(value):,.2f}"
    sign = "-" if value < 0 and text.strip("0.,") else ""
    currency = (currency or "").strip().upper()
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
    return dateformat.format(value, DATE_FORMAT)


def moment(value) -> str:
    """A point in time, in the current zone, as “31 Jan 2027, 14:05”."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, f"{DATE_FORMAT}, {TIME_FORMAT}")


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
