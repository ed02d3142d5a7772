"""The client's address, as login throttling and the audit trail must see it.

Behind N trusted proxies (`DJANGO_PROXY_COUNT`), each proxy appends the address it got
the connection from to X-Forwarded-For, so the client is the N-th entry from the right;
anything further left was written by the client and may be forged. With no proxy the
header is ignored entirely: a client could otherwise pick any address and dodge the
per-address lock-out.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's IP address (a valid address, normalised), or None."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    count = getattr(settings, "PORTAL_PROXY_COUNT", 0) or 0
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through all of them (or a
        # proxy is misconfigured). The connecting address is the only one we can trust.
        return remote
    return _valid(forwarded[-count]) or remote


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
