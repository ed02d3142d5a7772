"""A login without a group cannot flood the audit trail: refusals are recorded once per
user and object per window, with the repeats counted into the user's next refusal row."""

import time

import pytest
from django.test import Client

from licensing import audit
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from licensing.services import access
from tests.factories import customer_factory, user_factory


def refusals(username: str):
    return AuditEvent.objects.filter(actor_username=username, outcome=AuditOutcome.DENIED).order_by(
        "seq"
    )


@pytest.fixture
def intruder(client, db):
    customer_factory(customer_code=1001)
    customer_factory(customer_code=1002)
    client.force_login(user_factory(groups=[], username="no-group"))
    return client


def test_a_hundred_refusals_of_one_page_write_one_row(intruder):
    for _ in range(100):
        assert intruder.get("/customers/1001/").status_code == 403

    assert refusals("no-group").count() == 1


def test_each_object_gets_its_row(intruder):
    for path in ("/customers/1001/", "/customers/1002/", "/audit/", "/customers/1001/"):
        assert intruder.get(path).status_code == 403

    rows = refusals("no-group")
    assert [row.customer_code for row in rows] == [1001, 1002, None]


def test_walking_objects_is_capped_per_user(intruder, monkeypatch):
    monkeypatch.setattr(access, "REFUSAL_ROWS_PER_WINDOW", 3)

    for code in range(2000, 2010):
        assert intruder.get(f"/customers/{code}/").status_code in (403, 404)

    assert refusals("no-group").count() == 3


def test_the_next_window_records_again_with_the_count_of_what_was_not_recorded(
    intruder, monkeypatch
):
    monkeypatch.setattr(access, "REFUSAL_WINDOW_SECONDS", 1)
    for _ in range(6):
        intruder.get("/customers/1001/")
    time.sleep(1.1)  # the window (a cache timeout) has passed

    intruder.get("/customers/1001/")

    first, second = refusals("no-group")
    assert "more refusal" not in first.message
    assert "5 more refusal(s)" in second.message
    assert second.action == AuditAction.ACCESS_DENIED


def test_other_users_are_recorded_separately(intruder):
    other = Client()
    other.force_login(user_factory(groups=[], username="another"))

    intruder.get("/customers/1001/")
    other.get("/customers/1001/")

    assert refusals("no-group").count() == refusals("another").count() == 1


def test_with_the_cache_down_every_refusal_is_recorded(intruder, settings):
    settings.CACHES = {"default": {"BACKEND": "tests.upstream.test_breaker.BrokenCache"}}

    for _ in range(3):
        assert intruder.get("/customers/1001/").status_code == 403

    assert refusals("no-group").count() == 3


def test_a_refusal_is_still_refused_and_the_exception_says_what(db):
    meta = audit.RequestMeta(user=None, ip="192.0.2.1")

    first = access.access_refuse(meta=meta, what="use the reseller portal")
    again = access.access_refuse(meta=meta, what="use the reseller portal")

    assert str(first) == str(again) == "You do not have permission to use the reseller portal."
    assert AuditEvent.objects.filter(ip="192.0.2.1").count() == 1
