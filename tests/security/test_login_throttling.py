"""Brute-force protection on the real login form (django-axes): a few failures lock that
username from that client address, together, so a colleague behind the same NAT address
and the same user elsewhere are not locked out; behind a proxy the forwarded client
address counts (never one the client wrote); the locked user is told how long to wait; a
manager can unlock from the admin; every failure, lock-out and unlock is audited."""

import pytest
from django.conf import settings
from django.test import Client

from licensing import roles
from licensing.models import AuditAction, AuditEvent
from tests.factories import user_factory

PASSWORD = "Throttle-Pw-93b1f0"
LOCKED = 429


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ENABLED = True
    settings.PORTAL_PROXY_COUNT = 0


@pytest.fixture
def sally(db):
    return user_factory(groups=[roles.SALES], username="sally", password=PASSWORD)


@pytest.fixture
def tom(db):
    return user_factory(groups=[roles.SALES], username="tom", password=PASSWORD)


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == settings.LOGIN_REDIRECT_URL


def fail(client, times, usernames=("sally",), **extra):
    """Fail `times` times; the attempt that reaches the limit is itself answered "locked"."""
    for attempt in range(times):
        username = usernames[attempt % len(usernames)]
        response = login(client, username, "wrong-password", **extra)
        expected = LOCKED if attempt + 1 >= 5 else 200
        assert response.status_code == expected, f"attempt {attempt + 1}"


def test_failures_for_one_username_lock_it_at_that_address_even_with_the_right_password(sally):
    client = Client(REMOTE_ADDR="198.51.100.1")
    fail(client, 5)

    locked = login(client, "sally", PASSWORD)

    assert locked.status_code == LOCKED
    assert "Logging in is locked for now" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address, Sally is not locked out by whoever typed her name here.
    assert logged_in(login(Client(REMOTE_ADDR="198.51.100.2"), "sally", PASSWORD))


def test_one_users_failures_do_not_lock_a_colleague_at_the_same_address(sally, tom):
    office = "198.51.100.7"  # one NAT address for the whole office
    fail(Client(REMOTE_ADDR=office), 5, usernames=("sally",))

    assert logged_in(login(Client(REMOTE_ADDR=office), "tom", PASSWORD))
    assert login(Client(REMOTE_ADDR=office), "sally", PASSWORD).status_code == LOCKED


def test_the_locked_user_is_told_how_long_to_wait(sally, settings):
    settings.AXES_COOLOFF_TIME = 0.25
    client = Client(REMOTE_ADDR="198.51.100.4")
    fail(client, 5)

    page = login(client, "sally", PASSWORD).content.decode()

    assert "paused for 15 minutes" in page
    assert "try again" in page


def test_a_manager_unlocks_a_locked_user_from_the_admin_and_it_is_audited(sally, manager_client):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="198.51.100.5")
    fail(client, 5)
    assert login(client, "sally", PASSWORD).status_code == LOCKED
    attempt = AccessAttempt.objects.get(username="sally")
    listing = manager_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "198.51.100.5" in listing.content.decode()

    response = manager_client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock_action", "_selected_action": [attempt.pk]},
    )

    assert response.status_code == 302
    assert logged_in(login(client, "sally", PASSWORD))
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_UNLOCK)
    assert event.actor_username == "mia.manager"
    assert "'sally'" in event.message and "198.51.100.5" in event.message


def test_sales_cannot_unlock(sally, sales_client):
    fail(Client(REMOTE_ADDR="198.51.100.6"), 5)

    response = sales_client.get("/admin/axes/accessattempt/")

    assert response.status_code == 403


def test_fewer_failures_than_the_limit_then_success_resets_the_count(sally):
    client = Client(REMOTE_ADDR="198.51.100.3")
    fail(client, 4)
    assert logged_in(login(client, "sally", PASSWORD))
    client.post("/accounts/logout/")

    fail(client, 4)

    assert logged_in(login(client, "sally", PASSWORD))


def test_without_a_proxy_a_forged_forwarded_for_does_not_dodge_the_lock(sally):
    client = Client(REMOTE_ADDR="198.51.100.9")
    for attempt in range(5):
        login(client, "sally", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt + 10}")

    response = login(client, "sally", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == LOCKED
    ips = set(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("ip", flat=True)
    )
    assert ips == {"198.51.100.9"}


def test_behind_a_proxy_the_forwarded_client_is_locked_not_the_proxy(settings, sally, tom):
    settings.PORTAL_PROXY_COUNT = 1
    via_proxy = Client(REMOTE_ADDR="10.0.0.2")  # every request arrives from the proxy
    for attempt in range(5):
        # The client forges the left part; the proxy appends the address it saw.
        login(
            via_proxy,
            "tom",
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 50}, 203.0.113.5",
        )

    attacker = login(via_proxy, "tom", PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    colleague = login(via_proxy, "tom", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert attacker.status_code == LOCKED
    assert logged_in(colleague)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip", flat=True)) == {"203.0.113.5"}


def test_a_request_that_skipped_the_proxy_is_judged_by_its_own_address(settings, sally):
    settings.PORTAL_PROXY_COUNT = 2  # two proxies, but the header names only one hop
    client = Client(REMOTE_ADDR="198.51.100.20")

    login(client, "sally", "wrong-password", HTTP_X_FORWARDED_FOR="203.0.113.77")

    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.ip == "198.51.100.20"


def test_failures_and_the_lock_out_are_audited_without_the_password(sally):
    client = Client(REMOTE_ADDR="198.51.100.30")
    fail(client, 5)
    login(client, "sally", PASSWORD, HTTP_X_REQUEST_ID="lockout-trace-0001")

    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    locked = AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED)
    assert failed.count() >= 5
    assert locked.exists()
    event = locked.latest("seq")
    assert "sally" in event.message and "198.51.100.30" in event.message
    assert event.ip == "198.51.100.30"
    assert AuditEvent.objects.filter(request_id="lockout-trace-0001").exists()
    for row in AuditEvent.objects.all():
        for field in ("message", "sent", "answer", "user_agent"):
            assert PASSWORD not in getattr(row, field)
            assert "wrong-password" not in getattr(row, field)


def test_an_absurdly_long_or_nul_username_is_refused_not_a_crash(sally):
    client = Client(REMOTE_ADDR="198.51.100.40", raise_request_exception=False)

    for username in ("x" * 300, "sally\x00", "é" * 200):
        response = login(client, username, "wrong-password")
        assert response.status_code == 200, username[:10]
        page = response.content.decode()
        assert 'role="alert"' in page or 'class="field-error"' in page


def test_long_usernames_sharing_a_prefix_count_towards_one_lock(sally):
    client = Client(REMOTE_ADDR="198.51.100.41")
    prefix = "y" * 150
    fail(client, 5, usernames=[prefix + str(n) for n in range(5)])

    # Cut to the longest real username, they are one username: locked at this address.
    assert login(client, prefix + "zz", "x").status_code == LOCKED
    assert login(Client(REMOTE_ADDR="198.51.100.42"), prefix + "zz", "x").status_code == 200
