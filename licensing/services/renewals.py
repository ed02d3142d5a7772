"""Suspending and resuming a licence's renewal.

Both are idempotent at the vendor (a 405 means "already in that state"), so they are safe
to repeat, and the local record follows the vendor's answer.
"""

from django.db import transaction
from django.utils import timezone

from licensing import audit, upstream
from licensing.models import AuditAction, AuditOutcome, LicenseAssignment, Renewal
from licensing.services import access
from licensing.services.assignments import KEY_REJECTED_MESSAGE
from licensing.services.outcomes import ActionOutcome, InputInvalid, vendor_reason


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


def _change(*, meta, assignment, action, target, call, errors, note) -> ActionOutcome:
    customer = assignment.customer
    verb = "suspend" if target == Renewal.SUSPENDED else "resume"
    access.require_sales(
        meta=meta, what=f"{verb} renewals", action=action, customer_code=customer.customer_code
    )
    if not assignment.can_change_renewal:
        errors = {"__all__": ["Only an active paid licence has a renewal to change."], **errors}
    if errors:
        text = "; ".join(" ".join(m) for m in errors.values())
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.INVALID,
            customer_code=customer.customer_code,
            assignment=assignment,
            message=f"Refused input: {text}",
        )
        raise InputInvalid(errors)

    try:
        result = call(
            upstream.get_client(),
            customer_code=customer.customer_code,
            license_id=assignment.license_id,
        )
    except upstream.UpstreamError as exc:
        if isinstance(exc, upstream.KeyRejected):
            outcome, message = AuditOutcome.FAILED, KEY_REJECTED_MESSAGE
        elif isinstance(exc, upstream.ValidationFailed | upstream.Refused):
            outcome, message = AuditOutcome.FAILED, f"FlashStart refused: {vendor_reason(exc)}"
        else:
            outcome = AuditOutcome.UNKNOWN if exc.may_have_taken_effect else AuditOutcome.ERROR
            message = (
                "FlashStart did not answer, so the renewal is unchanged here. "
                "It is safe to try again."
            )
        audit.record(
            meta=meta,
            action=action,
            outcome=outcome,
            customer_code=customer.customer_code,
            assignment=assignment,
            message=f"{message} {note}".strip(),
            call=exc.call,
        )
        return ActionOutcome(level="error", message=message, assignment=assignment)

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
