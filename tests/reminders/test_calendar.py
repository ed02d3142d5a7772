"""send_reminders on the calendar: the 30/7/3-day windows across month ends, leap years and
the year's end, counted in the portal's time zone."""

from datetime import date

import pytest
from django.utils import timezone

from licensing.models import ReminderKind
from tests.reminders.test_send_reminders import demo, kinds, licence, run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "expiry", "kind"),
    [
        # 31 January: 30 days ahead is 2 March (February has 28 days in 2027) ...
        (date(2027, 1, 31), date(2027, 3, 2), ReminderKind.EXPIRY_30),
        (date(2027, 1, 31), date(2027, 3, 3), None),
        (date(2027, 1, 31), date(2027, 2, 8), ReminderKind.EXPIRY_30),
        (date(2027, 1, 31), date(2027, 2, 7), ReminderKind.EXPIRY_7),
        # ... and 1 March in a leap year.
        (date(2028, 1, 31), date(2028, 3, 1), ReminderKind.EXPIRY_30),
        (date(2028, 1, 31), date(2028, 3, 2), None),
        (date(2028, 2, 28), date(2028, 3, 6), ReminderKind.EXPIRY_7),
        # New year's eve.
        (date(2026, 12, 31), date(2027, 1, 7), ReminderKind.EXPIRY_7),
        (date(2026, 12, 31), date(2026, 12, 31), ReminderKind.EXPIRY_7),
        (date(2026, 12, 31), date(2026, 12, 30), None),  # expired yesterday
    ],
)
def test_expiry_windows_count_calendar_days_across_month_ends(clock, owner, today, expiry, kind):
    clock(today.year, today.month, today.day, 12)
    due = licence(owner, expiry)

    run()

    expected = {(due.pk, kind, expiry)} if kind else set()
    assert kinds() == expected


@pytest.mark.parametrize(
    ("ends", "reminded"),
    [
        (date(2027, 2, 28), True),  # today
        (date(2027, 3, 3), True),  # in 3 days, across the month end
        (date(2027, 3, 4), False),  # in 4
        (date(2027, 2, 27), False),  # ended yesterday
    ],
)
def test_demos_are_reminded_within_three_days_of_their_end(clock, owner, ends, reminded):
    clock(2027, 2, 28, 12)
    ending = demo(owner, ends)

    run()

    expected = {(ending.pk, ReminderKind.DEMO_ENDING, ends)} if reminded else set()
    assert kinds() == expected


def test_days_are_counted_in_the_portals_time_zone_not_in_utc(clock, owner, settings):
    settings.TIME_ZONE = "Europe/Rome"
    due = licence(owner, date(2027, 3, 7))
    # 23:30 UTC on 27 February is 00:30 on the 28th in Rome: 7 days before 7 March.
    clock(2027, 2, 27, 23, 30)
    run()
    assert kinds() == {(due.pk, ReminderKind.EXPIRY_7, date(2027, 3, 7))}


def test_west_of_utc_the_day_turns_later(clock, owner, settings):
    settings.TIME_ZONE = "America/New_York"
    due = licence(owner, date(2027, 3, 7))
    # 03:00 UTC on 1 March is still 28 February (22:00) in New York.
    clock(2027, 3, 1, 3)
    assert timezone.localdate() == date(2027, 2, 28)
    run()
    assert kinds() == {(due.pk, ReminderKind.EXPIRY_7, date(2027, 3, 7))}
