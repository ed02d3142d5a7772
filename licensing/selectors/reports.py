"""The managers' overview, read live in about ten small queries whatever the table sizes.

The period figures (spend per month and currency, work per staff member, demos no sale
followed) come from the roll-up that the services keep in the same transaction that
settles or resolves each assignment (`services.rollups`): a few hundred rows a year
instead of every assignment. The rest is read from the assignments through an index:
assignments still pending, renewals suspended, licences ending soon, unknown outcomes.
Nothing is cached, so every figure is as of the moment the page is drawn.

Months are those of the portal's time zone (settings.TIME_ZONE), as in the roll-up.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    Customer,
    LicenseAssignment,
    Renewal,
    RollupDemoLead,
    RollupEntry,
    RollupMonth,
)

EXPIRY_WINDOW_DAYS = 30
LIST_LIMIT = 50
DELETED_USER = gettext_lazy("(deleted user)")  # a staff line whose account was deleted
CENT = Decimal("0.01")
# Licences that end at their expiry instead of renewing (when active): the condition of
# the partial index assignment_ending_idx, written the same way (a database uses a
# partial index only for a query that says what the index's condition says).
ENDS_AT_EXPIRY = Q(kind=AssignmentKind.DEMO) | Q(renewal=Renewal.SUSPENDED)


@dataclass(frozen=True)
class MonthSpend:
    month: date  # first day of the month
    totals: dict[str, Decimal]  # currency → amount deducted


@dataclass(frozen=True)
class StaffLine:
    username: str
    total: int  # started: settled, and still pending
    paid: int  # paid licences now active
    demos: int  # demos now active
    failed: int
    unknown: int


@dataclass(frozen=True)
class DemoLead:
    customer: Customer
    demo_at: datetime  # the customer's latest demo


@dataclass(frozen=True)
class Overview:
    since: date  # first day of the period
    months: list[MonthSpend]
    currencies: list[str]
    staff: list[StaffLine]
    renewing: int  # active paid licences that renew at their expiry
    suspended: int  # active paid licences with renewal suspended
    unconverted_demo_count: int
    unconverted_demos: list[DemoLead]
    ending_count: int  # demos and suspended renewals ending within EXPIRY_WINDOW_DAYS
    ending: list[LicenseAssignment]
    unresolved_count: int
    unresolved: list[LicenseAssignment]
    rollup_complete: bool  # False: assignments were loaded around the services
    as_of: datetime


def month_starts(*, months: int, today: date) -> list[date]:
    """First days of the last `months` months, oldest first (today's month last), followed
    by the first day of the next month: `months + 1` boundaries."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


@dataclass(frozen=True)
class Period:
    months: list[MonthSpend]
    staff: list[StaffLine]
    active_paid: int  # active paid licences, of all time
    unknown: int  # assignments whose outcome is unknown, of all time


def period_figures(*, starts: list[date]) -> Period:
    """Spend per month and currency, and work per staff member, for the months whose first
    days are `starts` (the last one ends the period, as `month_starts` gives them), with
    all-time totals. One query on the roll-up (all its rows: a few hundred a year), one on
    the assignments still pending."""
    since, until = starts[0], starts[-1]
    user_name = get_user_model().objects.filter(pk=OuterRef("staff")).values("username")[:1]
    buckets = RollupMonth.objects.annotate(username=Subquery(user_name)).values_list(
        "month", "staff", "username", "kind", "currency", "active", "failed", "unknown", "amount"
    )
    spend: dict[date, dict[str, Decimal]] = defaultdict(dict)
    lines: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, str] = {}
    deleted = str(DELETED_USER)  # in the active language
    active_paid = unknown_total = 0
    for month, staff, name, kind, currency, active, failed, unknown, amount in buckets:
        paid = kind == AssignmentKind.PAID
        active_paid += active if paid else 0
        unknown_total += unknown
        if not since <= month < until:
            continue
        if paid and amount:
            totals = spend[month]
            totals[currency or "?"] = totals.get(currency or "?", Decimal(0)) + amount
        names[staff] = name or deleted
        line = lines[staff]
        line["total"] += active + failed + unknown
        line["paid" if paid else "demos"] += active
        line["failed"] += failed
        line["unknown"] += unknown
    _count_pending(lines, since=_aware(since))
    return Period(
        months=[
            MonthSpend(month=day, totals={c: v.quantize(CENT) for c, v in spend[day].items() if v})
            for day in starts[:-1]
        ],
        staff=_staff_lines(lines, names)[:LIST_LIMIT],
        active_paid=active_paid,
        unknown=unknown_total,
    )


def _count_pending(lines: dict[int, dict[str, int]], *, since: datetime) -> None:
    """Add the assignments pending since `since` to their staff member's line: one read
    of the status index (status, created_at). Counted here, not by a GROUP BY, which
    tempts SQLite's planner into the creator index and a year of assignments."""
    pending = LicenseAssignment.objects.filter(
        status=AssignmentStatus.PENDING, created_at__gte=since
    ).order_by()
    for staff, started in Counter(pending.values_list("created_by_id", flat=True)).items():
        lines[staff or 0]["total"] += started


