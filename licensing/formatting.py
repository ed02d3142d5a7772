"""How money and dates are written, everywhere: pages, messages and exports."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, timezone

DATE_FORMAT = "j M Y"  # 31 Jan 2027
TIME_FORMAT = "H:i"  # 14:05
EMPTY = "—"
CURRENCY_SYMBOLS = {"EUR": "€"}


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(amount, currency: str = "") -> str:
    """“€12.50” for euros, “12.50 USD” for any other currency, “—” when unknown."""
    value = _decimal(amount)
    if value is None:
        return EMPTY
    text = f"{value:,.2f}"
    currency = (currency or "").upper()
    if currency in CURRENCY_SYMBOLS:
        return f"{CURRENCY_SYMBOLS[currency]}{text}"
    return f"{text} {currency}".strip()


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
