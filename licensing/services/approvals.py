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

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from licensing import audit, selectors, texts, upstream
from licensing.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuditAction,
    AuditOutcome,
    Customer,
    LicenseAssignment,
    stuck_after,
)
from licensing.services import access, approval_mail, assignments, settling
from licensing.services.outcomes import ActionOutcome, InputInvalid, PermissionRefused


class PriceChanged(InputInvalid):
    """The vendor's price is not the one requested: the manager must confirm the new one
    (pass it back as `confirmed_amount`). Audited when raised."""

    def __init__(
        self,
        errors: dict[str, list[texts.StrOrPromise]],
        *,
        old: Decimal,
        new: Decimal,
        currency: str,
    ):
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
    _require_decider(meta, approval, action, _APPROVE)
    approval = _still_pending(meta, approval, action)

    try:
        found = selectors.license_quote(
            customer=customer, license_code=approval.license_code, currency_code=approval.currency
        )
    except upstream.UpstreamError as exc:
        text = texts.message(
            gettext_lazy("The price could not be checked again: %(reason)s"), reason=exc.text
        )
        raise _refuse(meta, action, customer, text) from None
    if found is None or found.amount is None or found.currency != approval.currency:
        gone = texts.message(
            gettext_lazy(
                "FlashStart no longer offers %(code)s in %(currency)s to this customer at a "
                "readable price: it cannot be bought now."
            ),
            code=approval.license_code,
            currency=approval.currency,
        )
        raise _refuse(meta, action, customer, gone)
    new = Decimal(found.amount)
    if new != approval.amount and confirmed_amount != new:
        text = texts.message(
            gettext_lazy(
                "The price changed from %(old)s to %(new)s. Confirm the new price to approve."
            ),
            old=_money(approval.amount, approval.currency),
            new=_money(new, approval.currency),
        )
        settling.refuse(
            meta=meta,
            action=action,
            errors={"__all__": [text]},
            customer_code=customer.customer_code,
            prefix=texts.message(
                gettext_lazy("Approval #%(number)s held: price changed"), number=approval.pk
            ),
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
                message=texts.english(
                    gettext_lazy(
                        "Approved request #%(number)s by %(requester)s: %(code)s “%(label)s” "
                        "for %(amount)s"
                    )
                    if new == approval.amount
                    else gettext_lazy(
                        "Approved request #%(number)s by %(requester)s: %(code)s “%(label)s” "
                        "for %(amount)s (requested at %(requested)s)"
                    ),
                    number=approval.pk,
                    requester=_username(approval.requested_by),
                    code=approval.license_code,
                    label=approval.license_info,
                    amount=_money(new, approval.currency),
                    requested=_money(approval.amount, approval.currency),
                ),
            )
    if not won:
        _still_pending(meta, approval, action)  # says who decided (or that it expired)
        raise _refuse(meta, action, customer, _DECIDED_MEANWHILE)

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
    _require_decider(meta, approval, action, _REJECT)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 2000:
        raise settling.refuse(
            meta=meta,
            action=action,
            errors={"reason": [gettext_lazy("Say why, in a few words (the requester reads it).")]},
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
                message=texts.english(
                    gettext_lazy(
                        "Rejected request #%(number)s by %(requester)s: %(code)s for "
                        "%(amount)s. Reason: %(reason)s"
                    ),
                    number=approval.pk,
                    requester=_username(approval.requested_by),
                    code=approval.license_code,
                    amount=_money(approval.amount, approval.currency),
                    reason=reason,
                )[:2000],
            )
    if not won:
        _still_pending(meta, approval, action)
        raise _refuse(meta, action, customer, _DECIDED_MEANWHILE)
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


