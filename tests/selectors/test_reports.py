"""The managers' overview: figures from aggregate queries and a script-free SVG chart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing.models import AssignmentKind, AssignmentStatus, Renewal
from licensing.selectors import reports as reporting
from tests.factories import make_assignment, make_customer


@pytest.mark.django_db
def test_overview_figures(manager_user):
    today = timezone.localdate()
    converted = make_customer(name="Converted")
    make_assignment(
        converted, kind=AssignmentKind.DEMO, created_at=timezone.now() - timedelta(days=3)
    )
    make_assignment(converted, created_by=manager_user, amount=Decimal("10.00"))
    lead = make_customer(name="Still a lead")
    make_assignment(lead, kind=AssignmentKind.DEMO)
    make_assignment(
        created_by=manager_user, amount=Decimal("5.50"), currency="USD", renewal=Renewal.SUSPENDED
    )
    make_assignment(expiry_date=today + timedelta(days=5), amount=Decimal("1.00"))
    unknown = make_assignment(status=AssignmentStatus.UNKNOWN)

    overview = reporting.overview()
    period = overview.period
    this_month = period.months[-1]
    assert this_month.month == today.replace(day=1)
    assert this_month.totals == {"EUR": Decimal("11.00"), "USD": Decimal("5.50")}
    assert period.currencies == ["EUR", "USD"]
    assert period.renewals_on == 2 and period.renewals_suspended == 1
    assert overview.expiring_count == 1
    assert [u.pk for u in overview.unresolved] == [unknown.pk]
    assert [d.customer.name for d in period.unconverted_demos] == ["Still a lead"]
    assert period.unconverted_demo_count == 1
    staff = {line.username: line for line in period.staff}
    assert staff[manager_user.username].paid == 2


def test_month_starts_cross_the_year():
    from datetime import date

    starts = reporting.month_starts(months=3, today=date(2025, 2, 14))
    assert starts == [date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


@pytest.mark.django_db
def test_reports_page_draws_the_chart_without_scripts_or_inline_styles(manager_client):
    make_assignment(amount=Decimal("20.00"))
    unknown = make_assignment(status=AssignmentStatus.UNKNOWN)
    html = manager_client.get("/reports/").content.decode()
    assert "<svg" in html and 'class="chart-bar"' in html
    assert "style=" not in html and "<script>" not in html
    assert f"/assignments/{unknown.pk}/resolve/" in html


@pytest.mark.django_db
def test_period_figures_are_cached_but_what_managers_act_on_is_live(
    manager_user, django_assert_num_queries
):
    make_assignment(amount=Decimal("20.00"))
    first = reporting.overview()
    make_assignment(amount=Decimal("5.00"))
    unknown = make_assignment(status=AssignmentStatus.UNKNOWN)
    with django_assert_num_queries(4):  # expiring and unresolved: count and list each
        second = reporting.overview()
    assert second.period == first.period
    assert second.period.renewals_on == 1
    assert [u.pk for u in second.unresolved] == [unknown.pk]
