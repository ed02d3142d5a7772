"""The renewal forecast: what renewals will cost in 30/60/90 days, and what lapses instead."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from licensing import selectors
from licensing.formatting import money
from licensing.models import AssignmentKind, AssignmentStatus, LicenseAssignment, Renewal
from licensing.selectors import forecast as fc
from tests.factories import make_assignment, make_customer

TODAY = date(2027, 1, 31)


@pytest.fixture
def frozen(monkeypatch):
    """Noon in Rome on 31 January 2027 (a month end, before a short February)."""
    moment = datetime(2027, 1, 31, 12, tzinfo=ZoneInfo("Europe/Rome"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def paid(expiry: date, amount="10.00", **fields) -> LicenseAssignment:
    return make_assignment(
        expiry_date=expiry, amount=None if amount is None else Decimal(amount), **fields
    )


# --- the calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "expiry", "months"),
    [
        ("CL-Q-A005-M12", None, None, 12),
        ("CL-Q-A010-M1", None, None, 1),
        ("cl-q-a010-m3", None, None, 3),
        ("FS-BIZ-1Y", None, None, 12),
        ("FS-BIZ-3Y", None, None, 36),
        ("SOMETHING", date(2026, 1, 31), date(2027, 1, 31), 12),
        ("SOMETHING", date(2027, 1, 1), date(2027, 2, 1), 1),
        ("SOMETHING", date(2022, 1, 18), date(2022, 1, 31), None),  # the vendor's odd example
        ("SOMETHING", None, date(2027, 1, 31), None),
        ("CL-Q-A005-M0", None, None, None),
    ],
)
def test_a_licences_period_comes_from_its_code_or_else_its_dates(code, start, expiry, months):
    assert fc.renewal_months(code, start, expiry) == months


@pytest.mark.parametrize(
    ("day", "months", "moved"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 30), 1, date(2027, 2, 28)),
        (date(2027, 2, 28), 1, date(2027, 3, 31)),  # a month's last day stays the last day
        (date(2027, 4, 30), 1, date(2027, 5, 31)),
        (date(2027, 1, 15), 1, date(2027, 2, 15)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year
        (date(2027, 1, 31), 12, date(2028, 1, 31)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
    ],
)
def test_months_are_added_on_the_calendar(day, months, moved):
    assert fc.add_months(day, months) == moved


def test_a_monthly_licence_renews_at_each_month_end_until_the_horizon():
    dates = fc.renewal_dates(date(2027, 1, 31), 1, until=date(2027, 4, 30))
    assert dates == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert fc.renewal_dates(date(2027, 5, 1), 1, until=date(2027, 4, 30)) == []
    assert fc.renewal_dates(date(2027, 2, 1), None, until=date(2027, 4, 30)) == [date(2027, 2, 1)]


# --- the sums -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_forecast_sums_match_the_seeded_purchases(frozen):
    call_command(
        "seed_demo", "--customers", "60", "--assignments", "600", "--events", "0", "--seed", "15"
    )
    expected = {h: defaultdict(Decimal) for h in fc.HORIZONS}
    renewing = LicenseAssignment.objects.filter(
        kind=AssignmentKind.PAID, status=AssignmentStatus.ACTIVE, renewal=Renewal.ON
    )
    for licence in renewing:  # seeded licences last a year or more: one renewal at most
        for horizon in fc.HORIZONS:
            if TODAY <= licence.expiry_date <= TODAY + timedelta(days=horizon):
                expected[horizon][licence.currency] += licence.amount
    lapsing = LicenseAssignment.objects.filter(
        kind=AssignmentKind.PAID,
        status=AssignmentStatus.ACTIVE,
        renewal=Renewal.SUSPENDED,
        expiry_date__range=(TODAY, TODAY + timedelta(days=90)),
    )

    forecast = selectors.forecast.renewal_forecast()

    assert forecast.today == TODAY
    assert sum(expected[90].values()) > 0, "the seed should put renewals in the window"
    for horizon in fc.HORIZONS:
        got = {line.currency: forecast.total(line.currency, horizon) for line in forecast.lines}
        want = {c: v for c, v in expected[horizon].items() if v}
        assert {c: v for c, v in got.items() if v} == want, horizon
    assert forecast.lapsing_count == lapsing.count()
    assert [a.pk for a in forecast.lapsing] == list(
        lapsing.order_by("expiry_date", "id").values_list("pk", flat=True)[: fc.LAPSING_LIMIT]
    )


@pytest.mark.django_db
def test_each_horizon_counts_renewals_up_to_and_including_its_last_day(frozen):
    paid(TODAY, "1.00")  # today
    paid(TODAY + timedelta(days=30), "2.00")  # 2 March: the 30th day
    paid(TODAY + timedelta(days=31), "4.00")
    paid(TODAY + timedelta(days=90), "8.00")
    paid(TODAY + timedelta(days=91), "16.00")  # beyond
    paid(TODAY - timedelta(days=1), "32.00")  # expired yesterday

    forecast = selectors.forecast.renewal_forecast()

    assert [c.amount for c in forecast.lines[0].cells] == [
        Decimal("3.00"),
        Decimal("7.00"),
        Decimal("15.00"),
    ]
    assert [c.renewals for c in forecast.lines[0].cells] == [2, 3, 4]


@pytest.mark.django_db
def test_monthly_licences_renew_every_month_within_the_horizon(frozen):
    paid(TODAY, "5.00", license_code="CL-Q-A005-M1")  # 31 Jan, 28 Feb, 31 Mar, 30 Apr
    paid(date(2027, 2, 10), "7.00", license_code="CL-Q-A005-M1")  # 10 Feb, 10 Mar, 10 Apr

    forecast = selectors.forecast.renewal_forecast()

    # 30 days: to 2 March; 60: to 1 April; 90: to 1 May.
    assert [c.renewals for c in forecast.lines[0].cells] == [3, 5, 7]
    assert forecast.total("EUR", 90) == Decimal("5.00") * 4 + Decimal("7.00") * 3


@pytest.mark.django_db
def test_currencies_are_never_added_together(frozen):
    paid(TODAY + timedelta(days=3), "10.00", currency="EUR")
    paid(TODAY + timedelta(days=3), "20.00", currency="USD")
    paid(TODAY + timedelta(days=3), "5.00", currency="USD")

    forecast = selectors.forecast.renewal_forecast()

    assert forecast.total("EUR", 30) == Decimal("10.00")
    assert forecast.total("USD", 30) == Decimal("25.00")
    assert [line.currency for line in forecast.lines] == ["USD", "EUR"]  # the larger first


@pytest.mark.django_db
def test_suspended_demo_failed_and_unpriced_licences_are_not_in_the_sums(frozen):
    soon = TODAY + timedelta(days=10)
    lapsing = paid(soon, "99.00", renewal=Renewal.SUSPENDED)
    make_assignment(kind=AssignmentKind.DEMO, expiry_date=soon)
    make_assignment(status=AssignmentStatus.FAILED, expiry_date=soon, amount=Decimal("50"))
    make_assignment(status=AssignmentStatus.UNKNOWN, expiry_date=soon, amount=Decimal("50"))
    paid(soon, None, quoted_amount=None)  # resolved by hand without a price
    quoted = paid(soon, None, quoted_amount=Decimal("3.00"))  # the quote stands in

    forecast = selectors.forecast.renewal_forecast()

    assert forecast.total("EUR", 30) == quoted.quoted_amount
    assert forecast.unpriced == (1, 1, 1)
    assert forecast.lapsing_count == 1 and forecast.lapsing == [lapsing]


@pytest.mark.django_db
def test_a_customers_forecast_counts_only_its_licences(frozen):
    customer = make_customer()
    paid(TODAY + timedelta(days=5), "10.00", customer=customer)
    paid(TODAY + timedelta(days=5), "500.00")

    forecast = selectors.forecast.customer_forecast(customer=customer)

    assert forecast.total("EUR", 90) == Decimal("10.00")


@pytest.mark.django_db
def test_nothing_due_is_an_empty_forecast(frozen):
    forecast = selectors.forecast.renewal_forecast()
    assert forecast.is_empty and forecast.lines == [] and forecast.lapsing == []


# --- on the pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_reports_show_the_forecast_as_an_estimate(manager_client):
    soon = timezone.localdate() + timedelta(days=12)
    paid(soon, "123.40")
    lapsing = paid(soon, "99.00", renewal=Renewal.SUSPENDED)

    page = manager_client.get("/reports/").content.decode()

    assert 'id="forecast"' in page and "Estimate" in page
    assert money(Decimal("123.40"), "EUR") in page
    assert f"/customers/{lapsing.customer.customer_code}/#assignment-{lapsing.pk}" in page
    assert "style=" not in page


@pytest.mark.django_db
def test_the_customer_page_shows_its_own_forecast(sales_client):
    customer = make_customer(customer_code=1001, name="Rossi Ufficio SRL")
    soon = timezone.localdate() + timedelta(days=12)
    paid(soon, "123.40", customer=customer)
    lapsing = paid(soon, "99.00", customer=customer, renewal=Renewal.SUSPENDED)
    paid(soon, "777.00")  # another customer's

    page = sales_client.get("/customers/1001/").content.decode()

    assert "Renewals ahead" in page
    assert money(Decimal("123.40"), "EUR") in page
    assert money(Decimal("777.00"), "EUR") not in page
    assert f'href="#assignment-{lapsing.pk}"' in page
