"""The Reports page's live figures read their own partial indexes (migration 0011): the
renewal forecast streams its groups from assignment_renewals_due_idx and "ending soon" is
counted from assignment_ending_idx, neither visiting the table, so their cost follows the
licences in their window and not the size of the assignments table."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from licensing import selectors
from licensing.models import AssignmentKind, AssignmentStatus, LicenseAssignment, Renewal
from licensing.selectors import forecast as fc
from licensing.selectors import reports as reporting
from tests.factories import make_assignment, make_customer

pytestmark = pytest.mark.django_db


def _index(name: str):
    return next(i for i in LicenseAssignment._meta.indexes if i.name == name)


def _queries(call) -> list[tuple[str, tuple]]:
    """The statements `call` sends, with their parameters."""
    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        call()
    return captured


def _plan(sql: str, params) -> str:
    """The database's plan for one statement, as one text."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A tiny table: make the planner show that the index can serve the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _read_alone(plan: str, index: str) -> bool:
    """Whether `plan` reads `index` without visiting the table."""
    if connection.vendor == "sqlite":
        return f"COVERING INDEX {index}" in plan
    return f"Index Only Scan using {index}" in plan


def _some_licences() -> None:
    soon = timezone.localdate() + timedelta(days=5)
    make_assignment(expiry_date=soon, amount=Decimal("10.00"))
    make_assignment(expiry_date=soon, renewal=Renewal.SUSPENDED)
    make_assignment(kind=AssignmentKind.DEMO, expiry_date=soon)


def test_ending_is_written_as_the_condition_of_its_index():
    assert _index("assignment_ending_idx").condition == reporting.ENDS_AT_EXPIRY


def test_ending_soon_is_counted_from_its_index_alone(monkeypatch):
    _some_licences()
    monkeypatch.setattr(reporting, "LIST_LIMIT", 1)  # a full list: the count is asked for
    counts = [
        (sql, params)
        for sql, params in _queries(reporting.overview)
        if sql.startswith("SELECT COUNT(*)") and "expiry_date" in sql
    ]
    assert len(counts) == 1
    plan = _plan(*counts[0])
    assert _read_alone(plan, "assignment_ending_idx"), plan


def test_the_forecast_streams_its_groups_from_its_index_alone():
    _some_licences()
    grouped = _queries(selectors.forecast.renewal_forecast)[0]
    assert "GROUP BY" in grouped[0]
    plan = _plan(*grouped)
    assert _read_alone(plan, "assignment_renewals_due_idx"), plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # no sort: in index order


def _bulk(count: int, *, days_ahead: int, customers: list) -> None:
    """`count` active paid licences (and as many demos) expiring `days_ahead` days from now."""
    expiry = timezone.localdate() + timedelta(days=days_ahead)
    tag = f"{days_ahead}-{count}-{LicenseAssignment.objects.count()}"
    rows = []
    for i in range(count):
        for kind in (AssignmentKind.PAID, AssignmentKind.DEMO):
            rows.append(
                LicenseAssignment(
                    customer=customers[i % len(customers)],
                    kind=kind,
                    license_code="FS-BIZ-1Y" if kind == AssignmentKind.PAID else "demo",
                    status=AssignmentStatus.ACTIVE,
                    license_id=f"B-{kind}-{tag}-{i}",
                    amount=Decimal("12.50") if kind == AssignmentKind.PAID else None,
                    currency="EUR",
                    expiry_date=expiry,
                    renewal=Renewal.SUSPENDED if i % 7 == 0 and kind == "paid" else Renewal.ON,
                )
            )
    LicenseAssignment.objects.bulk_create(rows, batch_size=500)


def _steps(call) -> int:
    """SQLite virtual-machine steps of `call`: they count the rows the database visits,
    so they grow with what is read and not with the machine's load."""
    steps = 0

    def tick():
        nonlocal steps
        steps += 1
        return 0

    connection.ensure_connection()
    connection.connection.set_progress_handler(tick, 10)
    try:
        call()
    finally:
        connection.connection.set_progress_handler(None, 0)
    return steps


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's VM steps")
def test_licences_outside_the_windows_cost_the_live_figures_nothing():
    """2,000 more licences expiring in a year leave the forecast's and the overview's work
    as it was: each reads the entries of its own window in its index."""
    customers = [make_customer() for _ in range(10)]
    _bulk(100, days_ahead=10, customers=customers)
    forecast_small = _steps(selectors.forecast.renewal_forecast)
    overview_small = _steps(reporting.overview)
    before = selectors.forecast.renewal_forecast()

    _bulk(1000, days_ahead=300, customers=customers)
    forecast_large = _steps(selectors.forecast.renewal_forecast)
    overview_large = _steps(reporting.overview)

    assert forecast_large < forecast_small * 1.2, (forecast_small, forecast_large)
    assert overview_large < overview_small * 1.2, (overview_small, overview_large)
    after = selectors.forecast.renewal_forecast()
    assert after.lines == before.lines and after.lapsing_count == before.lapsing_count == 15
    assert after.total("EUR", fc.HORIZONS[0]) == Decimal("12.50") * 85
