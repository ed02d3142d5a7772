"""Two gunicorn processes sharing PostgreSQL and Redis behave as one portal: a session
made on one works on the other, a catalogue answer cached by one is served by the other,
failed logins on one lock the account (from that address) on the other, and a breaker
opened by one makes the other fail fast."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from bench.load_test import Browser
from licensing import roles
from licensing.models import AuditAction, AuditEvent
from tests.deploy import servers
from tests.factories import customer_factory, user_factory
from tests.multiprocess.conftest import NEEDS_SHARED_BACKENDS, cache_url, subprocess_database_url

pytestmark = [pytest.mark.multiprocess, NEEDS_SHARED_BACKENDS]

PASSWORD = "Multi-Process-Pw-71c"
TIMEOUT = 1.0


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker, sandbox_server, tmp_path_factory):
    """Processes A and B: same database, same Redis, same secret key, same sandbox."""
    workdir = tmp_path_factory.mktemp("multiprocess")
    static_root = workdir / "static"
    servers.collect_static(static_root)
    env = servers.production_env(
        AUDIT_HMAC_KEY=settings.AUDIT_HMAC_KEY,
        DATABASE_URL=subprocess_database_url(),
        CACHE_URL=cache_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DJANGO_PROXY_COUNT="1",
        DJANGO_STATIC_ROOT=str(static_root),
        FLASHSTART_API_URL=sandbox_server.url,
        FLASHSTART_API_KEY=sandbox_server.api_key,
        FLASHSTART_TIMEOUT=str(TIMEOUT),
        FLASHSTART_BREAKER_FAILURES="1",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
    )
    started = []
    try:
        for name in ("a", "b"):
            started.append(servers.start_gunicorn(env, workdir / f"gunicorn-{name}.log"))
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def people(transactional_db, sandbox):
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")
    hasher = PBKDF2PasswordHasher()
    user = user_factory(groups=[roles.SALES], username="multi-sally")
    # The servers use the production hashers; a cheap PBKDF2 keeps logins fast here.
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def log_in(server, ip="198.51.100.50", password=PASSWORD):
    browser = Browser(server.port, ip)
    _, _, page, _ = browser.request("GET", "/accounts/login/")
    status, headers, _, _ = browser.request(
        "POST",
        "/accounts/login/",
        {
            "username": "multi-sally",
            "password": password,
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        },
    )
    return browser, status, headers


def same_session_on(browser, server) -> Browser:
    other = Browser(server.port, browser.client_ip)
    other.cookies = dict(browser.cookies)
    return other


def test_a_session_made_on_one_process_works_on_the_other(pair, people):
    a, b = pair
    browser, status, headers = log_in(a)
    assert status == 302 and headers["Location"] == settings.LOGIN_REDIRECT_URL

    on_b = same_session_on(browser, b)
    status, _, page, _ = on_b.request("GET", "/customers/")
    assert status == 200 and "Rossi Ufficio SRL" in page

    # Logging out on B ends the session on A too.
    status, _, _, _ = on_b.request(
        "POST", "/accounts/logout/", {"csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken")}
    )
    assert status == 302
    status, headers, _, _ = browser.request("GET", "/customers/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    for browser_ in (browser, on_b):
        browser_.close()


def test_a_catalogue_answer_cached_by_one_process_is_served_by_the_other(pair, people, sandbox):
    a, b = pair
    browser, _, _ = log_in(a)
    on_b = same_session_on(browser, b)
    sandbox.latency = 0.4

    status, _, first, slow = browser.request("GET", "/customers/1001/catalogue/")
    calls = sandbox.state.requests["available"]
    status_b, _, second, fast = on_b.request("GET", "/customers/1001/catalogue/")

    assert status == status_b == 200
    assert "CL-Q-A005-M1" in first and "CL-Q-A005-M1" in second
    assert calls == 1
    assert sandbox.state.requests["available"] == calls  # B asked nobody
    assert slow >= 400 and fast < 400
    browser.close()
    on_b.close()


def test_failed_logins_on_one_process_lock_the_account_on_the_other(pair, people):
    a, b = pair
    for attempt in range(1, 6):
        _, status, _ = log_in(a, ip="198.51.100.60", password="wrong-password")
        assert status == (429 if attempt == 5 else 200)

    _, status, _ = log_in(b, ip="198.51.100.60", password=PASSWORD)
    _, elsewhere, _ = log_in(b, ip="198.51.100.61", password=PASSWORD)

    assert status == 429  # the username from that address: locked in every process
    assert elsewhere == 302  # the same user from another address is not locked out
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).exists()
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip="198.51.100.60").count() >= 4
    )


def test_a_breaker_opened_by_one_process_makes_the_other_fail_fast(pair, people, sandbox):
    a, b = pair
    browser, _, _ = log_in(a)
    on_b = same_session_on(browser, b)
    sandbox.latency = 5.0  # far past the deadline

    status, _, _, slow = browser.request("GET", "/customers/1001/catalogue/")
    calls = sum(sandbox.state.requests.values())
    started = time.monotonic()
    status_b, _, page, _ = on_b.request("GET", "/customers/1001/catalogue/?lang=it")
    fast = time.monotonic() - started

    assert status == status_b == 200
    assert slow >= TIMEOUT * 1000
    assert fast < TIMEOUT / 2, f"{fast:.2f}s"
    assert "not answering" in page
    assert sum(sandbox.state.requests.values()) == calls  # B sent nothing
    browser.close()
    on_b.close()
