"""The managers' overview: live figures from the roll-up and a few index reads, a page that
says only true things, and a cost that does not grow with the assignments table."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from licensing import services
from licensing.models import AssignmentKind, AssignmentStatus, LicenseAssignment, Renewal
from licensing.selectors import reports as reporting
from tests.factories import make_assignment, make_customer, user_factory

pytestmark = pytest.mark.django_db


def counted(*assignments):
    """The assignments, recorded in the roll-up as the services' settle does."""
    for assignment in assignments:
        services.rollup_record(assignment=assignment)
    return assignments[-1] if assignments else None


def test_overview_figures(manager_user):
    today = timezone.localdate()
    converted = make_customer(name="Converted")
    counted(
        make_assignment(
            converted, kind=AssignmentKind.DEMO, created_at=timezone.now() - timedelta(days=3)
        ),
        make_assignment(converted, created_by=manager_user, amount=Decimal("10.00")),
    )
    lead = make_customer(name="Still a lead")
    counted(make_assignment(lead, kind=AssignmentKind.DEMO))
    counted(
        make_assignment(
            created_by=manager_user,
            amount=Decimal("5.50"),
            currency="USD",
            renewal=Renewal.SUSPENDED,
            expiry_date=today + timedelta(days=5),
        ),
        make_assignment(expiry_date=today + timedelta(days=5), amount=Decimal("1.00")),
    )
    unknown = counted(make_assignment(status=AssignmentStatus.UNKNOWN))
    make_assignment(status=AssignmentStatus.PENDING, created_by=manager_user)  # in flight

    overview = reporting.overview()
    this_month = overview.months[-1]
    assert this_month.month == today.replace(day=1)
    assert this_month.totals == {"EUR": Decimal("11.00"), "USD": Decimal("5.50")}
    assert overview.currencies == ["EUR", "USD"]
    assert overview.renewing == 2 and overview.suspended == 1
    # Only the suspended licence ends: the other one renews by itself.
    assert overview.ending_count == 1 and overview.ending[0].currency == "USD"
    assert [u.pk for u in overview.unresolved] == [unknown.pk]
    assert [d.customer.name for d in overview.unconverted_demos] == ["Still a lead"]
    assert overview.unconverted_demo_count == 1
    staff = {line.username: line for line in overview.staff}
    assert (staff[manager_user.username].paid, staff[manager_user.username].total) == (2, 3)
    assert staff["(deleted user)"].unknown == 1  # the factories' assignments have no creator
    assert overview.rollup_complete


def test_work_of_deleted_users_shows_on_one_line():
    gone, also_gone = user_factory(username="gone"), user_factory(username="also-gone")
    counted(make_assignment(created_by=gone), make_assignment(created_by=also_gone))
    counted(make_assignment(status=AssignmentStatus.FAILED))  # no creator at all
    gone.delete()
    also_gone.delete()

    staff = reporting.overview().staff

    assert [(s.username, s.total, s.paid, s.failed) for s in staff] == [("(deleted user)", 3, 2, 1)]


def test_the_deleted_users_line_speaks_the_language_of_the_page(monkeypatch):
    # A word Django's own Italian catalogue holds stands in for the portal's until its
    # catalogue is compiled: what matters is that the name is translated when read.
    monkeypatch.setattr(reporting, "DELETED_USER", gettext_lazy("Unknown"))
    gone = user_factory(username="gone")
    counted(make_assignment(created_by=gone), make_assignment(status=AssignmentStatus.FAILED))
    gone.delete()

    with translation.override("it"):
        italian = reporting.overview().staff
    english = reporting.overview().staff

    assert [(s.username, s.total) for s in italian] == [("Sconosciuto", 2)]
    assert [(s.username, s.total) for s in english] == [("Unknown", 2)]


