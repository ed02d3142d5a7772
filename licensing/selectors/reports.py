"""The managers' overview: a handful of aggregate queries, none of them per row.

Month boundaries are computed here, in the portal's time zone, and passed to the database
as plain timestamp ranges (conditional SUMs/COUNTs): no per-row date function, so the
queries stay cheap on SQLite too, and each one reads an index or the table once.

The period figures (spend per month, work per staff member, unconverted demos) each read
a year of assignments — about a second in all for 300,000 rows on SQLite — so they are
cached for a few minutes; what managers act on (counts, expiring licences, unknown
outcomes) is always read fresh.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Sum, Window
from django.utils import timezone

from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    Customer,
    LicenseAssignment,
    Renewal,
)

EXPIRY_WINDOW_DAYS = 30
LIST_LIMIT = 50
PERIOD_CACHE_SECONDS = 300


@dataclass(frozen=True)
class MonthSpend:
    month: date  # first day of the month
    totals: dict[str, Decimal]  # currency → amount deducted


@dataclass(frozen=True)
class StaffLine:
    username: str
    total: int
    paid: int
    demos: int
    failed: int
    unknown: int


@dataclass(frozen=True)
class DemoLead:
    customer: Customer
    demo_at: datetime  # the customer's latest demo


@dataclass(frozen=True)
class PeriodFigures:
    since: date
    months: list[MonthSpend]
    currencies: list[str]
    staff: list[StaffLine]
    unconverted_demo_count: int
    unconverted_demos: list[DemoLead]
    renewals_on: int
    renewals_suspended: int
    computed_at: datetime


@dataclass(frozen=True)
class Overview:
    period: PeriodFigures
    expiring_count: int
    expiring: list[LicenseAssignment]
    unresolved_count: int
    unresolved: list[LicenseAssignment]


def month_starts(*, months: int, today: date) -> list[date]:
    """First days of the last `months` months, oldest first (today's month last), followed
    by the first day of the next month: `months + 1` boundaries."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def spend_by_month(*, months: int = 12, today: date | None = None) -> list[MonthSpend]:
    """What active paid licences cost, per month of assignment and currency (one query)."""
    today = today or timezone.localdate()
    starts = month_starts(months=months, today=today)
    bounds = [_aware(day) for day in starts]
    sums = {
        f"m{i}": Sum("amount", filter=Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1]))
        for i in range(months)
    }
    rows = (
        LicenseAssignment.objects.filter(
            kind=AssignmentKind.PAID,
            status=AssignmentStatus.ACTIVE,
            amount__isnull=False,
            created_at__gte=bounds[0],
            created_at__lt=bounds[-1],
        )
        .values("currency")  # GROUP BY currency
        .annotate(**sums)
        .order_by("currency")
        .values_list("currency", *sums)
    )
    result = [MonthSpend(month=starts[i], totals={}) for i in range(months)]
    for currency, *totals in rows:
        for month, total in zip(result, totals, strict=True):
            if total:
                month.totals[currency or "?"] = Decimal(total).quantize(Decimal("0.01"))
    return result


def assignments_by_staff(*, since: datetime, limit: int = LIST_LIMIT) -> list[StaffLine]:
    """Assignments started per staff member since `since`, busiest first (two queries:
    grouped by user id without a join, then the few usernames)."""
    active = Q(status=AssignmentStatus.ACTIVE)
    rows = list(
        LicenseAssignment.objects.filter(created_at__gte=since)
        .values("created_by_id")
        .annotate(
            total=Count("id"),
            paid=Count("id", filter=active & Q(kind=AssignmentKind.PAID)),
            demos=Count("id", filter=active & Q(kind=AssignmentKind.DEMO)),
            failed=Count("id", filter=Q(status=AssignmentStatus.FAILED)),
            unknown=Count("id", filter=Q(status=AssignmentStatus.UNKNOWN)),
        )
        .order_by("-total", "created_by_id")[:limit]
    )
    names = dict(
        get_user_model()
        .objects.filter(pk__in=[row["created_by_id"] for row in rows])
        .values_list("pk", "username")
    )
    return [
        StaffLine(
            username=names.get(row["created_by_id"], "(deleted user)"),
            total=row["total"],
            paid=row["paid"],
            demos=row["demos"],
            failed=row["failed"],
            unknown=row["unknown"],
        )
        for row in rows
    ]


