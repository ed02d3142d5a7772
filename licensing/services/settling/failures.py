"""What a failed vendor call means for each service: its kind, audit outcome and words.

`failure_of` sorts an `upstream.UpstreamError` into a `Failure`; each service's `Wording`
maps every kind to a `Rule` (the audit outcome, the message, where it shows); `judge`
applies one to an error and returns the `Verdict`.

The words are translated when written out (`licensing.texts`): on the page in the
active language, in the audit row in English.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy, gettext_noop

from licensing import texts, upstream
from licensing.models import AuditOutcome

# In English (code and tests compare them); translated when a message carries them.
KEY_REJECTED_MESSAGE = gettext_noop(
    "FlashStart rejected the portal's API key, so nothing was done. Please call an administrator."
)
UNKNOWN_MESSAGE = gettext_noop(
    "Outcome unknown: FlashStart did not give a clear answer, so the licence may or may not "
    "have been assigned and charged. Do not assign again — a manager will check with "
    "FlashStart and settle it."
)
NOT_SENT_MESSAGE = gettext_noop(
    "FlashStart could not be reached, so nothing was sent and nothing was charged. "
    "Please try again in a minute."
)
UNREACHABLE_MESSAGE = gettext_noop(
    "FlashStart is not answering right now. Please try again in a minute."
)
# The vendor's own words, as they are (not a message of ours to translate).
_VENDOR_WORDS = "%(reason)s"


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


def vendor_reason(exc: upstream.UpstreamError) -> texts.StrOrPromise:
    """The vendor's own words for a refusal: its field messages, else its message (else
    what the portal says of the failure, translated when written out)."""
    field_errors = getattr(exc, "field_errors", None) or {}
    said = [m for messages in field_errors.values() for m in messages]
    if said:
        return " ".join(said)
    return getattr(exc, "message", "") or exc.text


@dataclass(frozen=True)
class Rule:
    """What one kind of failure means for one service.

    `message` (a lazy msgid, or a constant marked with gettext_noop) may name
    `%(reason)s` (the vendor's own words), `%(status)s` (the status the answer meant) and
    `%(customer_code)s`; it is
    shown on the form's `__all__`, unless `vendor_fields` puts the vendor's field messages
    on the form's fields instead, or the vendor named a field listed in `on_field` (whose
    message is then shown on that field). Without an HTTP answer from the vendor the
    outcome is `outcome_without_answer`, when given. `level` is how an ActionOutcome shows.
    """

    outcome: str
    message: texts.StrOrPromise
    level: str = "error"
    outcome_without_answer: str | None = None
    vendor_fields: bool = False
    on_field: Mapping[str, texts.StrOrPromise] = field(default_factory=dict)


# How each service words each kind of failure.
Wording = Mapping[Failure, Rule]

_KEY_REJECTED = Rule(AuditOutcome.FAILED, KEY_REJECTED_MESSAGE)

# Paid licences and demos: money may have moved, so "may have" is never "no".
_REFUSED_REQUEST = gettext_lazy("FlashStart refused the request: %(reason)s")
ASSIGN: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, _REFUSED_REQUEST),
    Failure.REFUSED: Rule(AuditOutcome.FAILED, _REFUSED_REQUEST),
    Failure.FOREIGN: Rule(
        AuditOutcome.FAILED,
        gettext_lazy(
            "The request was turned away before FlashStart's licence service "
            "(HTTP %(status)s). Ask an administrator to check the portal's FlashStart "
            "settings."
        ),
    ),
    Failure.UNANSWERED: Rule(AuditOutcome.UNKNOWN, UNKNOWN_MESSAGE, level="warning"),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, NOT_SENT_MESSAGE),
}

_RENEWAL_UNCHANGED = gettext_lazy(
    "FlashStart did not answer, so the renewal is unchanged here. It is safe to try again."
)
_REFUSED = gettext_lazy("FlashStart refused: %(reason)s")
# Suspending and resuming change nothing here unless FlashStart said it did them.
RENEWAL: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, _REFUSED),
    Failure.REFUSED: Rule(
        AuditOutcome.FAILED,
        gettext_lazy(
            "FlashStart refused: %(reason)s The renewal is unchanged here. Check the "
            "licence in the FlashStart customer area before trying again."
        ),
    ),
    Failure.FOREIGN: Rule(
        AuditOutcome.FAILED,
        gettext_lazy(
            "The request was turned away before FlashStart's licence service "
            "(HTTP %(status)s), so the renewal is unchanged here and may be unchanged at "
            "FlashStart too. Check the licence in the FlashStart customer area before "
            "trying again. Ask an administrator to check the portal's FlashStart settings."
        ),
    ),
    Failure.UNANSWERED: Rule(AuditOutcome.UNKNOWN, _RENEWAL_UNCHANGED),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, _RENEWAL_UNCHANGED),
}

_NOT_CHECKED = Rule(
    AuditOutcome.ERROR,
    gettext_lazy(
        "FlashStart is not answering, so the customer code could not be checked. "
        "Please try again in a minute."
    ),
)
# Registering reads the customer's catalogue to check the code: nothing can have changed.
REGISTER: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(
        AuditOutcome.INVALID,
        _REFUSED,
        on_field={
            "customer_code": gettext_lazy(
                "FlashStart does not know customer code %(customer_code)s. "
                "Check the code in the FlashStart customer area."
            )
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
    Failure.INVALID: Rule(AuditOutcome.FAILED, _VENDOR_WORDS, vendor_fields=True),
    Failure.REFUSED: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
    Failure.FOREIGN: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
    Failure.UNANSWERED: Rule(
        AuditOutcome.UNKNOWN,
        gettext_lazy(
            "FlashStart did not confirm. The customer may have been created: check "
            "the FlashStart customer area before trying again, then link it by code."
        ),
    ),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
}

_NO_LINK = Rule(
    AuditOutcome.FAILED,
    gettext_lazy("FlashStart gave no login link: %(reason)s"),
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

    `message` is the main text; `errors` the same for a form (field name → messages), both
    translated when written out; `field_errors` the vendor's own messages per field.
    """

    failure: Failure
    outcome: str
    level: str
    message: texts.StrOrPromise
    errors: dict[str, list[texts.StrOrPromise]]
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
    message = texts.message(
        rule.message,
        reason=vendor_reason(exc),
        status=exc.status or "",
        customer_code=customer_code,
    )
    errors: dict[str, list[texts.StrOrPromise]] = {"__all__": [message]}
    if rule.vendor_fields and field_errors:
        errors = {name: list(messages) for name, messages in field_errors.items()}
    for name, text in rule.on_field.items():
        if name in field_errors:
            errors = {name: [texts.message(text, customer_code=customer_code)]}
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