def _staff_lines(lines: dict[int, dict[str, int]], names: dict[int, str]) -> list[StaffLine]:
    """One line per name, busiest first: every deleted user's work on one line."""
    unnamed = [staff for staff in lines if staff and staff not in names]
    if unnamed:  # someone whose only assignments in the period are still pending
        users = get_user_model().objects.filter(pk__in=unnamed).values_list("pk", "username")
        names = {**names, **dict(users)}
    by_name: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    deleted = str(DELETED_USER)  # in the active language
    for staff, line in lines.items():
        for figure, value in line.items():
            by_name[names.get(staff, deleted)][figure] += value
    return sorted(
        (
            StaffLine(
                username=name,
                total=line["total"],
                paid=line["paid"],
                demos=line["demos"],
                failed=line["failed"],
                unknown=line["unknown"],
            )
            for name, line in by_name.items()
        ),
        key=lambda s: (-s.total, s.username),
    )


def overview(*, months: int = 12, today: date | None = None) -> Overview:
    """Everything on the reports page, live: the roll-up's rows for the period figures,
    and index reads of the assignments for what managers act on."""
    today = today or _today()
    starts = month_starts(months=months, today=today)
    since = starts[0]
    stale_before = timezone.now() - timedelta(seconds=settings.FLASHSTART_TIMEOUT * 4 + 60)
    period = period_figures(starts=starts)

    # Only active licences can have renewal suspended (a database constraint) and only
    # paid ones (the services): counted through the renewal index alone, no row read.
    suspended = LicenseAssignment.objects.filter(renewal=Renewal.SUSPENDED).count()
    leads = RollupDemoLead.objects.filter(demo_at__gte=_aware(since)).select_related("customer")
    lead_count, lead_list = _listed(leads, "-demo_at", "-customer_id")

    # A licence that renews does not end: only demos and suspended renewals do. Counted
    # from the partial index that holds exactly these licences (assignment_ending_idx,
    # by status and expiry): the window's entries and nothing else.
    horizon = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    ending = LicenseAssignment.objects.filter(
        ENDS_AT_EXPIRY,
        status=AssignmentStatus.ACTIVE,
        expiry_date__gte=today,
        expiry_date__lte=horizon,
    ).select_related("customer", "created_by")
    ending_count, ending_list = _listed(ending, "expiry_date", "id")

    unresolved = LicenseAssignment.objects.filter(
        Q(status=AssignmentStatus.UNKNOWN)
        | Q(status=AssignmentStatus.PENDING, created_at__lt=stale_before)
    ).select_related("customer", "created_by")
    # A full list is counted from the roll-up (unknown outcomes) and the status index
    # (stale pending ones) rather than by reading every unknown assignment.
    unresolved_list = list(unresolved.order_by("created_at", "id")[:LIST_LIMIT])
    unresolved_count = len(unresolved_list)
    if unresolved_count == LIST_LIMIT:
        stale = LicenseAssignment.objects.filter(
            status=AssignmentStatus.PENDING, created_at__lt=stale_before
        ).count()
        unresolved_count = max(LIST_LIMIT, period.unknown + stale)

    return Overview(
        since=since,
        months=period.months,
        currencies=sorted({c for month in period.months for c in month.totals}),
        staff=period.staff,
        renewing=max(0, period.active_paid - suspended),
        suspended=suspended,
        unconverted_demo_count=lead_count,
        unconverted_demos=[DemoLead(customer=x.customer, demo_at=x.demo_at) for x in lead_list],
        ending_count=ending_count,
        ending=ending_list,
        unresolved_count=unresolved_count,
        unresolved=unresolved_list,
        rollup_complete=rollup_complete(),
        as_of=timezone.now(),
    )


def _listed(rows: QuerySet, *order: str) -> tuple[int, list]:
    """How many `rows` there are, and the first LIST_LIMIT of them in `order`: one query,
    and a COUNT only when the list is full."""
    first = list(rows.order_by(*order)[:LIST_LIMIT])
    return (rows.count() if len(first) == LIST_LIMIT else len(first)), first


def rollup_complete() -> bool:
    """Whether the latest settled assignment is in the roll-up: it is not when rows were
    loaded around the services (a bulk load) and `manage.py rebuild_rollups` has not run
    since. One query; reads the newest assignments only."""
    counted = (
        LicenseAssignment.objects.exclude(status=AssignmentStatus.PENDING)
        .annotate(counted=Exists(RollupEntry.objects.filter(assignment_id=OuterRef("pk"))))
        .order_by("-pk")
        .values_list("counted", flat=True)
        .first()
    )
    return counted is None or bool(counted)