def test_a_pending_assignment_counts_as_started_and_a_stale_one_as_waiting():
    newcomer = user_factory(username="newcomer")
    make_assignment(status=AssignmentStatus.PENDING, created_by=newcomer)  # in flight
    crashed = make_assignment(
        status=AssignmentStatus.PENDING,
        created_by=newcomer,
        created_at=timezone.now() - timedelta(hours=1),
    )

    overview = reporting.overview()

    assert [(s.username, s.total, s.paid) for s in overview.staff] == [("newcomer", 2, 0)]
    assert [a.pk for a in overview.unresolved] == [crashed.pk]
    assert overview.unresolved_count == 1


def test_month_starts_cross_the_year():
    starts = reporting.month_starts(months=3, today=date(2025, 2, 14))
    assert starts == [date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


def test_spend_outside_the_period_is_left_out_but_its_licences_still_renew():
    old = make_assignment(created_at=timezone.now() - timedelta(days=500))
    counted(old)

    overview = reporting.overview()

    assert all(not month.totals for month in overview.months)
    assert overview.staff == [] and overview.renewing == 1


def test_reports_page_draws_the_chart_without_scripts_or_inline_styles(manager_client):
    counted(make_assignment(amount=Decimal("20.00")))
    unknown = counted(make_assignment(status=AssignmentStatus.UNKNOWN))
    html = manager_client.get("/reports/").content.decode()
    assert "<svg" in html and 'class="chart-bar"' in html
    assert "style=" not in html and "<script>" not in html
    assert f"/assignments/{unknown.pk}/resolve/" in html


def test_every_figure_is_live_nothing_is_cached(manager_user):
    counted(make_assignment(amount=Decimal("20.00")))
    first = reporting.overview()
    counted(make_assignment(amount=Decimal("5.00")))
    unknown = counted(make_assignment(status=AssignmentStatus.UNKNOWN))

    second = reporting.overview()

    assert first.months[-1].totals == {"EUR": Decimal("20.00")}
    assert second.months[-1].totals == {"EUR": Decimal("25.00")}
    assert (first.renewing, second.renewing) == (1, 2)
    assert [u.pk for u in second.unresolved] == [unknown.pk]


def _tiles(html: str) -> list[str]:
    found = re.findall(
        r'<p class="tile-number">([^<]*)</p><p class="tile-label">(?:<a [^>]*>)?([^<]*)', html
    )
    return [" ".join(pair) for pair in found]


def test_the_tiles_speak_in_correct_plurals(manager_client):
    today = timezone.localdate()
    counted(make_assignment(renewal=Renewal.ON))
    counted(make_assignment(kind=AssignmentKind.DEMO, expiry_date=today + timedelta(days=3)))

    tiles = _tiles(manager_client.get("/reports/").content.decode())

    assert tiles == [
        "1 paid licence that renews by itself",
        "0 paid licences with renewal suspended",
        "1 licence ending in the next 30 days",
        "0 outcomes unknown, waiting for a manager",
        "1 customer whose demo no paid licence followed",
    ]
    counted(make_assignment(renewal=Renewal.ON), make_assignment(status=AssignmentStatus.UNKNOWN))
    tiles = _tiles(manager_client.get("/reports/").content.decode())
    assert tiles[0] == "2 paid licences that renew by themselves"
    assert tiles[3] == "1 outcome unknown, waiting for a manager"


def test_only_licences_that_will_not_renew_are_listed_as_ending(manager_client):
    soon = timezone.localdate() + timedelta(days=5)
    renews = make_assignment(expiry_date=soon, license_name="Renews monthly")
    suspended = make_assignment(expiry_date=soon, renewal=Renewal.SUSPENDED)
    demo = make_assignment(kind=AssignmentKind.DEMO, expiry_date=soon)

    overview = reporting.overview()

    assert {a.pk for a in overview.ending} == {suspended.pk, demo.pk}
    assert overview.ending_count == 2
    html = manager_client.get("/reports/").content.decode()
    ending = html[html.index('id="expiring"') : html.index('id="demos"')]
    assert "Renews monthly" not in ending and ending.count("Expires soon") == 2
    assert renews.pk not in {a.pk for a in overview.ending}


def test_long_lists_show_the_first_fifty_and_count_them_all():
    soon = timezone.localdate() + timedelta(days=2)
    customer = make_customer()
    for _ in range(reporting.LIST_LIMIT + 2):
        counted(make_assignment(customer, status=AssignmentStatus.UNKNOWN))
        make_assignment(customer, kind=AssignmentKind.DEMO, expiry_date=soon)
    make_assignment(  # left behind by a crash: waiting for a manager too
        customer,
        status=AssignmentStatus.PENDING,
        created_at=timezone.now() - timedelta(hours=2),
    )

    overview = reporting.overview()

    assert len(overview.unresolved) == len(overview.ending) == reporting.LIST_LIMIT
    assert overview.unresolved_count == reporting.LIST_LIMIT + 3
    assert overview.ending_count == reporting.LIST_LIMIT + 2


def test_the_page_says_so_when_assignments_were_loaded_around_the_services(manager_client):
    counted(make_assignment())
    assert "rebuild_rollups" not in manager_client.get("/reports/").content.decode()

    # A bulk load, as seed_demo or a restore does: around the services.
    LicenseAssignment.objects.bulk_create([LicenseAssignment(**_fields(make_customer()))])
    assert not reporting.overview().rollup_complete
    assert "rebuild_rollups" in manager_client.get("/reports/").content.decode()

    services.rollup_rebuild()
    assert reporting.overview().rollup_complete
    assert reporting.overview().renewing == 2


def _fields(customer) -> dict:
    return {
        "customer": customer,
        "kind": AssignmentKind.PAID,
        "license_code": "FS-1Y",
        "status": AssignmentStatus.ACTIVE,
        "license_id": "BULK-1",
        "amount": Decimal("9.00"),
        "currency": "EUR",
    }


def _bulk_year_of_assignments(count: int, customers: list) -> None:
    """`count` settled assignments spread over the past year, none of them ending or
    unresolved, loaded in bulk and counted in by a rebuild."""
    now = timezone.now()
    rows = [
        LicenseAssignment(
            customer=customers[i % len(customers)],
            kind=AssignmentKind.PAID,
            license_code="FS-1Y",
            status=AssignmentStatus.ACTIVE if i % 5 else AssignmentStatus.FAILED,
            license_id=f"Y-{count}-{i}" if i % 5 else None,
            amount=Decimal("12.50") if i % 5 else None,
            currency="EUR",
            expiry_date=timezone.localdate() + timedelta(days=200),
            created_at=now - timedelta(days=40 + i * 300 // count, minutes=i),
        )
        for i in range(count)
    ]
    LicenseAssignment.objects.bulk_create(rows, batch_size=500)
    services.rollup_rebuild()


def _database_work(overview) -> tuple[int, int]:
    """(queries, SQLite virtual-machine steps) of one overview: the steps count the rows
    the database visits, so they grow with a table scan and not with the machine's load."""
    steps = 0

    def tick():
        nonlocal steps
        steps += 1
        return 0

    connection.ensure_connection()
    connection.connection.set_progress_handler(tick, 10)
    try:
        with CaptureQueriesContext(connection) as captured:
            overview()
    finally:
        connection.connection.set_progress_handler(None, 0)
    return len(captured), steps


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's VM steps")
def test_the_uncached_overview_does_not_read_more_when_the_table_grows():
    """The same queries, and about the same work, for 200 and for 3,000 assignments: the
    period figures come from the roll-up and the live lists through their indexes. (The
    figures read a year of assignments before the roll-up: 14x the work here.)"""
    customers = [make_customer() for _ in range(20)]
    counted(make_assignment(status=AssignmentStatus.UNKNOWN))
    counted(make_assignment(kind=AssignmentKind.DEMO, expiry_date=timezone.localdate()))
    _bulk_year_of_assignments(200, customers)
    queries_small, steps_small = _database_work(reporting.overview)

    _bulk_year_of_assignments(2800, customers)
    queries_large, steps_large = _database_work(reporting.overview)

    assert queries_large == queries_small <= 9
    assert steps_large < steps_small * 1.5, (steps_small, steps_large)
