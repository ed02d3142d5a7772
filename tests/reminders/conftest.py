"""A frozen clock and the people reminders go to."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from licensing import roles
from tests.factories import user_factory

UTC = ZoneInfo("UTC")


@pytest.fixture
def clock(monkeypatch):
    """`clock(2027, 1, 31, 9)`: from then on, `timezone.now()` (and so `localdate()`) is that
    moment, given in UTC unless `tz` says otherwise."""

    def freeze(*parts, tz=UTC) -> datetime:
        moment = datetime(*parts, tzinfo=tz)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def owner(db):
    return user_factory(
        username="sam", email="sam@example.com", first_name="Sam", groups=[roles.SALES]
    )


@pytest.fixture
def other_owner(db):
    return user_factory(username="olga", email="olga@example.com", groups=[roles.SALES])


@pytest.fixture
def manager(db):
    return user_factory(username="mia", email="mia@example.com", groups=[roles.MANAGERS])
