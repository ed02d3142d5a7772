"""What the content of the vendor's answers means: our frozen results, and their parsers.

`envelope.unwrap` first takes the content out of the answer. The `parse_*` functions turn
one endpoint's content into a frozen dataclass (Decimal money, `date` dates, `license_id`
as a string), reading each value with `values`; they raise ValueError on a shape they do
not know, which the client reports as `UnreadableAnswer`. What a sale needs is the
licence id: details that are missing or odd (dates, amount) come back as None, listed in
`unread`, with their raw text in `raw`, for a manager to check. One unreadable catalogue
item is skipped, not the whole catalogue; an item whose price cannot be read has `amount`
None (shown, not for sale).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from licensing.upstream import values
from licensing.upstream.errors import CallRecord

__all__ = [
    "AssignResult",
    "AvailableLicenses",
    "Choice",
    "CustomerCreated",
    "DashboardLink",
    "DemoResult",
    "License",
    "MessageResult",
    "parse_assign",
    "parse_available",
    "parse_choices",
    "parse_customer_created",
    "parse_dashboard_link",
    "parse_demo",
    "parse_message",
]

log = logging.getLogger("licensing.upstream")
_Value = TypeVar("_Value")

# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class License:
    code: str
    name: str
    duration_months: int
    version: str
    quantity: str
    points: Decimal | None  # None when the vendor's figure cannot be read
    amount: Decimal | None  # None when the price cannot be read: shown, not sold
    currency: str  # ISO 4217; "" without a readable price
    raw_currency: str  # as the vendor wrote it ("EUR€"), for the audit

    @property
    def sellable(self) -> bool:
        """Whether the price can be read, so that the licence may be offered for sale."""
        return self.amount is not None and bool(self.currency)


@dataclass(frozen=True)
class AvailableLicenses:
    licenses: tuple[License, ...]
    call: CallRecord
    skipped: int = 0  # catalogue items that could not be read at all


@dataclass(frozen=True)
class AssignResult:
    """A bought licence. `unread` names the details missing or odd in the answer (their
    fields are None); `raw` keeps the answer's main values as the vendor wrote them."""

    customer_name: str
    license_id: str
    start_date: date | None
    expiry_date: date | None
    deducted_amount: Decimal | None
    currency: str
    call: CallRecord
    unread: tuple[str, ...] = ()
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class DemoResult:
    """A given demo; `unread` and `raw` as for AssignResult."""

    customer: str
    version: str
    license_name: str
    expiry_date: date | None
    license_id: str
    call: CallRecord
    unread: tuple[str, ...] = ()
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MessageResult:
    message: str
    already: bool  # the vendor said the renewal was already in the requested state
    call: CallRecord


@dataclass(frozen=True)
class CustomerCreated:
    customer_code: int
    call: CallRecord


@dataclass(frozen=True)
class DashboardLink:
    url: str = field(repr=False)  # holds a login token: keep it out of reprs and logs
    expiration: str
    call: CallRecord


class _BadShape(ValueError):
    """Raised by the parsers below (a ValueError, which the client reports as unreadable)."""


# --- parsing the vendor's quirks ----------------------------------------------------------

_UNREAD = (ValueError, ArithmeticError, TypeError)  # what a reader raises for an odd value


def _get(content: Any, key: str) -> Any:
    if not isinstance(content, dict) or content.get(key) is None:
        raise _BadShape(key)
    return content[key]


def _text(content: Any, key: str) -> str:
    return values.text(_get(content, key))


def _optional_text(content: dict, key: str) -> str:
    """A text the page can do without: "" when it is missing or odd."""
    try:
        return values.text(content[key]) if content.get(key) is not None else ""
    except _UNREAD:
        return ""


def _raw(value: Any) -> str:
    """A vendor value as written, for the manager who checks it (bounded)."""
    if value is None:
        return ""
    written = value if isinstance(value, str) else json.dumps(value)
    return written[:200]


class _Details:
    """Reads the details of a success answer that the sale does not depend on: a detail
    that is missing or odd is None, and its name is kept in `unread` for a manager."""

    def __init__(self, content: dict) -> None:
        self.content = content
        self.unread: list[str] = []

    def read(self, key: str, reader: Callable[[Any], _Value]) -> _Value | None:
        value = self.content.get(key)
        if value is None:
            self.unread.append(key)
            return None
        try:
            return reader(value)
        except _UNREAD:
            self.unread.append(key)
            return None


def _license(item: Any) -> License:
    """One catalogue item. Raises ValueError (and friends) when it cannot be shown at all;
    an unreadable price leaves it visible but not for sale (`amount` None)."""
    if not isinstance(item, dict):
        raise _BadShape("not an object")
    raw_currency = item.get("license_amount_currency")
    details = _Details(item)
    amount = details.read("license_amount", values.decimal)
    currency = details.read("license_amount_currency", values.currency) or ""
    if amount is not None and (amount < 0 or not currency):
        amount = None
    return License(
        code=values.identifier(_get(item, "license_code")),
        name=_text(item, "license_name"),
        duration_months=values.integer(_get(item, "license_duration_months")),
        version=_optional_text(item, "license_version"),
        quantity=_optional_text(item, "license_quantity"),
        points=details.read("license_points", values.decimal),
        amount=amount,
        currency=currency if amount is not None else "",
        raw_currency=_raw(raw_currency),
    )


