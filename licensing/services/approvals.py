"""Deciding on purchases above a person's spending limit (requested through
`approval_requests`): approved or rejected by a manager (never the requester), or expired
after PORTAL_APPROVAL_EXPIRY_DAYS.

Approving re-quotes the price (a changed price must be
confirmed by the manager), marks the request approved by a conditional update (so two
managers approving at once cannot both go on), and runs the sale through
`license_assign`, the path every sale takes, with the request's own UUID as the one-time
token: even a second run finds the first row instead of buying again. The sale is
recorded as the requester's (`created_by`), approved by the manager (`decided_by`).
Every step writes an audit row with the amounts; requesters and managers get an e-mail.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from licensing import audit, formatting, selectors, upstream
from licensing.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuditAction,
    AuditOutcome,
    Customer,
)
from licensing.services import access, approval_mail, assignments, settling
from licensing.services.outcomes import ActionOutcome, InputInvalid, PermissionRefused


class PriceChanged(InputInvalid):
    """The vendor's price is not the one requested: the manager must confirm the new one
    (pass it back as `confirmed_amount`). Audited when raised."""

    def __init__(self, errors: dict[str, list[str]], *, old: Decimal, new: Decimal, currency: str):
        super().__init__(errors)
        self.old, self.new, self.currency = old, new, currency


def approval_approve(
    *,
    meta: audit.RequestMeta,
    approval: ApprovalRequest,
    confirmed_amount: Decimal | None = None,
    repeat_of: int | None = None,
) -> ActionOutcome:
    """Approve `approval` and buy the licence through `license_assign` (once, whoever else
    approves it at the same time). `confirmed_amount` is the new price the manager was
    shown when the vendor's price changed; `repeat_of` confirms a repeat purchase.

    Returns the sale's outcome. Raises PermissionRefused, PriceChanged, RepeatPurchase or
    InputInvalid (all audited) with the request left pending.
    """
    action = AuditAction.APPROVAL_APPROVE
    customer = approval.customer
    _require_decider(meta, approval, action, "approve")
    approval = _still_pending(meta, approval, action)

    try:
        found = selectors.license_quote(
            customer=customer, license_code=approval.license_code, currency_code=approval.currency
        )
    except upstream.UpstreamError as exc:
        text = f"The price could not be checked again: {exc}"
        raise _refuse(meta, action, customer, text) from None
    if found is None or found.amount is None or found.currency != approval.currency:
        raise _refuse(
            meta,
            action,
            customer,
            f"FlashStart no longer offers {approval.license_code} in {approval.currency} to "
            "this customer at a readable price: it cannot be bought now.",
        )
    new = Decimal(found.amount)
    if new != approval.amount and confirmed_amount != new:
        text = (
            f"The price changed from {_money(approval.amount, approval.currency)} to "
            f"{_money(new, approval.currency)}. Confirm the new price to approve."
        )
        settling.refuse(
            meta=meta,
            action=action,
            errors={"__all__": [text]},
            customer_code=customer.customer_code,
            prefix=f"Approval #{approval.pk} held: price changed",
        )
        raise PriceChanged(
            {"__all__": [text]}, old=approval.amount, new=new, currency=found.currency
        )

    with transaction.atomic():
        won = ApprovalRequest.objects.filter(
            pk=approval.pk, status=ApprovalStatus.PENDING, expires_at__gt=timezone.now()
        ).update(
            status=ApprovalStatus.APPROVED,
            decided_by=meta.user,
            decided_at=timezone.now(),
            approved_amount=new,
        )
        if won:
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=customer.customer_code,
                message=(
                    f"Approved request #{approval.pk} by {_username(approval.requested_by)}: "
                    f"{approval.license_code} “{approval.license_info}” for "
                    f"{_money(new, approval.currency)}"
                    + (
                        f" (requested at {_money(approval.amount, approval.currency)})"
                        if new != approval.amount
                        else ""
                    )
                ),
            )
    if not won:
        _still_pending(meta, approval, action)  # says who decided (or that it expired)
        raise _refuse(meta, action, customer, "This request was decided meanwhile.")

    try:
        outcome = assignments.license_assign(
            meta=meta,
            customer=customer,
            license_code=approval.license_code,
            license_info=approval.license_info,
            token=approval.token,
            currency_code=approval.currency,
            license_name=found.name or approval.license_name,
            quoted_amount=new,
            points=found.points,
            accept_notifications=approval.accept_notifications,
            repeat_of=repeat_of,
            on_behalf_of=approval.requested_by,
        )
    except InputInvalid:
        # Refused before anything was recorded or sent: the request waits again.
        ApprovalRequest.objects.filter(
            pk=approval.pk, status=ApprovalStatus.APPROVED, assignment__isnull=True
        ).update(status=ApprovalStatus.PENDING, decided_by=None, decided_at=None)
        raise
    if outcome.assignment is not None:
        ApprovalRequest.objects.filter(pk=approval.pk, assignment__isnull=True).update(
            assignment=outcome.assignment
        )
    approval.refresh_from_db()
    if not outcome.duplicate:
        approval_mail.notify(approval, "decided", approval_mail.people(approval, meta))
    return outcome


def approval_reject(
    *, meta: audit.RequestMeta, approval: ApprovalRequest, reason: str
) -> ApprovalRequest:
    """Reject `approval` with a reason the requester is shown. Nothing reaches the vendor.

    Raises PermissionRefused or InputInvalid (audited)."""
    action = AuditAction.APPROVAL_REJECT
    customer = approval.customer
    _require_decider(meta, approval, action, "reject")
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 2000:
        raise settling.refuse(
            meta=meta,
            action=action,
            errors={"reason": ["Say why, in a few words (the requester reads it)."]},
            customer_code=customer.customer_code,
        )
    approval = _still_pending(meta, approval, action)
    with transaction.atomic():
        won = ApprovalRequest.objects.filter(pk=approval.pk, status=ApprovalStatus.PENDING).update(
            status=ApprovalStatus.REJECTED,
            decided_by=meta.user,
            decided_at=timezone.now(),
            reason=reason,
        )
        if won:
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=customer.customer_code,
                message=(
                    f"Rejected request #{approval.pk} by {_username(approval.requested_by)}: "
                    f"{approval.license_code} for {_money(approval.amount, approval.currency)}. "
                    f"Reason: {reason}"
                )[:2000],
            )
    if not won:
        _still_pending(meta, approval, action)
        raise _refuse(meta, action, customer, "This request was decided meanwhile.")
    approval.refresh_from_db()
    approval_mail.notify(approval, "decided", approval_mail.people(approval, meta))
    return approval


def approvals_expire(*, meta: audit.RequestMeta | None = None) -> int:
    """Mark every pending request past its expiry as expired (each audited, its requester
    told). Returns how many."""
    expired = 0
    due = ApprovalRequest.objects.filter(
        status=ApprovalStatus.PENDING, expires_at__lte=timezone.now()
    ).select_related("customer", "requested_by")
    for approval in due:
        if _expire(meta, approval):
            expired += 1
    return expired


# --- steps --------------------------------------------------------------------------------


def _require_decider(meta, approval: ApprovalRequest, action: str, verb: str) -> None:
    code = approval.customer.customer_code
    access.require_manager(
        meta=meta, what=f"{verb} purchases (managers only)", action=action, customer_code=code
    )
    user_pk = getattr(meta.user, "pk", None)
    if user_pk is not None and approval.requested_by_id == user_pk:
        # Always recorded (not counted like other refusals): four eyes is the point.
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.DENIED,
            customer_code=code,
            message=f"Refused: {verb} their own request #{approval.pk}",
        )
        raise PermissionRefused(f"You cannot {verb} your own request: another manager decides.")


def _still_pending(meta, approval: ApprovalRequest, action: str) -> ApprovalRequest:
    """The request as stored now; raises InputInvalid (audited) unless it is pending (one
    past its expiry is marked expired first)."""
    approval = ApprovalRequest.objects.select_related(
        "customer", "requested_by", "decided_by", "assignment"
    ).get(pk=approval.pk)
    if approval.is_expired:
        _expire(None, approval)
        approval.refresh_from_db()
    if approval.status == ApprovalStatus.PENDING:
        return approval
    if approval.status == ApprovalStatus.EXPIRED:
        text = f"This request expired on {formatting.moment(approval.expires_at)}: ask again."
    else:
        text = (
            f"{_username(approval.decided_by)} already {approval.get_status_display().lower()} "
            f"this request on {formatting.moment(approval.decided_at)}."
        )
    raise settling.refuse(
        meta=meta,
        action=action,
        errors={"__all__": [text]},
        customer_code=approval.customer.customer_code,
        outcome=AuditOutcome.DUPLICATE,
        prefix=f"Request #{approval.pk} not pending",
    )


def _expire(meta, approval: ApprovalRequest) -> bool:
    with transaction.atomic():
        done = ApprovalRequest.objects.filter(
            pk=approval.pk, status=ApprovalStatus.PENDING, expires_at__lte=timezone.now()
        ).update(status=ApprovalStatus.EXPIRED, decided_at=timezone.now())
        if done:
            audit.record(
                meta=meta,
                action=AuditAction.APPROVAL_EXPIRE,
                outcome=AuditOutcome.SUCCESS,
                customer_code=approval.customer.customer_code,
                message=(
                    f"Request #{approval.pk} by {_username(approval.requested_by)} expired "
                    f"undecided: {approval.license_code} for "
                    f"{_money(approval.amount, approval.currency)}"
                ),
            )
    if done:
        approval.refresh_from_db()
        approval_mail.notify(approval, "decided", approval_mail.people(approval, None))
    return bool(done)


def _refuse(meta, action: str, customer: Customer, text: str) -> InputInvalid:
    return settling.refuse(
        meta=meta, action=action, errors={"__all__": [text]}, customer_code=customer.customer_code
    )


def _money(amount, currency: str) -> str:
    return formatting.money(amount, currency)


def _username(user) -> str:
    return getattr(user, "username", "") or "someone"
