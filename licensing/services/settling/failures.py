"""What a failed vendor call means for each service: its kind, audit outcome and words.

`failure_of` sorts an `upstream.UpstreamError` into a `Failure`; each service's `Wording`
maps every kind to a `Rule` (the audit outcome, the message, where it shows); `judge`
applies one to an error and returns the `Verdict`.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from licensing import upstream
from licensing.models import AuditOutcome

KEY_REJECTED_MESSAGE = (
    "FlashStart rejected the portal's API key, so nothing was done. Please call an administrator."
)
UNKNOWN_MESSAGE = (
    "Outcome unknown: FlashStart did not give a clear answer, so the licence may or may not "
    "have been assigned and charged. Do not assign again — a manager will check with "
    "FlashStart and settle it."
)
NOT_SENT_MESSAGE = (
    "FlashStart could not be reached, so nothing was sent and nothing was charged. "
    "Please try again in a minute."
)
UNREACHABLE_MESSAGE = "FlashStart is not answering right now. Please try again in a minute."


class Failure(enum.Enum):
    """The kinds of failed vendor call that staff are told apart."""

    KEY_REJECTED = "key rejected"  # 401: the portal's API key; an operations problem
    INVALID = "invalid"  # the vendor rejected fields of the request
    REFUSED = "refused"  # the vendor refused the request (405, another 4xx, in its shape)
    FOREIGN = "foreign"  # a 4xx not in the vendor's shape: a proxy, a wrong path
    UNANSWERED = "unanswered"  # no clear answer: the vendor may have acted
    NOT_SENT = "not sent"  # no answer, but surely nothing happened upstream


def failure_of(exc: upstream.UpstreamError) -> Failure:
    """Which kind of failure `exc` is. A clear refusal wins over "may have taken effect"."""
    if isinstance(exc, upstream.KeyRejected):
        return Failure.KEY_REJECTED
    if isinstance(exc, upstream.ValidationFailed):
        return Failure.INVALID
    if isinstance(exc, upstream.Refused):
        return Failure.REFUSED if exc.business else Failure.FOREIGN
    if exc.may_have_taken_effect:
        return Failure.UNANSWERED
    return Failure.NOT_SENT


def vendor_reason(exc: upstream.UpstreamError) -> str:
    """The vendor's own words for a refusal: its field messages, else its message."""
    field_errors = getattr(exc, "field_errors", None) or {}
    texts = [m for messages in field_errors.values() for m in messages]
    if texts:
        return " ".join(texts)
    return getattr(exc, "message", "") or str(exc)


@dataclass(frozen=True)
class Rule:
    """What one kind of failure means for one service.

    `message` may name `{reason}` (the vendor's own words), `{status}` (the status the
    answer meant) and `{customer_code}`; it is
    shown on the form's `__all__`, unless `vendor_fields` puts the vendor's field messages
    on the form's fields instead, or the vendor named a field listed in `on_field` (whose
    message is then shown on that field). Without an HTTP answer from the vendor the
    outcome is `outcome_without_answer`, when given. `level` is how an ActionOutcome shows.
    """

    outcome: str
    message: str
    level: str = "error"
    outcome_without_answer: str | None = None
    vendor_fields: bool = False
    on_field: Mapping[str, str] = field(default_factory=dict)


# How each service words each kind of failure.
Wording = Mapping[Failure, Rule]

_KEY_REJECTED = Rule(AuditOutcome.FAILED, KEY_REJECTED_MESSAGE)

# Paid licences and demos: money may have moved, so "may have" is never "no".
ASSIGN: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, "FlashStart refused the request: {reason}"),
    Failure.REFUSED: Rule(AuditOutcome.FAILED, "FlashStart refused the request: {reason}"),
    Failure.FOREIGN: Rule(
        AuditOutcome.FAILED,
        "The request was turned away before FlashStart's licence service (HTTP {status}). "
        "Ask an administrator to check the portal's FlashStart settings.",
    ),
    Failure.UNANSWERED: Rule(AuditOutcome.UNKNOWN, UNKNOWN_MESSAGE, level="warning"),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, NOT_SENT_MESSAGE),
}

