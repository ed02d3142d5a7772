"""The reports' roll-up, kept in step with the assignments it counts.

Per month of assignment (in the portal's time zone), staff member, kind and currency,
`RollupMonth` counts the settled assignments by status and sums what the active ones
cost; `RollupDemoLead` lists the customers whose latest demo no paid licence followed. The
reports page reads these few rows instead of a year of assignments.

`rollup_record` runs inside the transaction that settles or resolves an assignment, so the
roll-up is exactly as current as the assignments. It is idempotent per assignment: a
`RollupEntry` remembers what each assignment added, so recording it again changes
nothing and a resolve moves it from "unknown" to its outcome. `rollup_rebuild` recomputes
everything from the assignments (`manage.py rebuild_rollups`, after a bulk load).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    LicenseAssignment,
    RollupDemoLead,
    RollupEntry,
    RollupMonth,
)

# The settled statuses, each with its counter in RollupMonth. PENDING is not settled.
COUNTERS: dict[str, str] = {
    AssignmentStatus.ACTIVE: "active",
    AssignmentStatus.FAILED: "failed",
    AssignmentStatus.UNKNOWN: "unknown",
}
FIELDS = ("pk", "status", "kind", "currency", "amount", "created_at", "created_by_id")
BATCH = 5000
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Share:
    """What one settled assignment adds to the roll-up: one to the counter of its status
    in the bucket `key` (month, staff, kind, currency), and its amount when active."""

    key: tuple[date, int, str, str]
    status: str
    amount: Decimal


@dataclass(frozen=True)
class Rebuilt:
    assignments: int  # settled assignments counted
    buckets: int
    demo_leads: int


def month_of(moment: datetime) -> date:
    """The first day of `moment`'s month in the portal's time zone (settings.TIME_ZONE,
    whichever zone a request has activated)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date().replace(day=1)


def share_of(
    *,
    status: str,
    kind: str,
    currency: str,
    amount: Decimal | None,
    created_at: datetime,
    created_by_id: int | None,
    **_: Any,
) -> Share | None:
    """What an assignment stored with these values adds; None while it is not settled."""
    if status not in COUNTERS:
        return None
    key = (month_of(created_at), created_by_id or 0, kind, currency or "")
    active = status == AssignmentStatus.ACTIVE
    return Share(key=key, status=status, amount=(amount or ZERO) if active else ZERO)


def rollup_record(*, assignment: LicenseAssignment) -> None:
    """Bring the roll-up in line with `assignment` as it is now stored.

    Call it inside the transaction that changed the assignment's status, after the
    change: the roll-up then commits or rolls back with it. Recording an assignment again
    changes nothing. A few small queries, whatever the size of the tables.
    """
    with transaction.atomic(savepoint=False):
        _record(assignment.pk)


