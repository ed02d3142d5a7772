"""Filtered reads of the audit trail, shared by the staff audit page, the admin and exports.

Every filter maps onto an index of `AuditEvent` (created_at, action, outcome,
actor_username, customer_code — the last four paired with seq), and every walk through the
trail is keyset-paginated by `seq`, so a page or a batch costs the same at row 10 and at
row 10,000,000: no OFFSET, no COUNT(*).
"""

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from licensing.models import AuditEvent

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What the audit list and exports filter on. Dates are whole days in the current time
    zone (the user's on the pages, the portal's in `manage.py export_audit`)."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    outcome: str = ""
    customer: int | None = None

    def as_params(self) -> dict[str, str]:
        """The filters as query-string parameters (only those set)."""
        params = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value not in (None, ""):
                params[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return params

    def describe(self) -> str:
        """“action=login, date_from=2025-01-01” or “no filter”, for audit messages."""
        params = self.as_params()
        return ", ".join(f"{k}={v}" for k, v in params.items()) or "no filter"

    @property
    def is_empty(self) -> bool:
        return not self.as_params()


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the current time zone, in UTC. Clamped at Python's limits:
    0001-01-01 in a zone east of UTC starts before the first moment Python can hold, and
    after 9999-12-31 there is no next day."""
    try:
        return timezone.make_aware(datetime.combine(day, time.min)).astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if day.year == 1 else _END_OF_TIME


def _day_end(day: date) -> datetime:
    """The first moment after `day` (see `_day_start`)."""
    return _END_OF_TIME if day == date.max else _day_start(day + timedelta(days=1))


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def audit_filter(*, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Audit rows matching `filters`, unordered (callers order by seq)."""
    events = AuditEvent.objects.all()
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lt=_day_end(filters.date_to))
    if filters.actor:
        events = events.filter(actor_username=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.customer is not None:
        events = events.filter(customer_code=filters.customer)
    return events


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit list, newest first, with keyset links to its neighbours."""

    events: list[AuditEvent]
    newer_than: int | None  # pass as `after` to see the page before (newer rows)
    older_than: int | None  # pass as `before` to see the page after (older rows)


def audit_page(
    *,
    filters: AuditFilters,
    before: int | None = None,
    after: int | None = None,
    size: int | None = None,
) -> AuditPage:
    """Rows older than row `before` (or newer than row `after`), newest first: at most three
    short indexed queries, whatever the size of the trail.

    Newest first means by seq; with a date filter, by time (created_at, then seq), so the
    date index serves both the filter and the order — by seq, a range deep in the past
    would be reached only after walking every newer row.
    """
    size = size or AUDIT_PAGE_SIZE
    events = audit_filter(filters=filters).defer("sent", "answer", "prev_hash", "hash")
    keys = ("created_at", "seq") if filters.date_from or filters.date_to else ("seq",)
    if after is not None:
        rows = list(_beyond(events, keys, after, newer=True).order_by(*keys)[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = bool(rows) and _beyond(events, keys, rows[-1], newer=False).exists()
    else:
        if before is not None:
            events = _beyond(events, keys, before, newer=False)
        rows = list(events.order_by(*(f"-{key}" for key in keys))[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None and bool(rows)
    return AuditPage(
        events=rows,
        newer_than=rows[0].seq if rows and has_newer else None,
        older_than=rows[-1].seq if rows and has_older else None,
    )


def _beyond(events, keys, position, *, newer: bool):
    """`events` after (newer) or before `position` — a row or a seq — in `keys` order."""
    seq = position if isinstance(position, int) else position.seq
    if keys == ("seq",):
        return events.filter(seq__gt=seq) if newer else events.filter(seq__lt=seq)
    if isinstance(position, int):
        when = AuditEvent.objects.filter(seq=seq).values_list("created_at", flat=True).first()
        if when is None:
            return events.none()
    else:
        when = position.created_at
    # (created_at, seq) beyond (when, seq); the plain bound on created_at lets the date
    # index start the scan at `when`.
    if newer:
        return events.filter(created_at__gte=when).filter(Q(created_at__gt=when) | Q(seq__gt=seq))
    return events.filter(created_at__lte=when).filter(Q(created_at__lt=when) | Q(seq__lt=seq))


def audit_last_seq() -> int:
    """The newest row's seq (0 for an empty trail): exports stop there, so rows written
    while an export runs (its own audit row among them) are left out consistently."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_export_count(*, events: QuerySet[AuditEvent], upto: int) -> int:
    """How many rows an export of `events` up to seq `upto` holds (one indexed count)."""
    return events.filter(seq__lte=upto).order_by().count()