def _unresolved():
    stale_before = timezone.now() - timedelta(seconds=settings.FLASHSTART_TIMEOUT * 4 + 60)
    return Q(status=AssignmentStatus.UNKNOWN) | Q(
        status=AssignmentStatus.PENDING, created_at__lt=stale_before
    )


def unconverted_demos(*, since: datetime, limit: int = LIST_LIMIT) -> tuple[int, list[DemoLead]]:
    """Customers whose latest active demo since `since` has no active paid licence after
    it: (how many, the `limit` most recent). Two queries: one GROUP BY (with the total as a
    window count) and one for the listed customers."""
    demo, paid = Q(kind=AssignmentKind.DEMO), Q(kind=AssignmentKind.PAID)
    rows = list(
        LicenseAssignment.objects.filter(status=AssignmentStatus.ACTIVE, created_at__gte=since)
        .values("customer_id")
        .annotate(
            last_demo=Max("created_at", filter=demo),
            last_paid=Max("created_at", filter=paid),
        )
        .filter(last_demo__isnull=False)
        .filter(Q(last_paid__isnull=True) | Q(last_paid__lt=F("last_demo")))
        .annotate(total=Window(Count("*")))
        .order_by("-last_demo", "customer_id")[:limit]
    )
    if not rows:
        return 0, []
    customers = Customer.objects.in_bulk([row["customer_id"] for row in rows])
    leads = [
        DemoLead(customer=customers[row["customer_id"]], demo_at=row["last_demo"])
        for row in rows
        if row["customer_id"] in customers
    ]
    return rows[0]["total"], leads


def period_figures(*, months: int = 12, today: date | None = None) -> PeriodFigures:
    """Spend, staff and demo figures for the last `months` months, cached briefly."""
    today = today or timezone.localdate()
    key = f"reports:period:{months}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        spend = spend_by_month(months=months, today=today)
        since = _aware(spend[0].month)
        count, leads = unconverted_demos(since=since)
        renewals = LicenseAssignment.objects.filter(
            kind=AssignmentKind.PAID, status=AssignmentStatus.ACTIVE
        ).aggregate(
            on=Count("id", filter=Q(renewal=Renewal.ON)),
            suspended=Count("id", filter=Q(renewal=Renewal.SUSPENDED)),
        )
        figures = PeriodFigures(
            since=spend[0].month,
            months=spend,
            currencies=sorted({c for month in spend for c in month.totals}),
            staff=assignments_by_staff(since=since),
            unconverted_demo_count=count,
            unconverted_demos=leads,
            renewals_on=renewals["on"],
            renewals_suspended=renewals["suspended"],
            computed_at=timezone.now(),
        )
        cache.set(key, figures, PERIOD_CACHE_SECONDS)
    return figures


def overview(*, months: int = 12, today: date | None = None) -> Overview:
    """Everything on the reports page: four live queries, each through an index (expiry
    date, status), plus seven for the period figures when they are not cached."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    expiring = LicenseAssignment.objects.filter(
        status=AssignmentStatus.ACTIVE, expiry_date__gte=today, expiry_date__lte=horizon
    )
    unresolved = LicenseAssignment.objects.filter(_unresolved())
    related = ("customer", "created_by")
    return Overview(
        period=period_figures(months=months, today=today),
        expiring_count=expiring.count(),
        expiring=list(expiring.select_related(*related).order_by("expiry_date", "id")[:LIST_LIMIT]),
        unresolved_count=unresolved.count(),
        unresolved=list(
            unresolved.select_related(*related).order_by("created_at", "id")[:LIST_LIMIT]
        ),
    )
