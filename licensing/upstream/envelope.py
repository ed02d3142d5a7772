"""The envelope every vendor answer comes in, and what it means.

`unwrap()` reads `{"code": 200, "content": ...}` (or an error body) and returns the content,
or raises the matching `errors.UpstreamError`. The body's `code` is the real status when
it disagrees with HTTP: some vendors answer HTTP 200 to everything, with `{"code": 405,
...}` or `{"code": 500, "errors": ...}` inside. A 4xx refusal is the vendor's own
(`Refused.business`) only when its body has the vendor's shape: the same `code` and a
`message`; a proxy's page or a framework's "method not allowed" is not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from licensing import texts
from licensing.upstream import values
from licensing.upstream.errors import (
    CallRecord,
    KeyRejected,
    Refused,
    ValidationFailed,
    unavailable,
    unreadable,
)

__all__ = ["unwrap"]


def unwrap(text: str, call: CallRecord, *, scrub: Callable[[str], str]) -> Any:
    """Return the `content` of a success answer, or raise the UpstreamError the answer means.

    `text` is the whole answer to the call recorded in `call` (whose `status` it came
    with); `scrub` removes secrets from vendor text before it goes into a message. The
    status read is the HTTP status, unless a 2xx answer's body names another `code`.
    """
    data = _json_or_none(text)
    status = _meant_status(call.status or 0, data)
    if 200 <= status < 300:
        if not isinstance(data, dict) or "content" not in data:
            raise unreadable(call)
        return data["content"]
    vendor_message = scrub(_vendor_message(data))
    if status == 401:
        raise KeyRejected(
            gettext_lazy(
                "The vendor rejected the portal's API key. Ask an administrator to check "
                "the FlashStart settings."
            ),
            call=call,
            status=status,
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
                texts.message(
                    gettext_lazy("The vendor refused the data. %(summary)s"), summary=summary
                ),
                field_errors=field_errors,
                vendor_message=vendor_message,
                call=call,
                status=status,
            )
    if 400 <= status < 500:
        reason = vendor_message or f"HTTP {status}"
        raise Refused(
            texts.message(
                gettext_lazy("The vendor refused the request: %(reason)s"), reason=reason
            ),
            vendor_message=vendor_message,
            # The vendor's own refusals carry their code and a message in the body.
            business=_code(data.get("code") if isinstance(data, dict) else None) == status
            and bool(vendor_message),
            call=call,
            status=status,
        )
    if status >= 500:
        where: texts.StrOrPromise = f"HTTP {status}"
        if status != call.status:  # the body's code, not the HTTP status
            where = texts.message(pgettext_lazy("status code", "code %(status)s"), status=status)
        raise unavailable(
            texts.message(
                gettext_lazy("The vendor reported an internal error (%(where)s)."), where=where
            ),
            call,
        )
    raise unreadable(call)


def _code(value: Any) -> int | None:
    """A status `code` from a body (200, "200" or 200.0), or None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        code = values.integer(value)
    except ValueError:
        return None
    return code if 100 <= code <= 599 else None


def _meant_status(http_status: int, data: Any) -> int:
    """The status an answer means: its body's `code` overrides a 2xx HTTP status (some
    vendors answer HTTP 200 to everything). A 2xx answer whose code cannot be read is 0."""
    if not 200 <= http_status < 300 or not isinstance(data, dict) or "code" not in data:
        return http_status
    return _code(data["code"]) or 0


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
