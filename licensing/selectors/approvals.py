"""Reading approval requests for pages: the managers' queue, one request, what a customer
or a requester is waiting for, and the reports' summary. No writes.

A pending request past its expiry shows as expired before `services.approvals_expire`
has marked it (`ApprovalRequest.is_expired`).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssignmentKind,
    AssignmentStatus,
    Customer,
    LicenseAssignment,
)

QUEUE_LIMIT = 50
RECENT_PURCHASES = 5
DECIDED_SHOWN_DAYS = 7  # a requester sees a decision on their home page this long
_RELATED = ("customer", "requested_by", "decided_by", "assignment")


def approvals_pending(*, limit: int = QUEUE_LIMIT) -> list[ApprovalRequest]:
    """Pending requests, newest first, each with `recent_purchases`: the customer's last
    few paid licences (any outcome)."""
    recent = LicenseAssignment.objects.filter(kind=AssignmentKind.PAID).order_by(
        "-created_at", "-id"
    )
    rows = list(
        ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING)
        .select_related(*_RELATED)
        .order_by("-created_at", "-id")[:limit]
    )
    customers = {row.customer_id for row in rows}
    by_customer: dict[int, list[LicenseAssignment]] = {}
    if customers:
        prefetched = Customer.objects.filter(pk__in=customers).prefetch_related(
            Prefetch(
                "assignments",
                queryset=recent.select_related("created_by")[:RECENT_PURCHASES],
                to_attr="recent",
            )
        )
        by_customer = {c.pk: c.recent for c in prefetched}
    for row in rows:
        row.recent_purchases = by_customer.get(row.customer_id, [])  # type: ignore[attr-defined]
    return rows


def approvals_decided(*, limit: int = 20) -> list[ApprovalRequest]:
    """The latest decided (or expired) requests, newest decision first."""
    return list(
        ApprovalRequest.objects.exclude(status=ApprovalStatus.PENDING)
        .select_related(*_RELATED)
        .order_by("-decided_at", "-id")[:limit]
    )


def approval_get(*, pk: int) -> ApprovalRequest | None:
    return ApprovalRequest.objects.select_related(*_RELATED).filter(pk=pk).first()


def approval_customer_purchases(
    *, approval: ApprovalRequest, limit: int = RECENT_PURCHASES
) -> list[LicenseAssignment]:
    return list(
        LicenseAssignment.objects.filter(customer_id=approval.customer_id, kind=AssignmentKind.PAID)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def approvals_for_home(*, user, team: bool) -> QuerySet:
    """For a manager's team view: every pending request (those they may decide first
    come in order, newest first); for a salesperson: their own pending requests and those
    decided in the last week (to read the reason of a rejection)."""
    related = ApprovalRequest.objects.select_related(*_RELATED).order_by("-created_at", "-id")
    if team:
        return related.filter(status=ApprovalStatus.PENDING)
    since = timezone.now() - timedelta(days=DECIDED_SHOWN_DAYS)
    return related.filter(requested_by=user).filter(
        Q(status=ApprovalStatus.PENDING) | Q(decided_at__gte=since)
    )


@dataclass(frozen=True)
class ManagerSpend:
    username: str
    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class ApprovalsSummary:
    pending: int
    pending_items: list[ApprovalRequest]
    by_manager: list[ManagerSpend]  # approved and bought, per manager and currency


def approvals_summary(*, since=None) -> ApprovalsSummary:
    """The reports' lines: requests waiting, and what each manager approved that was
    bought (active licences, at the amount deducted), since `since` when given."""
    pending = ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING)
    approved = ApprovalRequest.objects.filter(
        status=ApprovalStatus.APPROVED, assignment__status=AssignmentStatus.ACTIVE
    )
    if since is not None:
        approved = approved.filter(decided_at__gte=since)
    rows = (
        approved.values("decided_by__username", "assignment__currency")
        .annotate(count=Count("pk"), amount=Sum("assignment__amount"))
        .order_by("decided_by__username", "assignment__currency")
    )
    # The first few with the count of all in one query (a window count).
    items: list = list(
        pending.select_related(*_RELATED)
        .annotate(total=Window(Count("pk")))
        .order_by("-created_at", "-id")[:5]
    )
    return ApprovalsSummary(
        pending=items[0].total if items else 0,
        pending_items=items,
        by_manager=[
            ManagerSpend(
                username=row["decided_by__username"] or _("(deleted user)"),
                currency=row["assignment__currency"] or "",
                count=row["count"],
                amount=row["amount"] or Decimal("0"),
            )
            for row in rows
        ],
    )
