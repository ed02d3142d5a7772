"""Request ids, security headers and one log line per request."""

import functools
import logging
import re
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.cache import patch_cache_control

from portal.client_ip import client_ip
from portal.logging import request_id_var

logger = logging.getLogger("portal.request")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# No inline scripts or styles anywhere: htmx comes from /static and is configured through
# a <meta name="htmx-config"> tag that turns off its injected indicator styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def content_security_policy() -> str:
    """The policy, with one exception to `form-action 'self'`: the origin of the vendor's
    customer dashboard (FLASHSTART_DASHBOARD_URL). The dashboard button posts to the portal,
    which answers with a redirect there, and Chromium checks form-action on redirects too."""
    return _policy_with_dashboard(getattr(settings, "FLASHSTART_DASHBOARD_URL", "") or "")


@functools.lru_cache(maxsize=8)
def _policy_with_dashboard(dashboard_url: str) -> str:
    parts = urlsplit(dashboard_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    # Only a plain origin: a wildcard, quote, space or user name would widen the directive.
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


class RequestIdMiddleware:
    """Gives every request an id (kept from a sane X-Request-ID header, else new).

    The id is on `request.request_id`, in every log line and audit row of the request,
    and echoed in the X-Request-ID response header so a user can quote it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000),
                    "user_id": getattr(getattr(request, "user", None), "pk", None),
                    "ip": client_ip(request),
                    # A streamed download is still running: the time is to its first byte.
                    "streaming": response.streaming,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy, Permissions-Policy and frame denial to every
    response, and `Cache-Control: private, no-store` to every response for a signed-in
    user: customer data, prices and the audit trail must not stay in a shared proxy's
    cache or in the browser's after logging out (the back button shows nothing stale)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # XFrameOptionsMiddleware sits further in and misses answers given before it
        # (/healthz, or a middleware's refusal): frame denial on those too.
        if not getattr(response, "xframe_options_exempt", False):
            response.setdefault("X-Frame-Options", "DENY")
        # `request.user` exists once AuthenticationMiddleware has run: not for static files
        # or /healthz, which are answered before it.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
