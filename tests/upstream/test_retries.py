"""Reads retry a bounded number of times within the call's budget; writes never retry."""

import logging
import time

import pytest

from licensing import upstream
from tests.upstream import faultserver as fs

AVAILABLE_PATH = "/customerarea/licenses/available"
LICENSE = {
    "license_code": "CL-Q-A005-M1",
    "license_name": "Business Filter License",
    "license_duration_months": "1",
    "license_version": "0",
    "license_quantity": "5 users",
    "license_points": 0.5,
    "license_amount": 5,
    "license_amount_currency": "EUR",
}


def attempts_logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "licensing.upstream"]


def test_read_retries_after_503_and_then_succeeds(fault, make_client):
    fault.script(fs.html(503), fs.ok([LICENSE]))

    result = make_client().licenses_available(customer_code=42)

    assert [lic.code for lic in result.licenses] == ["CL-Q-A005-M1"]
    assert fault.count(AVAILABLE_PATH) == 2
    assert result.call.status == 200


@pytest.mark.parametrize("status", [502, 503, 504])
def test_read_gives_up_after_a_bounded_number_of_attempts_within_the_budget(
    fault, make_client, status
):
    fault.script(fs.html(status))

    started = time.monotonic()
    with pytest.raises(upstream.Unavailable) as caught:
        make_client(timeout=1.0).licenses_available(customer_code=42)
    elapsed = time.monotonic() - started

    assert fault.count(AVAILABLE_PATH) == upstream.READ_ATTEMPTS
    assert elapsed < 1.0
    assert caught.value.status == status


def test_read_retries_never_run_past_the_budget(fault, make_client):
    # With a budget this short there is no room for backoff: the first failure is final.
    fault.script(fs.html(503))

    started = time.monotonic()
    with pytest.raises(upstream.Unavailable):
        make_client(timeout=0.1, read_attempts=10).licenses_available(customer_code=42)

    assert time.monotonic() - started < 0.1 + 0.05
    assert 1 <= fault.count(AVAILABLE_PATH) < 10


def test_read_retries_when_the_connection_is_refused(make_client, caplog):
    client = make_client(base_url=fs.closed_port_url(), timeout=1.0)

    started = time.monotonic()
    caplog.set_level(logging.INFO, logger="licensing.upstream")
    with pytest.raises(upstream.Unavailable) as caught:
        client.licenses_available(customer_code=42)

    assert len(attempts_logged(caplog)) == upstream.READ_ATTEMPTS
    assert caught.value.may_have_taken_effect is False
    assert time.monotonic() - started < 1.0


def test_retry_after_beyond_the_budget_gives_up_at_once(fault, make_client):
    fault.script(fs.reply(503, {}, headers={"Retry-After": "99999"}))

    started = time.monotonic()
    with pytest.raises(upstream.Unavailable):
        make_client(timeout=1.0).licenses_available(customer_code=42)

    assert time.monotonic() - started < 0.2
    assert fault.count(AVAILABLE_PATH) == 1


def test_retry_after_as_an_http_date_far_ahead_gives_up_at_once(fault, make_client):
    fault.script(fs.reply(503, {}, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}))

    with pytest.raises(upstream.Unavailable):
        make_client(timeout=1.0).licenses_available(customer_code=42)

    assert fault.count(AVAILABLE_PATH) == 1


def test_short_retry_after_is_honoured(fault, make_client):
    fault.script(fs.reply(503, {}, headers={"Retry-After": "0"}), fs.ok([LICENSE]))

    result = make_client(timeout=1.0).licenses_available(customer_code=42)

    assert len(result.licenses) == 1
    assert fault.count(AVAILABLE_PATH) == 2


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(fs.reply(500, {"code": 500, "message": "Error"}), id="500"),
        pytest.param(fs.stall(2.0), id="read timeout"),
        pytest.param(fs.reset(), id="reset"),
        pytest.param(fs.reply(200, "not json"), id="unreadable"),
        pytest.param(fs.reply(401, {"message": "Invalid token"}), id="401"),
    ],
)
def test_read_is_not_retried_after_faults_outside_the_retry_list(fault, make_client, action):
    fault.script(action)

    with pytest.raises(upstream.UpstreamError):
        make_client().licenses_available(customer_code=42)

    assert fault.count(AVAILABLE_PATH) == 1


WRITES = {
    "assign": (
        "/customerarea/licenses/assign",
        lambda c: c.license_assign(customer_code=1, license_code="X", license_info="HQ"),
    ),
    "demo": ("/customerarea/licenses/demo", lambda c: c.demo_assign(customer_code=1)),
    "suspend": (
        "/customerarea/licenses/suspend",
        lambda c: c.renewal_suspend(customer_code=1, license_id="7"),
    ),
    "enable": (
        "/customerarea/licenses/enable",
        lambda c: c.renewal_enable(customer_code=1, license_id="7"),
    ),
    "customer_new": (
        "/customerarea/customers/new",
        lambda c: c.customer_create(
            email="a@example.com",
            password="pw",
            customer_name="A",
            country_code="IT",
            industry_code=1,
        ),
    ),
    "auth_token": ("/customerarea/auth/token", lambda c: c.dashboard_token(customer_code=1)),
}


@pytest.mark.parametrize("action", [fs.html(503), fs.reply(502, "")], ids=["503", "502"])
@pytest.mark.parametrize("endpoint", list(WRITES))
def test_writes_are_sent_once_even_when_a_retry_would_look_safe(
    fault, make_client, endpoint, action
):
    path, call = WRITES[endpoint]
    fault.script(action)

    with pytest.raises(upstream.Unavailable) as caught:
        call(make_client(timeout=1.0, read_attempts=5))

    assert fault.count(path) == 1
    assert caught.value.may_have_taken_effect is True


def test_write_is_not_retried_after_a_refused_connection(make_client, caplog):
    client = make_client(base_url=fs.closed_port_url(), timeout=1.0)

    caplog.set_level(logging.INFO, logger="licensing.upstream")
    with pytest.raises(upstream.Unavailable):
        WRITES["assign"][1](client)

    assert len(attempts_logged(caplog)) == 1


def test_each_attempt_logs_one_line_with_endpoint_status_and_duration(fault, make_client, caplog):
    fault.script(fs.html(503), fs.ok([LICENSE]))

    with caplog.at_level(logging.INFO, logger="licensing.upstream"):
        make_client().licenses_available(customer_code=42)

    records = attempts_logged(caplog)
    assert [r.status for r in records] == [503, 200]
    assert [r.endpoint for r in records] == ["available", "available"]
    assert [r.attempt for r in records] == [1, 2]
    assert all(isinstance(r.duration_ms, int) and r.duration_ms >= 0 for r in records)
    assert records[0].levelno == logging.WARNING and records[1].levelno == logging.INFO


def test_get_carries_its_parameters_as_a_json_body(fault, make_client):
    fault.script(fs.ok([]))

    make_client().licenses_available(
        customer_code=42, lang="it", version_code=2, license_duration=12, currency_code="USD"
    )

    request = fault.last()
    assert request.method == "GET"
    assert request.path == AVAILABLE_PATH
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert request.json == {
        "customer_code": 42,
        "lang": "it",
        "version_code": 2,
        "license_duration": "12",
        "currency_code": "USD",
    }