def parse_available(content: Any, call: CallRecord) -> AvailableLicenses:
    """The catalogue: a list of items, or one object (how a `license_code` lookup may be
    answered). An unreadable item is skipped and logged; if none is readable, the answer is."""
    items = [content] if isinstance(content, dict) else content
    if not isinstance(items, list):
        raise _BadShape("content is neither a list nor an object")
    licenses = []
    for index, item in enumerate(items):
        try:
            licenses.append(_license(item))
        except _UNREAD as exc:
            log.warning("FlashStart catalogue: item %d skipped, unreadable (%s)", index, exc)
    if items and not licenses:
        raise _BadShape("no catalogue item could be read")
    return AvailableLicenses(
        licenses=tuple(licenses), call=call, skipped=len(items) - len(licenses)
    )


def parse_demo(content: Any, call: CallRecord) -> DemoResult:
    """A demo: given once the vendor names its licence id (a number on this endpoint)."""
    if not isinstance(content, dict):
        raise _BadShape("content is not an object")
    details = _Details(content)
    return DemoResult(
        customer=_optional_text(content, "customer"),
        version=_optional_text(content, "version"),
        license_name=_optional_text(content, "license"),
        expiry_date=details.read("expiry_date", values.date),
        license_id=values.identifier(_get(content, "license_id")),
        call=call,
        unread=tuple(details.unread),
        raw={key: _raw(content.get(key)) for key in ("license_id", "expiry_date")},
    )


def parse_assign(content: Any, call: CallRecord, requested_currency: str) -> AssignResult:
    """A paid licence: bought once the vendor names its licence id (a string here, but
    not always). Dates, amount and currency that are missing or odd are None and listed
    in `unread`; a currency left out is the one asked for."""
    if not isinstance(content, dict):
        raise _BadShape("content is not an object")
    license_id = values.identifier(_get(content, "license_id"))
    details = _Details(content)
    start_date = details.read("start_date", values.date)
    expiry_date = details.read("expiry_date", values.date)
    amount = details.read("deducted_amount", values.decimal)
    if amount is not None and amount < 0:
        details.unread.append("deducted_amount")
        amount = None
    currency = values.currency(requested_currency)
    if content.get("currency_code") is not None:
        currency = details.read("currency_code", values.currency) or currency
    keys = ("license_id", "start_date", "expiry_date", "deducted_amount", "currency_code")
    return AssignResult(
        customer_name=_optional_text(content, "customer"),
        license_id=license_id,
        start_date=start_date,
        expiry_date=expiry_date,
        deducted_amount=amount,
        currency=currency,
        call=call,
        unread=tuple(details.unread),
        raw={key: _raw(content.get(key)) for key in keys},
    )


def parse_customer_created(content: Any, call: CallRecord) -> CustomerCreated:
    return CustomerCreated(customer_code=values.integer(_get(content, "customer_code")), call=call)


def parse_message(content: Any, call: CallRecord) -> MessageResult:
    """Return the vendor's plain-text answer (suspend, enable) as a MessageResult."""
    if not isinstance(content, str):
        raise _BadShape("content is not a message")
    return MessageResult(message=content, already=False, call=call)


def parse_dashboard_link(content: Any, call: CallRecord, *, url_prefix: str) -> DashboardLink:
    """Return the link to the customer's dashboard: `url_prefix` followed by the token."""
    token = _get(content, "token")
    # "Already URL-encoded" per the vendor: anything else could alter the link.
    if not isinstance(token, str) or not re.fullmatch(r"[A-Za-z0-9%._~+/=-]+", token):
        raise _BadShape("token")
    expiration = str(content.get("expiration") or "")
    return DashboardLink(url=url_prefix + token, expiration=expiration, call=call)


_VALUE_KEYS = ("value", "code", "id", "iso", "iso_code")
_LABEL_KEYS = ("label", "name", "description", "title")


def parse_choices(content: Any) -> list[Choice]:
    """Return directory entries as Choices, whatever reasonable shape the vendor uses.

    Accepted: ["EUR", ...], [["EUR", "Euro"], ...], {"EUR": "Euro", ...}, and lists of
    objects such as {"currency_code": "EUR", "currency_name": "Euro"}.
    """
    if isinstance(content, dict):
        pairs = list(content.items())
    elif isinstance(content, list):
        pairs = [_choice_pair(item) for item in content]
    else:
        raise _BadShape("directory is neither a list nor an object")
    choices = []
    for value, label in pairs:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _BadShape("directory value")
        if isinstance(label, bool) or not isinstance(label, str | int):
            raise _BadShape("directory label")
        if str(value).strip() and str(label).strip():
            choices.append(Choice(str(value).strip(), str(label).strip()))
    return choices


def _choice_pair(item: Any) -> tuple[Any, Any]:
    if isinstance(item, str | int) and not isinstance(item, bool):
        return item, item
    if isinstance(item, list) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, dict):
        value = _first(item, _VALUE_KEYS, suffixes=("_code", "_id"))
        label = _first(item, _LABEL_KEYS, suffixes=("_name", "_label", "_description"))
        if label is None:
            label = value
        if value is not None:
            return value, label
    raise _BadShape("directory entry")


def _first(item: dict, keys: tuple[str, ...], *, suffixes: tuple[str, ...]) -> Any:
    for key in keys:
        if item.get(key) is not None:
            return item[key]
    for key, value in item.items():
        if value is not None and str(key).endswith(suffixes):
            return value
    return None
