"""GET /healthz: 200 while the database answers; the vendor and the cache are reported,
not judged.

A dead vendor must not make the orchestrator restart healthy portal containers, so its
state never changes the status code. What is reported:

- `database`: "ok" or "unavailable" (the only thing that makes the check fail, 503);
- `cache`: "ok" or "unavailable" (catalogue answers, the breaker, shared across processes);
- `vendor`: "ok", "failing" (recent calls failed), "unreachable" (the breaker is open, or
  nothing listens at its address) or "unknown"; `vendor_failures` counts consecutive
  failed calls. Besides the breaker's view, a TCP connection to the vendor's host is tried
  at most every PROBE_SECONDS (shared through the cache), so an idle portal still notices
  an unreachable vendor; the API itself is not called (no key sent, nothing charged).
"""

import contextlib
import socket
import threading
import urllib.parse

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PATH = "/healthz"
PROBE_SECONDS = 30
PROBE_TIMEOUT = 1.0
_PROBE_KEY = "portal:health:vendor_probe"
_PROBE_LOCK_KEY = "portal:health:vendor_probe_lock"


class HealthCheckMiddleware:
    """Answers /healthz before CommonMiddleware checks the Host header.

    Load balancers and Docker's HEALTHCHECK address the container by IP, which is not in
    ALLOWED_HOSTS; the answer reflects nothing from the request, so it is safe to give.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return healthz(request)
        return self.get_response(request)


@login_not_required
@require_GET
@never_cache
def healthz(request):
    database = _database_state()
    status = 200 if database == "ok" else 503
    vendor, failures = _vendor_state()
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "fail",
            "database": database,
            "cache": _cache_state(),
            "vendor": vendor,
            "vendor_failures": failures,
        },
        status=status,
    )


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return "unavailable"
    return "ok"


def _cache_state() -> str:
    try:
        cache.get("portal:health:ping")
    except Exception:  # noqa: BLE001 - reported, never fatal
        return "unavailable"
    return "ok"


def _vendor_state() -> tuple[str, int | None]:
    """The breaker's view of the vendor, plus the last TCP probe; never raises."""
    try:
        from licensing.upstream import breaker

        circuit = breaker.from_settings()
        if circuit.state() == breaker.OPEN:
            return "unreachable", circuit.consecutive_failures()
        failures = circuit.consecutive_failures()
    except Exception:  # noqa: BLE001 - the vendor's state must never fail the check
        return "unknown", None
    if _probe() is False:
        return "unreachable", failures
    return ("failing" if failures else "ok"), failures


def _probe() -> bool | None:
    """Whether the vendor's host accepted a TCP connection recently (None: not known).

    The connection is tried in a thread and waited for at most PROBE_TIMEOUT, so a slow
    name lookup cannot hold the health check.
    """
    try:
        known = cache.get(_PROBE_KEY)
        if known is not None:
            return bool(known)
        if not cache.add(_PROBE_LOCK_KEY, 1, timeout=PROBE_SECONDS):
            return None  # another request or process is probing
    except Exception:  # noqa: BLE001
        return None
    result: list[bool] = []
    worker = threading.Thread(target=_connect, args=(result,), daemon=True)
    worker.start()
    worker.join(PROBE_TIMEOUT + 0.5)
    if not result:
        return None
    # A cache failure here still leaves a good answer for this request.
    with contextlib.suppress(Exception):
        cache.set(_PROBE_KEY, result[0], timeout=PROBE_SECONDS)
    return result[0]


def _connect(result: list[bool]) -> None:
    url = urllib.parse.urlsplit(settings.FLASHSTART_API_URL)
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        with socket.create_connection((url.hostname or "", port), timeout=PROBE_TIMEOUT):
            result.append(True)
    except (OSError, ValueError):
        result.append(False)
