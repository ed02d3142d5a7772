"""What the vendor's answers mean: the envelope, and our frozen results for its content.

`unwrap()` reads the envelope every answer comes in (`{"code": 200, "content": ...}`, or
an error body) and returns the content or raises the matching `errors.UpstreamError`.
The `parse_*` functions turn one endpoint's content into a frozen dataclass (Decimal
money, `date` dates, `license_id` as a string); they raise ValueError on a shape they do
not know, which the client reports as `UnreadableAnswer`. The vendor's quirks are
normalised here and nowhere else: numbers sent as strings, `customer_code`/`license_id`
types, "EUR€".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from licensing.upstream.errors import (
    CallRecord,
    KeyRejected,
    Refused,
    ValidationFailed,
    unavailable,
    unreadable,
)

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
    "unwrap",
]

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
    points: Decimal
    amount: Decimal
    currency: str  # ISO 4217
    raw_currency: str  # as the vendor wrote it ("EUR€"), for the audit


@dataclass(frozen=True)
class AvailableLicenses:
    licenses: tuple[License, ...]
    call: CallRecord


@dataclass(frozen=True)
class AssignResult:
    customer_name: str
    license_id: str
    start_date: date
    expiry_date: date
    deducted_amount: Decimal
    currency: str
    call: CallRecord


@dataclass(frozen=True)
class DemoResult:
    customer: str
    version: str
    license_name: str
    expiry_date: date
    license_id: str
    call: CallRecord


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


# --- the envelope ------------------------------------------------------------------------


def unwrap(text: str, call: CallRecord, *, scrub: Callable[[str], str]) -> Any:
    """Return the `content` of a 2xx answer, or raise the UpstreamError the answer means.

    `text` is the whole answer to the call recorded in `call` (whose `status` it came
    with); `scrub` removes secrets from vendor text before it goes into a message.
    """
    status = call.status or 0
    data = _json_or_none(text)
    if 200 <= status < 300:
        if not isinstance(data, dict) or "content" not in data:
            raise unreadable(call)
        if str(data.get("code", 200)).strip() != "200":
            raise unreadable(call)
        return data["content"]
    vendor_message = scrub(_vendor_message(data))
    if status == 401:
        raise KeyRejected(
            "The vendor rejected the portal's API key. Ask an administrator to check "
            "the FlashStart settings.",
            call=call,
        )
    if status == 500 and isinstance(data, dict) and "errors" in data:
        field_errors = _field_errors(data["errors"])
        if field_errors is None:
            raise unreadable(call)
        # An empty `errors` is not a validation answer (the vendor's validator always
        # names a field); calling it one could lead staff to resubmit a purchase.
        if field_errors:
            field_errors = {
                scrub(name): [scrub(m) for m in messages] for name, messages in field_errors.items()
            }
            summary = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in field_errors.items()
            )
            raise ValidationFailed(
                f"The vendor refused the data. {summary}",
                field_errors=field_errors,
                vendor_message=vendor_message,
                call=call,
            )
    if 400 <= status < 500:
        reason = vendor_message or f"HTTP {status}"
        raise Refused(
            f"The vendor refused the request: {reason}",
            vendor_message=vendor_message,
            call=call,
        )
    if status >= 500:
        raise unavailable(f"The vendor reported an internal error (HTTP {status}).", call)
    raise unreadable(call)


class _BadShape(ValueError):
    """Raised by the parsers below (a ValueError, which the client reports as unreadable)."""


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None


def _vendor_message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"].strip()[:500]
    return ""


def _field_errors(errors: Any) -> dict[str, list[str]] | None:
    """Return the vendor's `errors` as {field: [messages]}, or None if it is not that shape."""
    if not isinstance(errors, dict):
        return None
    result: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if isinstance(messages, str):
            messages = [messages]
        if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
            return None
        result[str(name)] = list(messages)
    return result


# --- parsing the vendor's quirks ----------------------------------------------------------


def _get(content: Any, key: str) -> Any:
    if not isinstance(content, dict) or content.get(key) is None:
        raise _BadShape(key)
    return content[key]


def _int(value: Any) -> int:
    """Return a vendor integer that may arrive as 1, "1" or 1.0."""
    number = _decimal(value)
    if number != number.to_integral_value():
        raise _BadShape(f"not a whole number: {value!r}")
    return int(number)


def _decimal(value: Any) -> Decimal:
    """Return a vendor number as Decimal via its text, so 0.5 stays exactly 0.5."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _BadShape(f"not a number: {value!r}")
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise _BadShape(f"not a finite number: {value!r}")
    return number


def _text(content: Any, key: str) -> str:
    value = _get(content, key)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _BadShape(key)
    return str(value)


def _identifier(value: Any) -> str:
    """Return a licence id given as 108501, 108501.0 or "13343" as the string "108501"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise _BadShape("license_id")
    return str(value).strip()


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise _BadShape(f"not a date: {value!r}")
    return date.fromisoformat(value.strip()[:10])  # tolerate a trailing time


_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "FR.": "CHF"}


def _currency(raw: Any) -> str:
    """Return the ISO code in a vendor currency ("EUR€" → "EUR", "€" → "EUR")."""
    text = str(raw).strip().upper()
    match = re.fullmatch(r"[^A-Z]*([A-Z]{3})[^A-Z]*", text)
    if match:
        return match.group(1)
    if text in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[text]
    raise _BadShape(f"unknown currency {raw!r}")


def parse_available(content: Any, call: CallRecord) -> AvailableLicenses:
    if not isinstance(content, list):
        raise _BadShape("content is not a list")
    licenses = []
    for item in content:
        raw_currency = _text(item, "license_amount_currency")
        licenses.append(
            License(
                code=_text(item, "license_code"),
                name=_text(item, "license_name"),
                duration_months=_int(_get(item, "license_duration_months")),
                version=_text(item, "license_version"),
                quantity=_text(item, "license_quantity"),
                points=_decimal(_get(item, "license_points")),
                amount=_decimal(_get(item, "license_amount")),
                currency=_currency(raw_currency),
                raw_currency=raw_currency,
            )
        )
    return AvailableLicenses(licenses=tuple(licenses), call=call)


def parse_demo(content: Any, call: CallRecord) -> DemoResult:
    return DemoResult(
        customer=_text(content, "customer"),
        version=_text(content, "version"),
        license_name=_text(content, "license"),
        expiry_date=_date(_get(content, "expiry_date")),
        license_id=_identifier(_get(content, "license_id")),  # a number on this endpoint
        call=call,
    )


def parse_assign(content: Any, call: CallRecord, requested_currency: str) -> AssignResult:
    raw_currency = content.get("currency_code") if isinstance(content, dict) else None
    return AssignResult(
        customer_name=_text(content, "customer"),
        license_id=_identifier(_get(content, "license_id")),  # a string on this endpoint
        start_date=_date(_get(content, "start_date")),
        expiry_date=_date(_get(content, "expiry_date")),
        deducted_amount=_decimal(_get(content, "deducted_amount")),
        currency=_currency(raw_currency or requested_currency),
        call=call,
    )


def parse_customer_created(content: Any, call: CallRecord) -> CustomerCreated:
    return CustomerCreated(customer_code=_int(_get(content, "customer_code")), call=call)


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
