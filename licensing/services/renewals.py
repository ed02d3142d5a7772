"""Suspending and resuming a licence's renewal.

The local record follows the vendor's answer: only the vendor's "already suspended"
counts as done without a change; any other refusal changes nothing here. Changes to one
licence are serialised by a lease on its row, taken and given back by conditional updates
(never a lock or a transaction held across the vendor call): while one change is being
sent, another is refused as such, so the portal's last word is the vendor's last word.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from licensing import audit, texts, upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    LicenseAssignment,
    Renewal,
)
from licensing.services import access, safekeeping, settling
from licensing.services.outcomes import ActionOutcome

BUSY_MESSAGE = gettext_noop(
    "Someone else is changing this licence's renewal right now. Reload the page to see how "
    "it ended before trying again."
)


def renewal_suspend(
    *, meta: audit.RequestMeta, assignment: LicenseAssignment, reason: str
) -> ActionOutcome:
    """Stop the licence renewing at its expiry. A reason is required and audited."""
    reason = " ".join((reason or "").split())
    errors: dict[str, list[texts.StrOrPromise]] = {}
    if len(reason) < 3:
        errors["reason"] = [gettext_lazy("Say why renewal is being suspended (a few words).")]
    elif len(reason) > 500:
        errors["reason"] = [gettext_lazy("Keep the reason under 500 characters.")]
    return _change(
        meta=meta,
        assignment=assignment,
        action=AuditAction.RENEWAL_SUSPEND,
        target=Renewal.SUSPENDED,
        call=upstream.FlashStartClient.renewal_suspend,
        errors=errors,
        note=texts.message(gettext_lazy("Reason: %(reason)s"), reason=reason),
    )


def renewal_resume(*, meta: audit.RequestMeta, assignment: LicenseAssignment) -> ActionOutcome:
    """Let the licence renew again at its expiry."""
    return _change(
        meta=meta,
        assignment=assignment,
        action=AuditAction.RENEWAL_RESUME,
        target=Renewal.ON,
        call=upstream.FlashStartClient.renewal_enable,
        errors={},
        note="",
    )


def renewal_record(
    *, meta: audit.RequestMeta, assignment: LicenseAssignment, target: str, note: str
) -> ActionOutcome:
    """Record the renewal state a manager read in FlashStart's customer area, with no call.

    The way out when a change's answer was lost after FlashStart acted: a retried resume
    gets "License already suspended." whatever the state, which proves nothing, so the
    state is taken from where FlashStart shows it. Managers only; audited with `note`
    (where they checked). Takes the licence's renewal lease like a change, so it never
    crosses one in flight.
    """
    action = (
        AuditAction.RENEWAL_SUSPEND if target == Renewal.SUSPENDED else AuditAction.RENEWAL_RESUME
    )
    customer = assignment.customer
    access.require_manager(
        meta=meta,
        what=gettext_lazy("record a renewal as FlashStart shows it"),
        action=action,
        customer_code=customer.customer_code,
    )
    note = " ".join((note or "").split())
    errors: dict[str, list[texts.StrOrPromise]] = {}
    if target not in (Renewal.ON, Renewal.SUSPENDED):
        errors["renewal"] = [gettext_lazy("Choose what FlashStart shows.")]
    if len(note) < 3:
        errors["note"] = [gettext_lazy("Say where you checked (a few words).")]
    elif len(note) > 500:
        errors["note"] = [gettext_lazy("Keep the note under 500 characters.")]
    if not assignment.can_change_renewal:
        errors["__all__"] = [gettext_lazy("Only an active paid licence has a renewal to change.")]
    lease = None if errors else _lease_take(assignment, target)
    if lease is None and not errors:
        assignment.refresh_from_db()
        errors["__all__"] = [
            gettext_lazy("The renewal is recorded that way already.")
            if assignment.renewal == target
            else texts.message(BUSY_MESSAGE)
        ]
    if errors or lease is None:
        raise settling.refuse(
            meta=meta,
            action=action,
            errors=errors,
            customer_code=customer.customer_code,
            assignment=assignment,
            name_fields=False,
        )
    if target == Renewal.SUSPENDED:
        message = gettext_lazy(
            "Recorded as FlashStart shows it, with no call: renewal suspended. Checked: %(note)s"
        )
    else:
        message = gettext_lazy(
            "Recorded as FlashStart shows it, with no call: renewal on. Checked: %(note)s"
        )
    held = safekeeping.renewal_store(
        meta=meta,
        action=action,
        assignment=assignment,
        target=target,
        lease=lease,
        message=texts.message(message, note=note),
        call=None,
    )
    assignment.refresh_from_db()
    if not held:  # the lease lapsed meanwhile and another change took over
        return ActionOutcome(
            level="error", message=texts.message(BUSY_MESSAGE), assignment=assignment
        )
    return ActionOutcome(
        level="success", message=texts.message(message, note=note), assignment=assignment
    )


def _change(
    *,
    meta: audit.RequestMeta,
    assignment: LicenseAssignment,
    action: str,
    target: str,
    call: Callable[..., upstream.MessageResult],
    errors: dict[str, list[texts.StrOrPromise]],
    note: texts.StrOrPromise,
) -> ActionOutcome:
    customer = assignment.customer
    if target == Renewal.SUSPENDED:
        what = gettext_lazy("suspend renewals")
    else:
        what = gettext_lazy("resume renewals")
    access.require_sales(meta=meta, what=what, action=action, customer_code=customer.customer_code)
    if not assignment.can_change_renewal:
        fixed = gettext_lazy("Only an active paid licence has a renewal to change.")
        errors = {"__all__": [fixed], **errors}
    if errors:
        raise settling.refuse(
            meta=meta,
            action=action,
            errors=errors,
            customer_code=customer.customer_code,
            assignment=assignment,
            name_fields=False,
        )

    lease = _lease_take(assignment, target)
    if lease is None:
        assignment.refresh_from_db()
        busy: dict[str, list[texts.StrOrPromise]]
        if assignment.renewal == target and target == Renewal.SUSPENDED:
            busy = {"__all__": [gettext_lazy("Renewal is already suspended.")]}
        elif assignment.renewal == target:
            busy = {"__all__": [gettext_lazy("Renewal is already on.")]}
        else:
            busy = {"__all__": [texts.message(BUSY_MESSAGE)]}
        raise settling.refuse(
            meta=meta,
            action=action,
            errors=busy,
            customer_code=customer.customer_code,
            assignment=assignment,
            name_fields=False,
        )
    try:
        result = call(
            upstream.get_client(),
            customer_code=customer.customer_code,
            license_id=assignment.license_id,
        )
    except upstream.UpstreamError as exc:
        _lease_give_back(assignment, lease)
        return settling.renewal_failed(
            meta=meta, action=action, assignment=assignment, exc=exc, note=note
        )
    except BaseException:
        _lease_give_back(assignment, lease)
        raise
    return settling.renewal_changed(
        meta=meta,
        action=action,
        assignment=assignment,
        target=target,
        result=result,
        note=note,
        lease=lease,
    )


def _lease_take(assignment: LicenseAssignment, target: str) -> uuid.UUID | None:
    """Take the licence's renewal lease for one change to `target`; None when another
    change holds it or the renewal already is `target` here. The lease lapses by itself
    after the longest a vendor call can take, should its holder never give it back."""
    lease = uuid.uuid4()
    now = timezone.now()
    free = Q(renewal_change__isnull=True) | Q(renewal_change_until__lt=now)
    taken = (
        LicenseAssignment.objects.filter(
            free, pk=assignment.pk, status=AssignmentStatus.ACTIVE, kind=AssignmentKind.PAID
        )
        .exclude(renewal=target)
        .update(
            renewal_change=lease,
            renewal_change_until=now + timedelta(seconds=settings.FLASHSTART_TIMEOUT * 2 + 30),
        )
    )
    return lease if taken else None


def _lease_give_back(assignment: LicenseAssignment, lease: uuid.UUID) -> None:
    LicenseAssignment.objects.filter(pk=assignment.pk, renewal_change=lease).update(
        renewal_change=None, renewal_change_until=None
    )
