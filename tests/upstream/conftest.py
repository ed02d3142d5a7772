"""Fixtures for the FlashStart client's tests: a scripted fault server and client factory."""

import itertools

import pytest
from django.conf import settings

from licensing import upstream
from licensing.upstream import breaker
from tests.upstream.faultserver import FaultServer

# Looks like a real key, so a leak would be found by a plain substring search.
API_KEY = "fs-live-4f1c9e2b7a6d5830-SECRET"
TIMEOUT = 0.3  # seconds: short, so that timeouts and deadlines make a fast suite
FALLBACKS = {
    "currencies": [("EUR", "Euro"), ("USD", "US dollar")],
    "versions": [("0", "Standard")],
    "countries": [("IT", "Italy")],
    "industries": [(1, "Business")],
}
_prefixes = itertools.count()


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch):
    """A developer's HTTP(S)_PROXY must not route loopback test traffic elsewhere."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fault():
    server = FaultServer()
    yield server
    server.close()


@pytest.fixture
def make_client(fault):
    """Return a factory of clients pointed at the fault server (overrides as keywords)."""
    clients = []

    def make(**overrides) -> upstream.FlashStartClient:
        options = {
            "base_url": fault.url,
            "api_key": API_KEY,
            "timeout": TIMEOUT,
            "paths": settings.FLASHSTART_PATHS,
            "fallbacks": FALLBACKS,
        }
        options.update(overrides)
        made = upstream.FlashStartClient(**options)
        clients.append(made)
        return made

    yield make
    for made in clients:
        made.close()


class FakeClock:
    """Wall-clock stand-in for the breaker, moved by hand instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_breaker(clock):
    """Return a factory of breakers with their own cache keys and the fake clock."""

    def make(**options) -> breaker.CircuitBreaker:
        options.setdefault("key_prefix", f"test:breaker:{next(_prefixes)}")
        options.setdefault("clock", clock)
        return breaker.CircuitBreaker(**options)

    return make
