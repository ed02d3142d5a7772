"""Turning what the vendor did into what the portal records and says: the one place for it.

A failed call (`upstream.UpstreamError`) is first sorted into a `Failure` (`failure_of`);
each service's `Wording` then says what that kind of failure means for it: the audit
outcome and the words staff see (`judge`). Around that sit the writes that settle an
attempt with its audit row: an assignment's (`assignment_settle`, `assignment_failed`),
a renewal change's (`renewal_failed`), and a refusal of input (`refuse`, `refuse_failure`).
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing import audit, upstream
from licensing.models import AssignmentStatus, AuditOutcome, LicenseAssignment
from licensing.services.outcomes import ActionOutcome, InputInvalid

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
    REFUSED = "refused"  # the vendor refused the request (405, another 4xx)
    UNANSWERED = "unanswered"  # no clear answer: the vendor may have acted
    NOT_SENT = "not sent"  # no answer, but surely nothing happened upstream


def failure_of(exc: upstream.UpstreamError) -> Failure:
    """Which kind of failure `exc` is. A clear refusal wins over "may have taken effect"."""
    if isinstance(exc, upstream.KeyRejected):
        return Failure.KEY_REJECTED
    if isinstance(exc, upstream.ValidationFailed):
        return Failure.INVALID
    if isinstance(exc, upstream.Refused):
        return Failure.REFUSED
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

    `message` may name `{reason}` (the vendor's own words) and `{customer_code}`; it is
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
    Failure.UNANSWERED: Rule(AuditOutcome.UNKNOWN, UNKNOWN_MESSAGE, level="warning"),
    Failure.NOT_SENT: Rule(AuditOutcome.ERROR, NOT_SENT_MESSAGE),
}

_RENEWAL_UNCHANGED = (
    "FlashStart did not answer, so the renewal is unchanged here. It is safe to try again."
)
# Suspending and resuming are idempotent upstream: staff may simply try again.
RENEWAL: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, "FlashStart refused: {reason}"),
    Failure.REFUSED: Rule(AuditOutcome.FAILED, "FlashStart refused: {reason}"),
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
    Failure.UNANSWERED: _NOT_CHECKED,
    Failure.NOT_SENT: _NOT_CHECKED,
}

# Creating a customer: one may exist upstream after an unclear answer.
CREATE: Wording = {
    Failure.KEY_REJECTED: _KEY_REJECTED,
    Failure.INVALID: Rule(AuditOutcome.FAILED, "{reason}", vendor_fields=True),
    Failure.REFUSED: Rule(AuditOutcome.ERROR, UNREACHABLE_MESSAGE),
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
    message = rule.message.format(reason=vendor_reason(exc), customer_code=customer_code)
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


# --- refusals ---------------------------------------------------------------------------


def refuse(
    *,
    meta: audit.RequestMeta,
    action: str,
    errors: dict[str, list[str]],
    customer_code: int | None = None,
    assignment: LicenseAssignment | None = None,
    call: upstream.CallRecord | None = None,
    outcome: str = AuditOutcome.INVALID,
    prefix: str = "Refused input",
    name_fields: bool = True,
) -> InputInvalid:
    """Audit a refusal and return the InputInvalid for the caller to raise.

    The audit message is "<prefix>: <field>: <messages>; ..." (without the field names
    when `name_fields` is false), bounded to 2,000 characters.
    """
    text = "; ".join(
        f"{name}: {' '.join(messages)}" if name_fields else " ".join(messages)
        for name, messages in errors.items()
    )
    audit.record(
        meta=meta,
        action=action,
        outcome=outcome,
        customer_code=customer_code,
        assignment=assignment,
        call=call,
        message=f"{prefix}: {text}"[:2000],
    )
    return InputInvalid(errors)


def refuse_failure(
    *,
    meta: audit.RequestMeta,
    action: str,
    exc: upstream.UpstreamError,
    wording: Wording,
    customer_code: int | None = None,
) -> InputInvalid:
    """Audit a failed call that ends the attempt, and return the InputInvalid to raise."""
    verdict = judge(exc, wording, customer_code=customer_code)
    return refuse(
        meta=meta,
        action=action,
        errors=verdict.errors,
        customer_code=customer_code,
        call=verdict.call,
        outcome=verdict.outcome,
        prefix="Refused",
    )


# --- assignments and renewals -------------------------------------------------------------


def assignment_failed(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    exc: upstream.UpstreamError,
) -> ActionOutcome:
    """Settle a PENDING assignment whose vendor call failed: FAILED, or UNKNOWN when the
    vendor may have acted (then it must not be tried again)."""
    verdict = judge(exc, ASSIGN)
    failed = verdict.outcome != AuditOutcome.UNKNOWN
    return assignment_settle(
        meta=meta,
        action=action,
        assignment=assignment,
        status=AssignmentStatus.FAILED if failed else AssignmentStatus.UNKNOWN,
        outcome=verdict.outcome,
        level=verdict.level,
        message=verdict.message,
        call=verdict.call,
        fields={"failure_message": verdict.message[:2000]} if failed else {},
        field_errors=verdict.field_errors,
    )


def assignment_settle(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    status: str,
    outcome: str,
    level: str,
    message: str,
    call: upstream.CallRecord | None,
    fields: dict[str, Any],
    field_errors: dict[str, list[str]] | None = None,
) -> ActionOutcome:
    """Save the outcome of a PENDING assignment and its audit row in one transaction.

    Returns the outcome to show, with the assignment as now stored. When the vendor's
    answer cannot be stored (it conflicts with another record), the assignment is left
    UNKNOWN for a manager, with the answer in its audit row.
    """
    now = timezone.now()
    customer_code = assignment.customer.customer_code
    try:
        with transaction.atomic():
            LicenseAssignment.objects.filter(
                pk=assignment.pk, status=AssignmentStatus.PENDING
            ).update(status=status, settled_at=now, updated_at=now, **fields)
            audit.record(
                meta=meta,
                action=action,
                outcome=outcome,
                customer_code=customer_code,
                assignment=assignment,
                message=message,
                call=call,
            )
    except IntegrityError:
        # The vendor answered with something our records cannot hold (a licence id that
        # another assignment already has): keep the trace and let a manager look.
        level, outcome, message = "warning", AuditOutcome.UNKNOWN, UNKNOWN_MESSAGE
        with transaction.atomic():
            LicenseAssignment.objects.filter(
                pk=assignment.pk, status=AssignmentStatus.PENDING
            ).update(status=AssignmentStatus.UNKNOWN, settled_at=now, updated_at=now)
            audit.record(
                meta=meta,
                action=action,
                outcome=outcome,
                customer_code=customer_code,
                assignment=assignment,
                message=f"{message} (The vendor's answer conflicts with an existing record.)",
                call=call,
            )
    assignment.refresh_from_db()
    return ActionOutcome(
        level=level, message=message, assignment=assignment, field_errors=field_errors or {}
    )


def renewal_failed(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    exc: upstream.UpstreamError,
    note: str = "",
) -> ActionOutcome:
    """Audit a renewal change the vendor did not make; the local renewal stays as it was."""
    verdict = judge(exc, RENEWAL)
    audit.record(
        meta=meta,
        action=action,
        outcome=verdict.outcome,
        customer_code=assignment.customer.customer_code,
        assignment=assignment,
        message=f"{verdict.message} {note}".strip(),
        call=verdict.call,
    )
    return ActionOutcome(level="error", message=verdict.message, assignment=assignment)
