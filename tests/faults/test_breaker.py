"""A dead vendor: once the breaker opens, pages answer at once with a clear message, and
after the cooldown one trial call at a time (across threads and processes) probes it."""

import threading
import time

import pytest

from licensing import roles, selectors, upstream
from licensing.upstream import breaker
from tests.factories import customer_factory, user_factory

TIMEOUT = 1.0
DEAD = 5.0  # the vendor takes this long to answer anything: far past the deadline


@pytest.fixture
def dead_vendor(sandbox_settings, settings):
    settings.FLASHSTART_TIMEOUT = TIMEOUT
    settings.FLASHSTART_BREAKER = {"FAILURES": 2, "COOLDOWN": 30}
    sandbox_settings.latency = DEAD
    return sandbox_settings


@pytest.fixture
def customer(db):
    return customer_factory(customer_code=1001, name="Rossi Ufficio SRL")


@pytest.fixture
def staff(client, db):
    client.force_login(user_factory(groups=[roles.SALES]))
    return client


def timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_after_the_breaker_opens_the_catalogue_page_answers_well_under_the_timeout(
    dead_vendor, staff, customer, settings
):
    # Directory look-ups (versions, currencies) do not count: the catalogue call opens it.
    settings.FLASHSTART_BREAKER = {"FAILURES": 1, "COOLDOWN": 30}
    url = "/customers/1001/catalogue/"
    first, slow = timed_get(staff, url)
    assert first.status_code == 200
    assert slow >= TIMEOUT  # the vendor was really waited for, once
    assert breaker.state() == "open"
    calls = sum(dead_vendor.state.requests.values())

    second, fast = timed_get(staff, url)

    assert second.status_code == 200
    assert fast < TIMEOUT / 4, f"{fast:.2f}s"
    page = second.content.decode()
    assert "The catalogue could not be loaded" in page
    assert upstream.BREAKER_MESSAGE in page.replace("&#x27;", "'")
    assert sum(dead_vendor.state.requests.values()) == calls  # nothing sent


def test_health_reports_the_open_breaker_without_failing(dead_vendor, client, customer):
    circuit = breaker.from_settings()
    circuit.record_failure()
    circuit.record_failure()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["vendor"] == "unreachable"
    assert response.json()["vendor_failures"] == 2


def test_after_the_cooldown_only_one_concurrent_call_probes_the_vendor(
    dead_vendor, settings, customer
):
    settings.FLASHSTART_BREAKER = {"FAILURES": 1, "COOLDOWN": 1}
    with pytest.raises(upstream.Unavailable):
        selectors.catalogue(customer=customer, filters=selectors.CatalogueFilters())
    assert breaker.state() == "open"
    time.sleep(1.2)  # the cooldown passes: half-open
    before = dead_vendor.state.requests["available"]
    durations: list[float] = []
    errors: list[Exception] = []

    def browse(lang: str) -> None:
        started = time.monotonic()
        try:
            selectors.catalogue(customer=customer, filters=selectors.CatalogueFilters(lang=lang))
        except upstream.UpstreamError as exc:
            errors.append(exc)
        finally:
            durations.append(time.monotonic() - started)

    threads = [
        threading.Thread(target=browse, args=(["en", "it", "es", "de"][i % 4],)) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(errors) == 8  # the vendor is still dead
    assert dead_vendor.state.requests["available"] == before + 1  # one trial, not eight
    assert sorted(durations)[-2] < TIMEOUT / 2  # all but the trial failed fast
    assert breaker.state() == "open"  # the failed trial re-opened it


def test_breakers_in_two_processes_share_the_half_open_trial(settings):
    settings.FLASHSTART_BREAKER = {"FAILURES": 1, "COOLDOWN": 0.01}
    # Two instances stand for two processes: all their state is in the shared cache.
    mine, theirs = breaker.from_settings(), breaker.from_settings()
    mine.record_failure()
    time.sleep(0.05)

    allowed = [mine.allow(), theirs.allow(), mine.allow()]

    assert allowed.count(True) == 1
    theirs.record_success()
    assert mine.allow() and theirs.allow()  # closed: everyone goes through


def test_a_directory_call_gives_back_the_half_open_trial(dead_vendor, settings):
    # Directory look-ups are not counted by the breaker: a failed one must not keep the
    # half-open trial slot until it expires (every licence call would fail fast meanwhile).
    settings.FLASHSTART_BREAKER = {"FAILURES": 1, "COOLDOWN": 0.2, "TRIAL_SECONDS": 60}
    breaker.from_settings().record_failure()
    time.sleep(0.3)  # half-open

    choices = upstream.get_client().currencies()  # takes the trial, times out, falls back

    assert choices  # the configured list
    assert breaker.from_settings().allow()  # the slot is free: the next call may probe


def test_a_call_that_fails_unexpectedly_gives_back_the_half_open_trial(settings):
    settings.FLASHSTART_BREAKER = {"FAILURES": 1, "COOLDOWN": 0.01, "TRIAL_SECONDS": 60}
    breaker.from_settings().record_failure()
    time.sleep(0.05)
    client = upstream.get_client()

    def explode(*args, **kwargs):
        raise RuntimeError("a bug below the client")

    client._transport.send = explode  # our own boundary: the client's transport

    with pytest.raises(RuntimeError):
        client.licenses_available(customer_code=1001)

    assert breaker.from_settings().allow()


def test_a_released_slot_that_was_never_taken_frees_nothing(settings):
    settings.FLASHSTART_BREAKER = {"FAILURES": 1, "COOLDOWN": 0.01, "TRIAL_SECONDS": 60}
    breaker.from_settings().record_failure()
    time.sleep(0.05)
    trial, bystander = breaker.from_settings(), breaker.from_settings()
    assert trial.allow() and not bystander.allow()

    bystander.release()  # it holds nothing: the trial must stay taken

    assert not breaker.from_settings().allow()
    trial.release()
    assert breaker.from_settings().allow()
