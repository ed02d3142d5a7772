"""A gunicorn worker killed (SIGKILL) in the middle of a sale, while the vendor is still
answering: the PENDING row committed before the call is left behind, nothing else; the
master starts a new worker; the same form sent again does not buy twice; and once the
row is stale a manager resolves it with the licence the vendor did create.

PostgreSQL: the server processes and this test share the test database.
"""

import contextlib
import http.client
import os
import re
import signal
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from bench.load_test import Browser
from licensing import audit, roles, services
from licensing.models import AssignmentStatus, AuditAction, AuditEvent, LicenseAssignment
from tests.deploy import servers
from tests.factories import customer_factory, user_factory
from tests.multiprocess.conftest import cache_url, subprocess_database_url

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs DATABASE_URL=postgres://..."),
]

PASSWORD = "Killed-Worker-Pw-5e2"
VENDOR_TIMEOUT = 6.0  # the portal would wait this long for the vendor...
VENDOR_LATENCY = 2.5  # ...which answers after this long: the worker dies before
ASSIGN = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"


@pytest.fixture
def portal(django_db_setup, sandbox_server, tmp_path):
    """One gunicorn (master and one worker) on the test database and the sandbox."""
    static_root = tmp_path / "static"
    servers.collect_static(static_root)
    env = servers.production_env(
        AUDIT_HMAC_KEY=settings.AUDIT_HMAC_KEY,  # rows it writes verify here
        DATABASE_URL=subprocess_database_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DJANGO_PROXY_COUNT="1",
        DJANGO_STATIC_ROOT=str(static_root),
        FLASHSTART_API_URL=sandbox_server.url,
        FLASHSTART_API_KEY=sandbox_server.api_key,
        FLASHSTART_TIMEOUT=str(VENDOR_TIMEOUT),
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="4",
        **({"CACHE_URL": cache_url()} if cache_url() else {}),
    )
    server = servers.start_gunicorn(env, tmp_path / "gunicorn.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def seller(transactional_db, sandbox):
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")
    user = user_factory(groups=[roles.SALES], username="killed-sally")
    hasher = PBKDF2PasswordHasher()  # the server's hashers; a cheap PBKDF2 keeps it fast
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def logged_in_browser(server) -> Browser:
    browser = Browser(server.port, "198.51.100.70")
    _, _, page, _ = browser.request("GET", "/accounts/login/")
    status, _, _, _ = browser.request(
        "POST",
        "/accounts/login/",
        {
            "username": "killed-sally",
            "password": PASSWORD,
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        },
    )
    assert status == 302
    return browser


def workers(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_sale_leaves_a_pending_row_a_manager_resolves(
    portal, seller, sandbox, monkeypatch
):
    browser = logged_in_browser(portal)
    _, _, page, _ = browser.request("GET", ASSIGN)
    form = {
        "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        "token": hidden(page, "token"),
        "quote": hidden(page, "quote"),
        "license_info": "Headquarter",
    }
    sandbox.latency = VENDOR_LATENCY
    sale: dict[str, object] = {}

    def submit():
        try:
            sale["answer"] = browser.request("POST", ASSIGN, form)[0]
        except (http.client.HTTPException, OSError) as exc:
            sale["error"] = exc

    submitting = threading.Thread(target=submit)
    submitting.start()
    pending = wait_for(
        lambda: LicenseAssignment.objects.filter(token=form["token"]).first(),
        seconds=10,
        what="the PENDING row",
    )
    wait_for(lambda: sandbox.state.requests["assign"] == 1, seconds=10, what="the vendor call")
    (worker,) = workers(portal.process.pid)

    os.kill(worker, signal.SIGKILL)
    submitting.join(timeout=15)

    # The browser saw the connection drop: no answer, no page.
    assert "answer" not in sale and isinstance(
        sale.get("error"), OSError | http.client.HTTPException
    )
    # The vendor, still answering, did create (and charge) the licence.
    (licence,) = wait_for(
        lambda: [lic for lic in sandbox.state.licenses if lic.customer_code == 1001],
        seconds=VENDOR_LATENCY + 5,
        what="the vendor's licence",
    )
    # What was committed before the call is all that is left: one PENDING row.
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING and pending.license_id is None
    assert (pending.license_code, pending.quoted_amount) == ("CL-Q-A005-M12", Decimal("50"))
    assert not pending.is_resolvable  # not yet stale: the sale may still be running
    assert not AuditEvent.objects.filter(assignment=pending).exists()

    # The master replaces the worker; the same form sent again does not buy twice.
    wait_for(lambda: workers(portal.process.pid) not in ([], [worker]), seconds=20, what="a worker")
    wait_for(lambda: portal.request("GET", "/healthz")[0] == 200, seconds=20, what="health")
    again = logged_in_browser(portal)
    sandbox.latency = 0
    status, _, page, _ = again.request("POST", ASSIGN, {**form, **_fresh_csrf(again)})
    assert status == 200 and "do not" in page.lower()  # outcome unknown: not assigned again
    assert sandbox.state.requests["assign"] == 1
    assert AuditEvent.objects.filter(assignment=pending, outcome="duplicate").count() == 1
    assert len([lic for lic in sandbox.state.licenses if lic.customer_code == 1001]) == 1

    # After the stale time a manager resolves it with the vendor's licence: nothing lost.
    manager = user_factory(groups=[roles.MANAGERS], username="killed-mia")
    meta = audit.RequestMeta(user=manager, ip="198.51.100.71")
    stale = pending.created_at + timedelta(seconds=settings.FLASHSTART_TIMEOUT * 4 + 61)
    monkeypatch.setattr(timezone, "now", lambda: stale)
    pending.refresh_from_db()
    assert pending.is_stale and pending.is_resolvable

    outcome = services.assignment_resolve(
        meta=meta,
        assignment=pending,
        license_id=str(licence.license_id),
        start_date=timezone.localdate(),
        expiry_date=timezone.localdate() + timedelta(days=365),
        amount=Decimal("50"),
        currency="EUR",
        note="Checked the FlashStart customer area: the licence is there.",
    )

    assert outcome.level == "success"
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.ACTIVE
    assert pending.license_id == str(licence.license_id)
    assert AuditEvent.objects.filter(
        assignment=pending, action=AuditAction.ASSIGNMENT_RESOLVE
    ).exists()
    assert audit.verify()[1] is None
    for each in (browser, again):
        with contextlib.suppress(Exception):
            each.close()


def _fresh_csrf(browser) -> dict[str, str]:
    _, _, page, _ = browser.request("GET", "/customers/")
    match = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    return {"csrfmiddlewaretoken": match.group(1)} if match else {}