def approval_recover(*, meta: audit.RequestMeta | None, approval: ApprovalRequest) -> str:
    """Settle an approval the portal stopped on between "approved" and its purchase.

    The purchase is recorded (with the request's token) before FlashStart is called, so:
    a recorded purchase is linked to the request, and follows its own states (a stale
    pending one is resolved like any other); with none recorded nothing was sent, and the
    request is re-opened for a manager to approve again. Audited. Returns "linked",
    "reopened" or "" (nothing to do: not stuck, or settled meanwhile). `meta` None: the
    daily job; else a manager (PermissionRefused, audited, for anyone else).
    """
    action = AuditAction.APPROVAL_REOPEN
    if meta is not None:
        access.require_manager(
            meta=meta,
            what=gettext_lazy("re-open approved requests"),
            action=action,
            customer_code=approval.customer.customer_code,
        )
    approval.refresh_from_db()
    if not approval.is_stuck:
        return ""
    bought = LicenseAssignment.objects.filter(token=approval.token).first()
    cutoff = timezone.now() - stuck_after()
    stuck = ApprovalRequest.objects.filter(
        pk=approval.pk,
        status=ApprovalStatus.APPROVED,
        assignment__isnull=True,
        decided_at__lt=cutoff,
    )
    with transaction.atomic():
        if bought is not None:
            done = stuck.update(assignment=bought)
            text = gettext_lazy(
                "Request #%(number)s linked to its purchase #%(purchase)s, recorded before the "
                "portal stopped."
            )
        else:
            done = stuck.update(
                status=ApprovalStatus.PENDING,
                decided_by=None,
                decided_at=None,
                approved_amount=None,
            )
            text = gettext_lazy(
                "Request #%(number)s re-opened: it was approved but its purchase was never "
                "recorded, so nothing was sent to FlashStart. A manager can approve it again."
            )
        if done:
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=approval.customer.customer_code,
                assignment=bought,
                message=texts.english(
                    texts.message(text, number=approval.pk, purchase=bought.pk if bought else "")
                ),
            )
    if not done:
        return ""
    return "linked" if bought is not None else "reopened"


def approvals_recover() -> int:
    """The daily job's part: settle every stuck approval (see `approval_recover`)."""
    stuck = ApprovalRequest.objects.filter(
        status=ApprovalStatus.APPROVED,
        assignment__isnull=True,
        decided_at__lt=timezone.now() - stuck_after(),
    ).select_related("customer")
    return sum(1 for approval in stuck if approval_recover(meta=None, approval=approval))


# --- steps --------------------------------------------------------------------------------

_DECIDED_MEANWHILE = gettext_lazy("This request was decided meanwhile.")


@dataclass(frozen=True)
class _Decision:
    """A decision in the words of its refusals: what a non-manager may not do, the audit
    row of a manager deciding their own request, and what that manager reads."""

    purchases: texts.StrOrPromise
    own: texts.StrOrPromise
    yours: texts.StrOrPromise


_APPROVE = _Decision(
    gettext_lazy("approve purchases (managers only)"),
    gettext_lazy("Refused: approve their own request #%(number)s"),
    gettext_lazy("You cannot approve your own request: another manager decides."),
)
_REJECT = _Decision(
    gettext_lazy("reject purchases (managers only)"),
    gettext_lazy("Refused: reject their own request #%(number)s"),
    gettext_lazy("You cannot reject your own request: another manager decides."),
)


def _require_decider(meta, approval: ApprovalRequest, action: str, decision: _Decision) -> None:
    code = approval.customer.customer_code
    access.require_manager(meta=meta, what=decision.purchases, action=action, customer_code=code)
    user_pk = getattr(meta.user, "pk", None)
    if user_pk is not None and approval.requested_by_id == user_pk:
        # Always recorded (not counted like other refusals): four eyes is the point.
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.DENIED,
            customer_code=code,
            message=texts.english(decision.own, number=approval.pk),
        )
        raise PermissionRefused(str(decision.yours))


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
        text = texts.message(
            gettext_lazy("This request expired on %(when)s: ask again."),
            when=texts.moment(approval.expires_at),
        )
    else:
        if approval.status == ApprovalStatus.APPROVED:
            decided = gettext_lazy("%(manager)s already approved this request on %(when)s.")
        else:
            decided = gettext_lazy("%(manager)s already rejected this request on %(when)s.")
        text = texts.message(
            decided,
            manager=_username(approval.decided_by),
            when=texts.moment(approval.decided_at),
        )
    raise settling.refuse(
        meta=meta,
        action=action,
        errors={"__all__": [text]},
        customer_code=approval.customer.customer_code,
        outcome=AuditOutcome.DUPLICATE,
        prefix=texts.message(gettext_lazy("Request #%(number)s not pending"), number=approval.pk),
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
                message=texts.english(
                    gettext_lazy(
                        "Request #%(number)s by %(requester)s expired undecided: %(code)s for "
                        "%(amount)s"
                    ),
                    number=approval.pk,
                    requester=_username(approval.requested_by),
                    code=approval.license_code,
                    amount=_money(approval.amount, approval.currency),
                ),
            )
    if done:
        approval.refresh_from_db()
        approval_mail.notify(approval, "decided", approval_mail.people(approval, None))
    return bool(done)


def _refuse(meta, action: str, customer: Customer, text: texts.StrOrPromise) -> InputInvalid:
    return settling.refuse(
        meta=meta, action=action, errors={"__all__": [text]}, customer_code=customer.customer_code
    )


def _money(amount, currency: str) -> texts.StrOrPromise:
    return texts.money(amount, currency)


def _username(user) -> texts.StrOrPromise:
    return getattr(user, "username", "") or gettext_lazy("someone")
