"""Whatever the vendor answers, the client returns a typed result or raises one of its
documented exceptions, in bounded time.

Generated answers (status, body, Retry-After) are served by a local scripted server and
read through the real client, so status mapping, JSON decoding, the parsers and the
redaction all see them. Never KeyError, TypeError, ValueError, InvalidOperation,
RecursionError or a hang.
"""

import json
import math
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from licensing import upstream
from licensing.upstream import transport
from tests.fuzz import strategies as s
from tests.upstream import faultserver as fs

TIMEOUT = 0.5
BOUND = TIMEOUT + 2.0  # a call, retries and parsing included, ends well within this
FUZZ = hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
DEEP = b'{"code": 200, "content": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
HUGE_EXPONENT = "1e400000"  # int() of this takes seconds: must be refused, not computed


@pytest.fixture(scope="module")
def server():
    started = fs.FaultServer()
    yield started
    started.close()


@pytest.fixture(scope="module")
def client(server):
    made = upstream.FlashStartClient(
        base_url=server.url,
        api_key="fuzz-api-key-2b7a6d5830",
        timeout=TIMEOUT,
        paths=settings.FLASHSTART_PATHS,
        fallbacks={"currencies": [("EUR", "Euro")]},
    )
    yield made
    made.close()


def serve(server, status: int, body: bytes, retry_after: str | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    server.script(fs.reply(status, body, headers=headers))


def bounded(call):
    """Run `call()`; return ("ok", result) or ("error", exception); fail if it took longer
    than BOUND. (A C-level computation holds the GIL, so the time is measured, not only
    waited for.)"""
    outcome: list = []

    def run():
        started = time.monotonic()
        try:
            outcome.append(("ok", call()))
        except BaseException as exc:  # noqa: BLE001 - judged by the caller
            outcome.append(("error", exc))
        outcome.append(time.monotonic() - started)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND)
    if worker.is_alive() or outcome[-1] > BOUND:
        pytest.fail(f"the call did not return within {BOUND}s")
    return outcome[0]


def check(call, expected_type):
    kind, value = bounded(call)
    if kind == "error":
        if not isinstance(value, upstream.UpstreamError):
            raise AssertionError(f"undocumented exception escaped: {value!r}") from value
        assert str(value)  # a message for people
        assert "fuzz-api-key-2b7a6d5830" not in str(value)
        return None
    assert isinstance(value, expected_type)
    return value


def finite(number) -> bool:
    return isinstance(number, Decimal) and number.is_finite()


def answers(endpoint: str):
    return given(status=s.STATUSES, body=s.envelope(s.CONTENT[endpoint]), retry_after=s.RETRY_AFTER)