_RENEWAL_UNCHANGED = (
    "FlashStart did not answer, so the renewal is unchanged here. It is safe to try again."
)
_CHECK_VENDOR = "Check the licence in the FlashStart customer area before trying again."
# Suspending and resuming change nothing here unless FlashStart said it did them.
RENEWAL: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, "FlashStart refused: {reason}"),
    Failure.REFUSED: Rule(
        AuditOutcome.FAILED,
        f"FlashStart refused: {{reason}} The renewal is unchanged here. {_CHECK_VENDOR}",
    ),
    Failure.FOREIGN: Rule(
        AuditOutcome.FAILED,
        "The request was turned away before FlashStart's licence service (HTTP {status}), "
        "so the renewal is unchanged here and may be unchanged at FlashStart too. "
        f"{_CHECK_VENDOR} Ask an administrator to check the portal's FlashStart settings.",
    ),
    Failure.UNANSWERED: Rule(AuditOutcome.UNKNOWN, _RENEWAL_UNCHANGED),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, _RENEWAL_UNCHANGED),
}

_NOT_CHECKED = Rule(
    AuditOutcome.ERROR,
    "FlashStart is not answering, so the customer code could not be checked. "
    "Please try again in a minute.",
)
# Registering reads the customer's catalogue to check the code: nothing can have changed.
REGISTER: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(
        AuditOutcome.INVALID,
        "FlashStart refused: {reason}",
        on_field={
            "customer_code": "FlashStart does not know customer code {customer_code}. "
            "Check the code in the FlashStart customer area."
        },
    ),
    Failure.REFUSED: _NOT_CHECKED,
    Failure.FOREIGN: _NOT_CHECKED,
    Failure.UNANSWERED: _NOT_CHECKED,
    Failure.NOT_SENT: _NOT_CHECKED,
}

# Creating a customer: one may exist upstream after an unclear answer.
CREATE: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, "{reason}", vendor_fields=True),
    Failure.REFUSED: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
    Failure.FOREIGN: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
    Failure.UNANSWERED: Rule(
        AuditOutcome.UNKNOWN,
        "FlashStart did not confirm. The customer may have been created: check "
        "the FlashStart customer area before trying again, then link it by code.",
    ),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
}

_NO_LINK = Rule(
    AuditOutcome.FAILED,
    "FlashStart gave no login link: {reason}",
    outcome_without_answer=AuditOutcome.ERROR,
)
# A dashboard link: any answer but a token is the vendor's refusal.
DASHBOARD: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: _NO_LINK,
    Failure.REFUSED: _NO_LINK,
    Failure.FOREIGN: _NO_LINK,
    Failure.UNANSWERED: _NO_LINK,
    Failure.NOT_SENT: _NO_LINK,
}


@dataclass(frozen=True)
class Verdict:
    """A failed call, judged: the audit outcome, and what staff see.

    `message` is the main text; `errors` the same for a form (field name → messages);
    `field_errors` the vendor's own messages per field.
    """

    failure: Failure
    outcome: str
    level: str
    message: str
    errors: dict[str, list[str]]
    field_errors: dict[str, list[str]]
    call: upstream.CallRecord | None


def judge(
    exc: upstream.UpstreamError, wording: Wording, *, customer_code: int | None = None
) -> Verdict:
    """What `exc` means for the service whose `wording` is given."""
    failure = failure_of(exc)
    rule = wording[failure]
    field_errors: dict[str, list[str]] = {
        name: [str(m) for m in messages]
        for name, messages in (getattr(exc, "field_errors", None) or {}).items()
    }
    message = rule.message.format(
        reason=vendor_reason(exc), status=exc.status or "", customer_code=customer_code
    )
    errors = {"__all__": [message]}
    if rule.vendor_fields and field_errors:
        errors = {name: list(messages) for name, messages in field_errors.items()}
    for name, text in rule.on_field.items():
        if name in field_errors:
            errors = {name: [text.format(customer_code=customer_code)]}
            break
    outcome = rule.outcome
    if rule.outcome_without_answer is not None and not exc.status:
        outcome = rule.outcome_without_answer
    return Verdict(
        failure=failure,
        outcome=outcome,
        level=rule.level,
        message=message,
        errors=errors,
        field_errors=field_errors,
        call=exc.call,
    )