def rollup_rebuild(*, apps: Any = None) -> Rebuilt:
    """Recompute the whole roll-up from the assignments, in one transaction.

    For after a bulk load that bypassed the services (`seed_demo`) or a change of
    TIME_ZONE. Settles that happen meanwhile wait for it (SQLite: the write lock;
    PostgreSQL: a lock on the roll-up's tables) and are then counted on top. `apps`: a
    migration's app registry, whose historical models are then used.
    """
    models = apps or django_apps
    assignments, months, entries, leads = (
        models.get_model("licensing", name)
        for name in ("LicenseAssignment", "RollupMonth", "RollupEntry", "RollupDemoLead")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _clear(cursor, [entries, months, leads])  # entries first: they point at months
        buckets: dict[tuple, Any] = {}
        counted = 0
        for batch in _settled_batches(assignments):
            rows = []
            for pk, share in batch:
                bucket = buckets.get(share.key)
                if bucket is None:
                    month, staff, kind, currency = share.key
                    bucket = buckets[share.key] = months.objects.create(
                        month=month, staff=staff, kind=kind, currency=currency
                    )
                counter = COUNTERS[share.status]
                setattr(bucket, counter, getattr(bucket, counter) + 1)
                bucket.amount += share.amount
                rows.append((pk, bucket.pk, share.status, share.amount))
            _insert(cursor, entries, ["assignment_id", "bucket_id", "status", "amount"], rows)
            counted += len(rows)
        fields = ["active", "failed", "unknown", "amount"]
        months.objects.bulk_update(buckets.values(), fields, batch_size=500)
        demo_at = leads._meta.get_field("demo_at")
        found = [
            (customer_id, demo_at.get_db_prep_save(at, connection))
            for customer_id, at in _demo_leads(assignments)
        ]
        _insert(cursor, leads, ["customer_id", "demo_at"], found)
    return Rebuilt(assignments=counted, buckets=len(buckets), demo_leads=len(found))


# --- steps ------------------------------------------------------------------------------


def _record(pk: int) -> None:
    stored = LicenseAssignment.objects.filter(pk=pk).values(*FIELDS, "customer_id").first()
    if stored is None:
        return
    new = share_of(**stored)
    entry = (
        RollupEntry.objects.select_for_update(of=("self",))
        .select_related("bucket")
        .filter(assignment_id=pk)
        .first()
    )
    old = None
    if entry is not None:
        b = entry.bucket
        key = (b.month, b.staff, b.kind, b.currency)
        old = Share(key=key, status=entry.status, amount=entry.amount)
    if old == new:
        return
    if entry is not None and old is not None:
        _count(entry.bucket_id, old, sign=-1)
    if new is None:
        RollupEntry.objects.filter(assignment_id=pk).delete()
    else:
        month, staff, kind, currency = new.key
        bucket, _ = RollupMonth.objects.get_or_create(
            month=month, staff=staff, kind=kind, currency=currency
        )
        _count(bucket.pk, new, sign=1)
        RollupEntry.objects.update_or_create(
            assignment_id=pk,
            defaults={"bucket": bucket, "status": new.status, "amount": new.amount},
        )
    # Demo leads depend on active assignments only.
    if AssignmentStatus.ACTIVE in (getattr(old, "status", None), getattr(new, "status", None)):
        _demo_lead_refresh(stored["customer_id"])


def _count(bucket_id: int, share: Share, *, sign: int) -> None:
    counter = COUNTERS[share.status]
    RollupMonth.objects.filter(pk=bucket_id).update(
        **{counter: F(counter) + sign, "amount": F("amount") + sign * share.amount}
    )


def _is_lead(demo: datetime | None, paid: datetime | None) -> bool:
    return demo is not None and (paid is None or paid < demo)


def _demo_lead_refresh(customer_id: int) -> None:
    """Recompute one customer's demo lead from its own active assignments (an index
    range: the customer's rows only)."""
    latest = (
        LicenseAssignment.objects.filter(customer_id=customer_id, status=AssignmentStatus.ACTIVE)
        .order_by()
        .aggregate(
            demo=Max("created_at", filter=Q(kind=AssignmentKind.DEMO)),
            paid=Max("created_at", filter=Q(kind=AssignmentKind.PAID)),
        )
    )
    if _is_lead(latest["demo"], latest["paid"]):
        RollupDemoLead.objects.update_or_create(
            customer_id=customer_id, defaults={"demo_at": latest["demo"]}
        )
    else:
        RollupDemoLead.objects.filter(customer_id=customer_id).delete()


def _settled_batches(assignments: Any) -> Iterator[list[tuple[int, Share]]]:
    """The settled assignments' shares in primary-key batches (bounded memory, no OFFSET)."""
    settled = assignments.objects.filter(status__in=list(COUNTERS)).order_by("pk")
    last = 0
    while True:
        rows = list(settled.filter(pk__gt=last).values(*FIELDS)[:BATCH])
        if not rows:
            return
        last = rows[-1]["pk"]
        yield [(row["pk"], share) for row in rows if (share := share_of(**row)) is not None]


def _demo_leads(assignments: Any) -> Iterator[tuple[int, datetime]]:
    """(customer id, latest demo) of every customer whose latest active demo no active
    paid licence followed: one GROUP BY over the active assignments."""
    rows = (
        assignments.objects.filter(status=AssignmentStatus.ACTIVE)
        .values("customer_id")
        .annotate(
            demo=Max("created_at", filter=Q(kind=AssignmentKind.DEMO)),
            paid=Max("created_at", filter=Q(kind=AssignmentKind.PAID)),
        )
        .order_by()
        .values_list("customer_id", "demo", "paid")
    )
    for customer_id, demo, paid in rows.iterator(chunk_size=BATCH):
        if _is_lead(demo, paid):
            yield customer_id, demo


def _clear(cursor: Any, models: list[Any]) -> None:
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    if connection.vendor == "postgresql":
        # rollup_record's SELECT ... FOR UPDATE of its entry waits for this lock.
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
    for table in tables:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (only quoted table names)


def _insert(cursor: Any, model: Any, columns: list[str], rows: list[tuple]) -> None:
    """INSERT `rows` with one prepared statement run many times: bulk_create compiles SQL
    per batch, which costs more than the insert itself at a few hundred thousand rows.
    Values must be ready for the database (ints, strings, Decimals, prepared dates)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(c).column) for c in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (only quoted names)
        quote(model._meta.db_table), ", ".join(names), ", ".join(["%s"] * len(names))
    )
    cursor.executemany(sql, rows)