@FUZZ
@answers("available")
@example(status=200, body=DEEP, retry_after=None)
def test_available_licences(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(lambda: client.licenses_available(customer_code=1), upstream.AvailableLicenses)
    if result is not None:
        for item in result.licenses:
            assert isinstance(item.code, str) and isinstance(item.name, str)
            assert isinstance(item.duration_months, int)
            assert item.points is None or finite(item.points)
            if item.sellable:
                assert finite(item.amount) and item.amount >= 0
                assert len(item.currency) == 3 and item.currency.isalpha()
            else:
                assert item.amount is None


@FUZZ
@answers("demo")
@example(status=200, body=DEEP, retry_after=None)
def test_demo(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(lambda: client.demo_assign(customer_code=1), upstream.DemoResult)
    if result is not None:
        assert isinstance(result.license_id, str) and result.license_id.strip()
        assert result.expiry_date is None or isinstance(result.expiry_date, date)
        assert (result.expiry_date is None) == ("expiry_date" in result.unread)


@FUZZ
@answers("assign")
@example(status=200, body=DEEP, retry_after=None)
def test_assign(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(
        lambda: client.license_assign(
            customer_code=1, license_code="CL-Q-A005-M1", license_info="HQ"
        ),
        upstream.AssignResult,
    )
    if result is not None:
        assert isinstance(result.license_id, str) and result.license_id.strip()
        for name in ("start_date", "expiry_date"):
            value = getattr(result, name)
            assert isinstance(value, date) if name not in result.unread else value is None
        if "deducted_amount" in result.unread:
            assert result.deducted_amount is None
        else:
            assert finite(result.deducted_amount) and result.deducted_amount >= 0
        assert len(result.currency) == 3 and result.currency.isalpha()


@FUZZ
@answers("suspend")
def test_suspend(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(
        lambda: client.renewal_suspend(customer_code=1, license_id="13343"), upstream.MessageResult
    )
    if result is not None:
        assert isinstance(result.message, str) and isinstance(result.already, bool)


@FUZZ
@answers("enable")
def test_enable(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(
        lambda: client.renewal_enable(customer_code=1, license_id="13343"), upstream.MessageResult
    )
    if result is not None:
        assert isinstance(result.message, str) and isinstance(result.already, bool)


@FUZZ
@answers("customer_new")
def test_customer_new(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(
        lambda: client.customer_create(
            email="a@example.com",
            password="fuzz-password-123",
            customer_name="A",
            country_code="IT",
            industry_code=1,
            company_name="A SRL",
        ),
        upstream.CustomerCreated,
    )
    if result is not None:
        assert isinstance(result.customer_code, int)


@FUZZ
@answers("auth_token")
def test_dashboard_token(server, client, status, body, retry_after):
    serve(server, status, body, retry_after)
    result = check(lambda: client.dashboard_token(customer_code=1), upstream.DashboardLink)
    if result is not None:
        assert result.url.startswith(upstream.DEFAULT_DASHBOARD_URL)
        assert result.url != upstream.DEFAULT_DASHBOARD_URL
        # The one-time login token is replaced in what the audit trail keeps.
        assert json.loads(result.call.answer)["content"]["token"] == upstream.REDACTED


@FUZZ
@given(
    status=s.STATUSES,
    body=s.envelope(s.CONTENT["directory"]),
    retry_after=s.RETRY_AFTER,
    name=st.sampled_from(upstream.DIRECTORIES),
)
@example(status=200, body=DEEP, retry_after=None, name="currencies")
def test_directories_never_raise(server, client, status, body, retry_after, name):
    serve(server, status, body, retry_after)
    kind, value = bounded(getattr(client, name))
    assert kind == "ok", f"{name} raised {value!r}"
    assert isinstance(value, list)
    for choice in value:
        assert isinstance(choice, upstream.Choice)
        assert isinstance(choice.value, str) and choice.value
        assert isinstance(choice.label, str) and choice.label


@FUZZ
@given(
    value=st.one_of(
        st.none(),
        # What http.client can deliver: latin-1 text without line breaks.
        st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
        s.RETRY_AFTER,
    )
)
def test_retry_after_header_is_a_number_or_none(value):
    seconds = transport.retry_after_seconds(value)
    assert seconds is None or (isinstance(seconds, float) and not math.isnan(seconds))


HUGE_ANSWERS = {
    "available": (
        lambda c: c.licenses_available(customer_code=1),
        {
            "license_code": "X",
            "license_name": "N",
            "license_duration_months": HUGE_EXPONENT,
            "license_version": "0",
            "license_quantity": "5",
            "license_points": 1,
            "license_amount": 5,
            "license_amount_currency": "EUR",
        },
    ),
    "customer_new": (
        lambda c: c.customer_create(
            email="a@example.com",
            password="fuzz-password-123",
            customer_name="A",
            country_code="IT",
            industry_code=1,
            company_name="A SRL",
        ),
        {"customer_code": HUGE_EXPONENT},
    ),
}


@pytest.mark.parametrize("endpoint", list(HUGE_ANSWERS))
def test_a_number_with_a_huge_exponent_is_refused_quickly(server, client, endpoint):
    call, content = HUGE_ANSWERS[endpoint]
    if endpoint == "available":
        content = [content]
    server.script(fs.ok(content))

    started = time.monotonic()
    kind, value = bounded(lambda: call(client))

    assert time.monotonic() - started < BOUND
    assert kind == "error" and isinstance(value, upstream.UnreadableAnswer)


def test_a_superscript_digit_in_retry_after_is_not_a_crash(server, client):
    server.script(fs.reply(503, b'{"message": "busy"}', headers={"Retry-After": "\u00b9"}))

    with pytest.raises(upstream.Unavailable):
        client.licenses_available(customer_code=1)
