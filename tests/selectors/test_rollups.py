"""The reports' roll-up: recorded once per assignment, moved by a resolve, and equal to a
rebuild from the assignments whatever the order things happened in."""

import io
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from licensing import services
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    LicenseAssignment,
    RollupDemoLead,
    RollupEntry,
    RollupMonth,
)
from tests.factories import make_assignment, make_customer, user_factory

pytestmark = pytest.mark.django_db


def buckets() -> dict[tuple, tuple]:
    """The roll-up's figures by (month, staff, kind, currency), empty buckets left out."""
    return {
        (b.month, b.staff, b.kind, b.currency): (b.active, b.failed, b.unknown, b.amount)
        for b in RollupMonth.objects.all()
        if (b.active, b.failed, b.unknown, b.amount) != (0, 0, 0, 0)
    }


def snapshot() -> tuple:
    entries = {
        e.assignment_id: ((e.bucket.month, e.bucket.staff, e.bucket.kind), e.status, e.amount)
        for e in RollupEntry.objects.select_related("bucket")
    }
    leads = dict(RollupDemoLead.objects.values_list("customer_id", "demo_at"))
    return buckets(), entries, leads


def record(assignment) -> None:
    services.rollup_record(assignment=assignment)


def settle(assignment, status, **fields) -> None:
    """What a service does: change the status, then record, in one transaction."""
    LicenseAssignment.objects.filter(pk=assignment.pk).update(status=status, **fields)
    record(assignment)


def test_recording_a_settled_assignment_twice_counts_it_once():
    staff = user_factory()
    sale = make_assignment(created_by=staff, amount=Decimal("12.50"))

    record(sale)
    record(sale)

    month = timezone.localdate().replace(day=1)
    key = (month, staff.pk, AssignmentKind.PAID, "EUR")
    assert buckets() == {key: (1, 0, 0, Decimal("12.50"))}
    assert RollupEntry.objects.count() == 1


def test_a_pending_assignment_is_not_counted_until_it_settles():
    sale = make_assignment(status=AssignmentStatus.PENDING)
    record(sale)
    assert buckets() == {}

    settle(sale, AssignmentStatus.FAILED)
    assert [figures[:3] for figures in buckets().values()] == [(0, 1, 0)]


def test_a_resolve_moves_the_assignment_from_unknown_to_its_outcome():
    sale = make_assignment(status=AssignmentStatus.UNKNOWN)
    record(sale)
    assert [figures[:3] for figures in buckets().values()] == [(0, 0, 1)]

    settle(sale, AssignmentStatus.ACTIVE, license_id="LIC-R1", amount=Decimal("30.00"))
    record(sale)  # and again: still once

    assert list(buckets().values()) == [(1, 0, 0, Decimal("30.00"))]
    assert RollupEntry.objects.get().status == AssignmentStatus.ACTIVE


def test_the_month_is_the_portal_time_zone_s_whatever_zone_is_active(settings):
    settings.TIME_ZONE = "Europe/Rome"
    # 22:30 UTC on 31 March is 00:30 on 1 April in Rome.
    late = datetime(2025, 3, 31, 22, 30, tzinfo=UTC)
    sale = make_assignment(created_at=late)

    with timezone.override("UTC"):
        record(sale)

    assert [key[0] for key in buckets()] == [date(2025, 4, 1)]


def test_a_demo_is_a_lead_until_a_paid_licence_follows_it():
    customer = make_customer()
    demo = make_assignment(customer, kind=AssignmentKind.DEMO, currency="")
    record(demo)
    assert list(RollupDemoLead.objects.values_list("customer_id", flat=True)) == [customer.pk]

    failed_sale = make_assignment(customer, status=AssignmentStatus.FAILED)
    record(failed_sale)
    assert RollupDemoLead.objects.filter(customer=customer).exists()  # no sale yet

    sale = make_assignment(customer, created_at=timezone.now() + timedelta(seconds=1))
    record(sale)
    assert not RollupDemoLead.objects.filter(customer=customer).exists()


def test_an_older_sale_does_not_convert_a_later_demo():
    customer = make_customer()
    record(make_assignment(customer, created_at=timezone.now() - timedelta(days=40)))
    demo = make_assignment(customer, kind=AssignmentKind.DEMO, currency="")
    record(demo)

    assert RollupDemoLead.objects.get(customer=customer).demo_at == demo.created_at


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_rebuild_equals_the_roll_up_kept_incrementally(seed):
    """Assignments of several staff members (and none), kinds, currencies and months,
    settled and resolved in a random order: the incremental roll-up and a rebuild from the
    stored assignments hold the same figures, entries and demo leads."""
    rng = random.Random(seed)
    staff = [user_factory(), user_factory(), None]
    customers = [make_customer() for _ in range(6)]
    now = timezone.now()
    rows = []
    for i in range(60):
        kind = rng.choice([AssignmentKind.PAID, AssignmentKind.PAID, AssignmentKind.DEMO])
        rows.append(
            make_assignment(
                rng.choice(customers),
                kind=kind,
                status=AssignmentStatus.PENDING,
                currency=rng.choice(["EUR", "EUR", "USD", "CHF"]) if kind == "paid" else "",
                created_by=rng.choice(staff),
                created_at=now - timedelta(days=rng.randrange(0, 400), minutes=i),
            )
        )
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        outcome = rng.choice(["active", "active", "failed", "unknown", "pending"])
        if outcome == "active":
            amount = Decimal(rng.choice(["12.50", "49.90", "199.00"]))
            settle(row, outcome, license_id=f"LIC-X{i}", amount=amount)
        elif outcome != "pending":
            settle(row, outcome)
        if outcome == "unknown" and rng.random() < 0.5:  # a manager resolves some
            resolved = rng.choice(["active", "failed"])
            extra = {"license_id": f"LIC-Y{i}"} if resolved == "active" else {}
            settle(row, resolved, **extra)

    incremental = snapshot()
    assert incremental[0] and incremental[1] and incremental[2]  # the mix made some of each
    rebuilt = services.rollup_rebuild()
    assert rebuilt.assignments == LicenseAssignment.objects.exclude(status="pending").count()
    assert snapshot() == incremental


def test_a_rebuild_replaces_whatever_the_roll_up_held():
    sale = make_assignment()
    RollupMonth.objects.create(
        month=timezone.localdate().replace(day=1), staff=0, kind="paid", currency="EUR", active=99
    )

    rebuilt = services.rollup_rebuild()

    assert rebuilt.assignments == 1 and rebuilt.buckets == 1
    assert list(buckets().values()) == [(1, 0, 0, sale.amount)]


def test_the_rebuild_command_counts_in_assignments_loaded_around_the_services():
    LicenseAssignment.objects.bulk_create(
        [
            LicenseAssignment(
                customer=make_customer(),
                kind=AssignmentKind.PAID,
                license_code="FS-1Y",
                status=AssignmentStatus.FAILED,
                currency="EUR",
            )
        ]
    )
    out = io.StringIO()

    call_command("rebuild_rollups", stdout=out)

    assert "1 settled assignment(s) in 1 month row(s), 0 demo lead(s)" in out.getvalue()
    assert [figures[:3] for figures in buckets().values()] == [(0, 1, 0)]
