"""Suspending and resuming a licence's renewal.

Both are idempotent at the vendor (a 405 means "already in that state"), so they are safe
to repeat, and the local record follows the vendor's answer.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from licensing import audit, upstream
from licensing.models import AuditAction, AuditOutcome, LicenseAssignment, Renewal
from licensing.services import access, settling
from licensing.services.outcomes import ActionOutcome


def renewal_suspend(
    *, meta: audit.RequestMeta, assignment: LicenseAssignment, reason: str
) -> ActionOutcome:
    """Stop the licence renewing at its expiry. A reason is required and audited."""
    reason = " ".join((reason or "").split())
    errors = {}
    if len(reason) < 3:
        errors["reason"] = ["Say why renewal is being suspended (a few words)."]
    elif len(reason) > 500:
        errors["reason"] = ["Keep the reason under 500 characters."]
    return _change(
        meta=meta,
        assignment=assignment,
        action=AuditAction.RENEWAL_SUSPEND,
        target=Renewal.SUSPENDED,
        call=upstream.FlashStartClient.renewal_suspend,
        errors=errors,
        note=f"Reason: {reason}",
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


def _change(
    *,
    meta: audit.RequestMeta,
    assignment: LicenseAssignment,
    action: str,
    target: str,
    call: Callable[..., upstream.MessageResult],
    errors: dict[str, list[str]],
    note: str,
) -> ActionOutcome:
    customer = assignment.customer
    verb = "suspend" if target == Renewal.SUSPENDED else "resume"
    access.require_sales(
        meta=meta, what=f"{verb} renewals", action=action, customer_code=customer.customer_code
    )
    if not assignment.can_change_renewal:
        errors = {"__all__": ["Only an active paid licence has a renewal to change."], **errors}
    if errors:
        raise settling.refuse(
            meta=meta,
            action=action,
            errors=errors,
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
        return settling.renewal_failed(
            meta=meta, action=action, assignment=assignment, exc=exc, note=note
        )

    if target == Renewal.SUSPENDED:
        message = "Renewal suspended: the licence stays active until its expiry, then stops."
    else:
        message = "Renewal resumed: the licence will renew at its expiry."
    if result.already:
        message += " (FlashStart says it was already in that state.)"
    with transaction.atomic():
        LicenseAssignment.objects.filter(pk=assignment.pk).update(
            renewal=target, updated_at=timezone.now()
        )
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.SUCCESS,
            customer_code=customer.customer_code,
            assignment=assignment,
            message=f"{message} {note}".strip(),
            call=result.call,
        )
    assignment.refresh_from_db()
    return ActionOutcome(level="success", message=message, assignment=assignment)
