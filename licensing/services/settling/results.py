"""What a vendor result means for an assignment or a renewal, saved with its audit row.

A confirmed purchase or demo is ACTIVE once the vendor names its licence id; details it
left out or wrote oddly, and an amount deducted other than the one shown, are flagged for
a manager. A failed call is FAILED, or UNKNOWN when the vendor may have acted. A renewal
change follows the vendor's answer. The writes go through `services.safekeeping`.

Messages are made lazily (`licensing.texts`): staff read them in the page's language, the
audit row and the notes kept on the assignment have them in English.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from licensing import audit, texts, upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditOutcome,
    LicenseAssignment,
    Renewal,
)
from licensing.services import safekeeping
from licensing.services.outcomes import ActionOutcome
from licensing.services.settling.failures import ASSIGN, RENEWAL, UNKNOWN_MESSAGE, judge


def assignment_bought(
    *, meta: audit.RequestMeta, assignment: LicenseAssignment, result: upstream.AssignResult
) -> ActionOutcome:
    """Settle a paid assignment the vendor confirmed with a licence id: ACTIVE. Missing or
    odd details, and an amount deducted other than the one shown, are kept, audited and
    flagged for a manager (`needs_review`), never a reason to call the sale unknown."""
    checks = _unread(result.unread, result.raw)
    amount = result.deducted_amount
    if amount is not None and not safekeeping.storable(amount):
        checks.append(
            texts.message(
                gettext_lazy("an amount the portal cannot store (“%(written)s”)"),
                written=result.raw["deducted_amount"],
            )
        )
        amount = None
    shown = (assignment.quoted_amount, assignment.currency)
    if amount is not None and shown[0] is not None and (amount, result.currency) != shown:
        checks.append(
            texts.message(
                gettext_lazy("%(deducted)s deducted where %(shown)s was shown"),
                deducted=texts.money(amount, result.currency),
                shown=texts.money(*shown),
            )
        )
    message = texts.message(
        gettext_lazy(
            "Assigned %(licence)s to %(customer)s: %(amount)s deducted, valid until %(expiry)s."
        ),
        licence=assignment.license_name or assignment.license_code,
        customer=assignment.customer.name,
        amount=texts.money(amount, result.currency),
        expiry=texts.day(result.expiry_date),
    )
    fields = {
        "license_id": result.license_id,
        "start_date": result.start_date,
        "expiry_date": result.expiry_date,
        "amount": amount,
        "currency": result.currency,
    }
    return _confirmed(meta, assignment, result, message, fields, checks)


def demo_given(
    *, meta: audit.RequestMeta, assignment: LicenseAssignment, result: upstream.DemoResult
) -> ActionOutcome:
    """Settle a demo the vendor confirmed with a licence id: ACTIVE (flagged for a manager
    when its expiry date is missing or odd)."""
    message = texts.message(
        gettext_lazy("Demo assigned to %(customer)s, valid until %(expiry)s."),
        customer=assignment.customer.name,
        expiry=texts.day(result.expiry_date),
    )
    fields = {
        "license_id": result.license_id,
        "license_code": result.version[:64] or assignment.license_code,
        "license_name": result.license_name[:255] or assignment.license_name,
        "start_date": timezone.localdate(),
        "expiry_date": result.expiry_date,
    }
    checks = _unread(result.unread, result.raw)
    return _confirmed(meta, assignment, result, message, fields, checks)


def _confirmed(
    meta: audit.RequestMeta,
    assignment: LicenseAssignment,
    result: upstream.AssignResult | upstream.DemoResult,
    message: texts.StrOrPromise,
    fields: dict[str, Any],
    checks: list[texts.StrOrPromise],
) -> ActionOutcome:
    """Keep the vendor's answer, then settle: ACTIVE, or UNKNOWN when the licence id is
    more than the portal can store (cut short, it would name another licence)."""
    safekeeping.answer_keep(
        assignment=assignment, call=result.call, license_id=result.license_id, raw=result.raw
    )
    action = _ACTIONS[assignment.kind]
    if len(result.license_id) > safekeeping.LICENSE_ID_MAX:
        return assignment_settle(
            meta=meta,
            action=action,
            assignment=assignment,
            status=AssignmentStatus.UNKNOWN,
            outcome=AuditOutcome.UNKNOWN,
            level="warning",
            message=texts.message(
                gettext_lazy(
                    "%(unknown)s (FlashStart's licence id is too long to store. %(kept)s)"
                ),
                unknown=texts.message(UNKNOWN_MESSAGE),
                kept=texts.message(safekeeping.ANSWER_KEPT),
            ),
            call=result.call,
            fields={},
        )
    if checks:
        note = texts.message(
            gettext_lazy("FlashStart's answer had %(details)s."),
            details=texts.joined("; ", checks),
        )
        fields.update(needs_review=True, review_note=texts.english(note))
        message = texts.message(
            gettext_lazy("%(message)s A manager will check it: %(note)s"),
            message=message,
            note=note,
        )
    return assignment_settle(
        meta=meta,
        action=action,
        assignment=assignment,
        status=AssignmentStatus.ACTIVE,
        outcome=AuditOutcome.SUCCESS,
        level="success",
        message=message,
        call=result.call,
        fields=fields,
    )


_ACTIONS: dict[str, str] = {
    AssignmentKind.PAID: AuditAction.LICENSE_ASSIGN,
    AssignmentKind.DEMO: AuditAction.DEMO_ASSIGN,
}


# The details of a vendor's answer that may be missing or unreadable, as a manager reads them.
_UNREADABLE = {
    "start_date": gettext_lazy("no readable start date"),
    "expiry_date": gettext_lazy("no readable expiry date"),
    "deducted_amount": gettext_lazy("no readable deducted amount"),
    "currency_code": gettext_lazy("no readable currency code"),
}


def _unread(unread: tuple[str, ...], raw: Mapping[str, str]) -> list[texts.StrOrPromise]:
    """The details a manager should check, in words, with what the vendor wrote."""
    checks: list[texts.StrOrPromise] = []
    for name in unread:
        text = _UNREADABLE.get(name) or texts.message(
            gettext_lazy("no readable %(detail)s"), detail=name.replace("_", " ")
        )
        written = raw.get(name, "")
        if written:
            text = texts.message(
                gettext_lazy("%(detail)s (“%(written)s”)"), detail=text, written=written
            )
        checks.append(text)
    return checks


def assignment_failed(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    exc: upstream.UpstreamError,
) -> ActionOutcome:
    """Settle a PENDING assignment whose vendor call failed: FAILED, or UNKNOWN when the
    vendor may have acted (then it must not be tried again; its answer is kept first)."""
    verdict = judge(exc, ASSIGN)
    failed = verdict.outcome != AuditOutcome.UNKNOWN
    if not failed:
        safekeeping.answer_keep(assignment=assignment, call=verdict.call)
    return assignment_settle(
        meta=meta,
        action=action,
        assignment=assignment,
        status=AssignmentStatus.FAILED if failed else AssignmentStatus.UNKNOWN,
        outcome=verdict.outcome,
        level=verdict.level,
        message=verdict.message,
        call=verdict.call,
        # Kept in English, like the audit row; translated when shown (`texts.translated`).
        fields={"failure_message": texts.english(verdict.message)[:2000]} if failed else {},
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
    message: texts.StrOrPromise,
    call: upstream.CallRecord | None,
    fields: dict[str, Any],
    field_errors: dict[str, list[str]] | None = None,
) -> ActionOutcome:
    """Save the outcome of a PENDING assignment and its audit row in one transaction
    (`safekeeping.assignment_store`), and return what to show.

    When the outcome cannot be saved, the assignment is left UNKNOWN for a manager (the
    vendor's answer kept); when someone settled it first, nothing changes, and staff are
    told so.
    """
    stored = safekeeping.assignment_store(
        meta=meta,
        action=action,
        assignment=assignment,
        status=status,
        outcome=outcome,
        message=message,
        call=call,
        fields=fields,
        unknown_message=UNKNOWN_MESSAGE,
    )
    assignment.refresh_from_db()
    if stored == "late":
        level = "warning"
        message = texts.message(
            gettext_lazy(
                "A manager settled this assignment before FlashStart's answer was saved, so "
                "nothing was changed: it is %(status)s."
            ),
            status=texts.lowered(AssignmentStatus(assignment.status).label),
        )
    elif stored != "stored":
        level, message = "warning", texts.message(UNKNOWN_MESSAGE)
    return ActionOutcome(
        level=level, message=message, assignment=assignment, field_errors=field_errors or {}
    )


def renewal_changed(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    target: str,
    result: upstream.MessageResult,
    note: texts.StrOrPromise,
    lease: uuid.UUID,
) -> ActionOutcome:
    """The vendor made the renewal change (or says it was already suspended): record
    `target` with the audit row (with `note`), while this change still holds the
    licence's lease."""
    message: texts.StrOrPromise
    if target == Renewal.SUSPENDED:
        message = gettext_lazy(
            "Renewal suspended: the licence stays active until its expiry, then stops."
        )
    else:
        message = gettext_lazy("Renewal resumed: the licence will renew at its expiry.")
    if result.already:
        message = texts.joined(
            " ", [message, gettext_lazy("(FlashStart says it was already suspended.)")]
        )
    held = safekeeping.renewal_store(
        meta=meta,
        action=action,
        assignment=assignment,
        target=target,
        lease=lease,
        message=texts.joined(" ", [message, note]),
        call=result.call,
    )
    if not held:  # the lease lapsed and another change took over
        message = texts.message(
            gettext_lazy(
                "FlashStart confirmed, but another change to this renewal followed. %(message)s"
            ),
            message=message,
        )
    assignment.refresh_from_db()
    return ActionOutcome(
        level="success" if held else "warning", message=message, assignment=assignment
    )


def renewal_failed(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    exc: upstream.UpstreamError,
    note: texts.StrOrPromise = "",
) -> ActionOutcome:
    """Audit a renewal change the vendor did not make; the local renewal stays as it was."""
    verdict = judge(exc, RENEWAL)
    audit.record(
        meta=meta,
        action=action,
        outcome=verdict.outcome,
        customer_code=assignment.customer.customer_code,
        assignment=assignment,
        message=texts.english(texts.joined(" ", [verdict.message, note])),
        call=verdict.call,
    )
    return ActionOutcome(level="error", message=verdict.message, assignment=assignment)
