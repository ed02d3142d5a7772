"""The renewal forecast: what auto-renewals will deduct from the reseller's credit in the
next 30, 60 and 90 days, per currency, and which licences lapse instead.

An estimate from the portal's own records (the vendor's API cannot read licences back):
an active paid licence whose renewal is on renews at its expiry date for the amount of
its last purchase, and again every period (its duration) while the horizon lasts, so a
monthly licence counts up to three times in 90 days. Prices change and the vendor may
refuse a renewal (no credit), hence "estimate" wherever it is shown. A licence whose
renewal is suspended lapses at its expiry instead.

One grouped query reads the licences expiring within the longest horizon (grouped by
dates, currency and licence code, so it returns a few thousand rows at most whatever the
table's size) from an index that holds every column it reads, and one more lists the
soonest lapsing licences.
"""

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from licensing.models import AssignmentKind, AssignmentStatus, Customer, LicenseAssignment, Renewal

HORIZONS = (30, 60, 90)
LAPSING_LIMIT = 50
_MONTHS_CODE = re.compile(r"-M(\d{1,3})$", re.IGNORECASE)  # the vendor's CL-Q-A005-M12
_YEARS_CODE = re.compile(r"-(\d{1,2})Y$", re.IGNORECASE)  # FS-BIZ-1Y
_AVERAGE_MONTH_DAYS = 30.4375


@dataclass(frozen=True)
class Cell:
    days: int  # the horizon
    amount: Decimal
    renewals: int


@dataclass(frozen=True)
class CurrencyLine:
    currency: str
    cells: tuple[Cell, ...]  # one per horizon, shortest first


@dataclass(frozen=True)
class Forecast:
    """What renewals will cost, per currency and horizon; always an estimate."""

    today: date
    horizons: tuple[int, ...]
    lines: list[CurrencyLine]
    # Renewals of licences with no recorded amount, per horizon: not in the sums.
    unpriced: tuple[int, ...]
    lapsing_count: int  # renewal suspended, expiring within the longest horizon
    lapsing: list[LicenseAssignment]  # the soonest of them, with their customers
    computed_at: datetime
    estimate: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.lapsing_count and not any(self.unpriced)

    def total(self, currency: str, horizon: int) -> Decimal:
        """The amount forecast in `currency` within `horizon` days (0 when none)."""
        index = self.horizons.index(horizon)
        for line in self.lines:
            if line.currency == currency:
                return line.cells[index].amount
        return Decimal(0)


def renewal_months(license_code: str, start: date | None, expiry: date | None) -> int | None:
    """A licence's period in months: from the vendor's code ("-M12", or "-1Y"), else from its
    dates; None when neither says (the licence then counts once, at its expiry)."""
    code = (license_code or "").strip()
    if match := _MONTHS_CODE.search(code):
        months = int(match[1])
    elif match := _YEARS_CODE.search(code):
        months = int(match[1]) * 12
    elif start is not None and expiry is not None and expiry > start:
        months = round((expiry - start).days / _AVERAGE_MONTH_DAYS)
    else:
        return None
    return months if months > 0 else None


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; a day the month lacks becomes its last day, and a
    month's last day stays the last day (31 Jan → 28 Feb → 31 Mar; 30 Apr → 31 May)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def renewal_dates(expiry: date, months: int | None, *, until: date) -> list[date]:
    """The dates a renewing licence renews, from its expiry to `until` (both included)."""
    if expiry > until:
        return []
    if months is None or (until - expiry).days < 28 * months:
        return [expiry]  # no month is shorter than 28 days: the next renewal is later
    dates, k = [], 0
    while (when := add_months(expiry, k * months)) <= until:
        dates.append(when)
        k += 1
    return dates


def renewal_forecast(*, today: date | None = None) -> Forecast:
    """The forecast over every customer (reports, the managers' digest)."""
    return _forecast(LicenseAssignment.objects.all(), today=today or timezone.localdate())


def customer_forecast(*, customer: Customer, today: date | None = None) -> Forecast:
    """The forecast of one customer's licences (the customer page)."""
    queryset = LicenseAssignment.objects.filter(customer=customer)
    return _forecast(queryset, today=today or timezone.localdate())


def _forecast(queryset: QuerySet, *, today: date) -> Forecast:
    horizons = HORIZONS
    ends = [today + timedelta(days=days) for days in horizons]
    end = ends[-1]
    due = queryset.filter(
        kind=AssignmentKind.PAID,
        status=AssignmentStatus.ACTIVE,
        expiry_date__gte=today,
        expiry_date__lte=end,
    )
    price = Coalesce("amount", "quoted_amount")
    # Grouped in the order of the index that holds every column read here
    # (assignment_renewals_due_idx), so the database streams the groups from it without
    # a sort or a visit to the table. COUNT(*), not COUNT(id): PostgreSQL's index holds
    # no id.
    groups = (
        due.values("expiry_date", "renewal", "currency", "license_code", "start_date")
        .annotate(total=Sum(price), count=Count("*"), priced=Count(price))
        .order_by()
        .values_list(
            *("expiry_date", "renewal", "currency", "license_code", "start_date"),
            *("total", "count", "priced"),
        )
    )
    amounts: dict[str, list[Decimal]] = {}
    renewals: dict[str, list[int]] = {}
    unpriced = [0] * len(horizons)
    lapsing_count = 0
    for expiry, renewal, currency, code, start, total, count, priced in groups:
        if renewal != Renewal.ON:
            lapsing_count += count
            continue
        dates = renewal_dates(expiry, renewal_months(code, start, expiry), until=end)
        currency = (currency or "?").upper()
        if currency not in amounts:
            amounts[currency] = [Decimal(0)] * len(horizons)
            renewals[currency] = [0] * len(horizons)
        line, counts = amounts[currency], renewals[currency]
        for i, horizon_end in enumerate(ends):
            times = bisect.bisect_right(dates, horizon_end)  # the dates are in order
            if not times:
                continue
            if priced:
                line[i] += (total or Decimal(0)) * times
                counts[i] += priced * times
            unpriced[i] += (count - priced) * times
    lapsing: list[LicenseAssignment] = []
    if lapsing_count:
        lapsing = list(
            due.filter(renewal=Renewal.SUSPENDED)
            .select_related("customer")
            .order_by("expiry_date", "id")[:LAPSING_LIMIT]
        )
    lines = [
        CurrencyLine(
            currency=currency,
            cells=tuple(
                Cell(days=days, amount=amount.quantize(Decimal("0.01")), renewals=count)
                for days, amount, count in zip(
                    horizons, amounts[currency], renewals[currency], strict=True
                )
            ),
        )
        for currency in sorted(amounts, key=lambda c: (-amounts[c][-1], c))
        if any(renewals[currency])
    ]
    return Forecast(
        today=today,
        horizons=horizons,
        lines=lines,
        unpriced=tuple(unpriced),
        lapsing_count=lapsing_count,
        lapsing=lapsing,
        computed_at=timezone.now(),
    )
