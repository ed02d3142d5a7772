"""What a vendor result means for an assignment or a renewal, saved with its audit row.

A confirmed purchase or demo is ACTIVE once the vendor names its licence id; details it
left out or wrote oddly, and an amount deducted other than the one shown, are flagged for
a manager. A failed call is FAILED, or UNKNOWN when the vendor may have acted. A renewal
change follows the vendor's answer. The writes go through `services.safekeeping`.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from licensing import audit, formatting, upstream
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
        checks.append(f"an amount the portal cannot store (“{result.raw['deducted_amount']}”)")
        amount = None
    shown = (assignment.quoted_amount, assignment.currency)
    if amount is not None and shown[0] is not None and (amount, result.currency) != shown:
        checks.append(
            f"{formatting.money(amount, result.currency)} deducted where "
            f"{formatting.money(*shown)} was shown"
        )
    message = (
        f"Assigned {assignment.license_name or assignment.license_code} to "
        f"{assignment.customer.name}: {formatting.money(amount, result.currency)} deducted, "
        f"valid until {formatting.day(result.expiry_date)}."
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
    message = (
        f"Demo assigned to {assignment.customer.name}, "
        f"valid until {formatting.day(result.expiry_date)}."
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
    message: str,
    fields: dict[str, Any],
    checks: list[str],
) -> ActionOutcome:
    """Keep the vendor's answer, then settle: ACTIVE, or UNKNOWN when the licence id is
    more than the portal can store (cut short, it would name another licence)."""
    safekeeping.answer_keep(
        assignment=assignment, call=result.call, license_id=result.license_id, raw=result.raw
    )
    action = _ACTIONS[assignment.kind]
    if len(result.license_id) > safekeeping.LICENSE_ID_MAX:
        long_id = f"FlashStart's licence id is too long to store. {safekeeping.ANSWER_KEPT}"
        return assignment_settle(
            meta=meta,
            action=action,
            assignment=assignment,
            status=AssignmentStatus.UNKNOWN,
            outcome=AuditOutcome.UNKNOWN,
            level="warning",
            message=f"{UNKNOWN_MESSAGE} ({long_id})",
            call=result.call,
            fields={},
        )
    if checks:
        note = "FlashStart's answer had " + "; ".join(checks) + "."
        fields.update(needs_review=True, review_note=note)
        message = f"{message} A manager will check it: {note}"
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


def _unread(unread: tuple[str, ...], raw: Mapping[str, str]) -> list[str]:
    """The details a manager should check, in words, with what the vendor wrote."""
    said = [(f"no readable {name.replace('_', ' ')}", raw.get(name, "")) for name in unread]
    return [f"{text} (“{written}”)" if written else text for text, written in said]


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
        message = (
            "A manager settled this assignment before FlashStart's answer was saved, so "
            f"nothing was changed: it is {assignment.get_status_display().lower()}."
        )
    elif stored != "stored":
        level, message = "warning", UNKNOWN_MESSAGE
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
    note: str,
    lease: uuid.UUID,
) -> ActionOutcome:
    """The vendor made the renewal change (or says it was already suspended): record
    `target` with the audit row, while this change still holds the licence's lease."""
    if target == Renewal.SUSPENDED:
        message = "Renewal suspended: the licence stays active until its expiry, then stops."
    else:
        message = "Renewal resumed: the licence will renew at its expiry."
    if result.already:
        message += " (FlashStart says it was already suspended.)"
    held = safekeeping.renewal_store(
        meta=meta,
        action=action,
        assignment=assignment,
        target=target,
        lease=lease,
        message=f"{message} {note}".strip(),
        call=result.call,
    )
    if not held:  # the lease lapsed and another change took over
        message = f"FlashStart confirmed, but another change to this renewal followed. {message}"
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
