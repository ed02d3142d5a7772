"""GET /healthz: 200 while the database answers; the vendor's state is reported, not judged."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        database = "unavailable"
    vendor = _vendor_state()
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "fail", "database": database, "vendor": vendor},
        status=status,
    )


def _vendor_state() -> str:
    """The circuit breaker's view of the vendor; never makes a network call."""
    try:
        from licensing import breaker

        return "unreachable" if breaker.state() == "open" else "ok"
    except Exception:  # noqa: BLE001 - the vendor's state must never fail the check
        return "unknown"
