"""The circuit breaker opens after consecutive outages, fails fast, and closes again."""

import pytest
from django.core.cache.backends.base import BaseCache

from licensing import upstream
from licensing.upstream import breaker
from tests.upstream import faultserver as fs

ASSIGN_PATH = "/customerarea/licenses/assign"


def assign(client):
    return client.license_assign(customer_code=1, license_code="X", license_info="HQ")


def fail_times(client, n):
    for _ in range(n):
        with pytest.raises(upstream.Unavailable):
            assign(client)


def test_breaker_opens_after_consecutive_failures_and_then_fails_fast(
    fault, make_client, make_breaker
):
    fault.script(fs.html(502))
    circuit = make_breaker(failures=3, cooldown=30)
    client = make_client(breaker=circuit)

    fail_times(client, 2)
    assert circuit.state() == "closed"
    fail_times(client, 1)
    assert circuit.state() == "open"

    with pytest.raises(upstream.Unavailable) as caught:
        assign(client)

    assert fault.count(ASSIGN_PATH) == 3  # the fourth call never left the portal
    assert caught.value.may_have_taken_effect is False
    assert caught.value.call is None
    assert caught.value.endpoint == "assign"
    assert str(caught.value) == "The vendor is not answering; try again in a minute."


def test_breaker_closes_after_the_cooldown_and_a_success_resets_it(
    fault, make_client, make_breaker, clock
):
    circuit = make_breaker(failures=2, cooldown=30)
    client = make_client(breaker=circuit)
    fault.script(fs.html(502))
    fail_times(client, 2)
    assert circuit.state() == "open"

    clock.advance(31)
    assert circuit.state() == "closed"
    fault.script(fs.ok({"customer_code": 9}))
    client.customer_create(
        email="a@example.com", password="p", customer_name="A", country_code="IT", industry_code=1
    )

    # After a success it takes the full count of failures to open again.
    fault.script(fs.html(502))
    fail_times(client, 1)
    assert circuit.state() == "closed"
    fail_times(client, 1)
    assert circuit.state() == "open"


def test_one_failure_after_the_cooldown_reopens_the_breaker(
    fault, make_client, make_breaker, clock
):
    circuit = make_breaker(failures=3, cooldown=30)
    client = make_client(breaker=circuit)
    fault.script(fs.html(502))
    fail_times(client, 3)

    clock.advance(31)
    fail_times(client, 1)  # the trial call after the cooldown

    assert circuit.state() == "open"
    assert fault.count(ASSIGN_PATH) == 4


def test_a_success_between_failures_keeps_the_breaker_closed(fault, make_client, make_breaker):
    circuit = make_breaker(failures=3)
    client = make_client(breaker=circuit)

    for _ in range(3):
        fault.script(fs.html(502))
        fail_times(client, 2)
        fault.script(fs.ok([]))
        client.licenses_available(customer_code=1)

    assert circuit.state() == "closed"


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(fs.reply(401, {"message": "Invalid token"}), id="key rejected"),
        pytest.param(fs.reply(405, {"message": "No.", "error": []}), id="refused"),
        pytest.param(fs.reply(500, {"message": "x", "errors": {"a": ["b"]}}), id="validation"),
    ],
)
def test_vendor_refusals_do_not_open_the_breaker(fault, make_client, make_breaker, action):
    circuit = make_breaker(failures=2)
    client = make_client(breaker=circuit)
    fault.script(action)

    for _ in range(4):
        with pytest.raises(upstream.UpstreamError):
            assign(client)

    assert circuit.state() == "closed"
    assert fault.count(ASSIGN_PATH) == 4


def test_refused_connections_count_as_failures(make_client, make_breaker):
    circuit = make_breaker(failures=2)
    client = make_client(base_url=fs.closed_port_url(), breaker=circuit)

    fail_times(client, 2)

    assert circuit.state() == "open"


def test_directory_lookups_fall_back_while_the_breaker_is_open(fault, make_client, make_breaker):
    circuit = make_breaker(failures=1)
    client = make_client(breaker=circuit)
    fault.script(fs.html(502))
    fail_times(client, 1)

    assert client.currencies() == [
        upstream.Choice("EUR", "Euro"),
        upstream.Choice("USD", "US dollar"),
    ]
    assert fault.count("/customerarea/directory/currencies") == 0


def test_breakers_with_the_same_key_share_state_like_separate_processes(make_breaker):
    first = make_breaker(failures=2, key_prefix="test:shared")
    second = make_breaker(failures=2, key_prefix="test:shared")

    first.record_failure()
    second.record_failure()

    assert first.state() == "open"
    second.record_success()
    assert first.state() == "closed"


class BrokenCache(BaseCache):
    """A cache whose server is down: every operation raises."""

    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache down")

    add = get = set = delete = incr = delete_many = get_many = clear = touch = _fail


def test_a_broken_cache_leaves_the_breaker_closed(settings, make_breaker, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "broken": {"BACKEND": "tests.upstream.test_breaker.BrokenCache"},
    }
    circuit = make_breaker(failures=1, cache_alias="broken")

    circuit.record_failure()
    circuit.record_failure()
    circuit.record_success()

    assert circuit.state() == "closed"
    assert circuit.allow() is True
    assert "cache unavailable" in caplog.text


def test_module_state_and_client_factory_use_the_settings(settings, fault):
    settings.FLASHSTART_API_URL = fault.url
    settings.FLASHSTART_TIMEOUT = 0.3
    settings.FLASHSTART_BREAKER = {"FAILURES": 2, "COOLDOWN": 30}
    fault.script(fs.html(502))
    assert breaker.state() == "closed"

    fail_times(upstream.get_client(), 1)
    fail_times(upstream.get_client(), 1)  # a new client each time: the count is in the cache

    assert breaker.state() == "open"
    with pytest.raises(upstream.Unavailable) as caught:
        assign(upstream.get_client())
    assert caught.value.may_have_taken_effect is False
    assert fault.count(ASSIGN_PATH) == 2


def test_factory_sends_the_configured_key(settings, fault):
    settings.FLASHSTART_API_URL = fault.url
    settings.FLASHSTART_API_KEY = "configured-key-123"
    fault.script(fs.ok([]))

    upstream.get_client().licenses_available(customer_code=1)

    assert fault.last().headers["X-API-KEY"] == "configured-key-123"


def test_directory_failures_do_not_open_the_breaker(fault, make_client, make_breaker):
    # Directory paths are unconfirmed upstream; a 5xx there must not block licence calls.
    circuit = make_breaker(failures=1)
    client = make_client(breaker=circuit)
    fault.script(fs.html(502))

    client.countries()
    client.versions()

    assert circuit.state() == "closed"
