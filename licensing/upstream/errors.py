"""What a vendor call leaves behind: its `CallRecord`, and the `UpstreamError` it raises.

Every result and every error carries the `CallRecord` of its call, for the audit trail.
`str(exc)` of every error is a message fit for a salesperson, in the active language
(`exc.text` is the message itself, translated when written out: `texts.english(exc.text)`
for a record); `unavailable()` and `unreadable()` build the errors whose cause is on the
vendor's side, and warn against resending a request that may have been carried out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from licensing import texts

__all__ = [
    "CHANGING_ENDPOINTS",
    "CallRecord",
    "KeyRejected",
    "Refused",
    "Unavailable",
    "UnreadableAnswer",
    "UpstreamError",
    "ValidationFailed",
    "unavailable",
    "unreadable",
]

# Endpoints that change something upstream: their failures warn against resending.
CHANGING_ENDPOINTS = frozenset({"assign", "demo", "suspend", "enable", "customer_new"})
_WRITE_WARNING = gettext_lazy(
    "The request may have been carried out: check before sending it again."
)


@dataclass(frozen=True)
class CallRecord:
    """What was sent and answered, for the audit trail (secrets removed).

    `duration_ms` covers the whole call, retries included; `status` and `answer` are those
    of the last attempt (`status` is None when no HTTP answer arrived).
    """

    endpoint: str
    method: str
    path: str
    status: int | None
    duration_ms: int
    sent: dict[str, Any]
    answer: str


class UpstreamError(Exception):
    """A vendor call failed. `str(exc)` is a message fit for a salesperson (`text`: the
    same, translated when written out).

    `call` is the CallRecord (None when nothing was attempted), `status` the status the
    answer means (None without an answer): the HTTP status, or the `code` of the vendor's
    body when the two disagree (HTTP 200 with `{"code": 405, ...}`). `may_have_taken_effect`
    says whether the vendor may have acted on the request anyway.
    """

    may_have_taken_effect = False

    def __init__(
        self,
        message: texts.StrOrPromise,
        *,
        call: CallRecord | None = None,
        endpoint: str = "",
        may_have_taken_effect: bool | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.text = message
        self.call = call
        self.status = status if status is not None else (call.status if call else None)
        self.endpoint = call.endpoint if call else endpoint
        if may_have_taken_effect is not None:
            self.may_have_taken_effect = may_have_taken_effect


class KeyRejected(UpstreamError):
    """401: the portal's API key was refused (an operations problem, not the user's)."""


class ValidationFailed(UpstreamError):
    """500 with an `errors` object: the vendor rejected fields; see `field_errors`."""

    def __init__(
        self,
        message: texts.StrOrPromise,
        *,
        field_errors: dict[str, list[str]],
        vendor_message: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors
        self.message = vendor_message


class Refused(UpstreamError):
    """405 or another 4xx: the request was refused; `message` is the reason given.

    `business` is True only when the answer is the vendor's own refusal, in its shape
    (`{"code": 405, "message": "...", "error": []}`); a 4xx without it came from something
    else (a proxy, a wrong path, the framework's "method not allowed") and says nothing
    about the licence.
    """

    def __init__(
        self,
        message: texts.StrOrPromise,
        *,
        vendor_message: str,
        business: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.message = vendor_message
        self.business = business


class Unavailable(UpstreamError):
    """No usable answer: unreachable, timed out, dropped, 5xx, or the breaker is open."""

    may_have_taken_effect = True


class UnreadableAnswer(UpstreamError):
    """The vendor answered, but not with JSON of the expected shape."""

    may_have_taken_effect = True


def unavailable(message: texts.StrOrPromise, call: CallRecord) -> Unavailable:
    """Return the Unavailable for `call`: `message`, then the warning if it was a write."""
    return Unavailable(texts.joined(" ", [message, _warning(call)]), call=call)


def unreadable(call: CallRecord) -> UnreadableAnswer:
    """Return the UnreadableAnswer for `call`, with the warning if it was a write."""
    message = gettext_lazy("The vendor's answer could not be understood.")
    return UnreadableAnswer(texts.joined(" ", [message, _warning(call)]), call=call)


def _warning(call: CallRecord) -> texts.StrOrPromise:
    return _WRITE_WARNING if call.endpoint in CHANGING_ENDPOINTS else ""
