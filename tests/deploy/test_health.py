"""/healthz: 200 while the database answers (503 when it does not); the vendor and the
cache are reported without ever failing the check; reachable by IP address."""

import socket
import threading

import pytest
from django.db import OperationalError, connection

from licensing.upstream import breaker

pytestmark = pytest.mark.django_db


class CountingListener:
    """A TCP port that accepts and counts connections (a stand-in vendor host)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.accepted = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener(settings):
    started = CountingListener()
    settings.FLASHSTART_API_URL = started.url
    yield started
    started.close()


def test_all_well(client, listener):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "vendor": "ok",
        "vendor_failures": 0,
    }
    assert "no-store" in response["Cache-Control"]


def test_the_vendor_probe_is_shared_and_rate_limited(client, listener):
    for _ in range(5):
        assert client.get("/healthz").json()["vendor"] == "ok"

    assert listener.accepted == 1


def test_an_unreachable_vendor_is_reported_but_does_not_fail_the_check(client, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings.FLASHSTART_API_URL = f"http://127.0.0.1:{closed}/"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["vendor"] == "unreachable"


def test_recent_vendor_failures_are_reported(client, listener):
    circuit = breaker.from_settings()
    circuit.record_failure()
    circuit.record_failure()

    data = client.get("/healthz").json()

    assert data["vendor"] == "failing" and data["vendor_failures"] == 2


def test_a_database_failure_fails_the_check(client, listener, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "fail" and response.json()["database"] == "unavailable"


def test_a_cache_failure_is_reported_without_failing_the_check(client, listener, settings):
    settings.CACHES = {"default": {"BACKEND": "tests.upstream.test_breaker.BrokenCache"}}

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["cache"] == "unavailable"


def test_probes_by_ip_address_are_answered_though_the_host_is_not_allowed(
    client, listener, settings
):
    settings.ALLOWED_HOSTS = ["portal.example.com"]

    probe = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    page = client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000")

    assert probe.status_code == 200
    assert page.status_code == 400  # everything else still checks the host


def test_healthz_takes_get_only(client, listener):
    assert client.post("/healthz").status_code == 405
