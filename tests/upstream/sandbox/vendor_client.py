"""A tiny HTTP client for the sandbox tests: standard library only, JSON body on GET too."""

import http.client
import json
from dataclasses import dataclass

from licensing.upstream.sandbox.state import ENDPOINTS

_UNSET = object()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw)


def call(
    sandbox,
    endpoint,
    body=None,
    *,
    method=None,
    key=_UNSET,
    timeout=5.0,
    content_type="application/json",
    query="",
) -> Reply:
    """Call a vendor endpoint by name (``"assign"``) or a path (``"/_sandbox/state"``).

    ``sandbox`` is anything with ``host``, ``port`` and ``api_key``."""
    if endpoint in ENDPOINTS:
        default_method, path = ENDPOINTS[endpoint]
    else:
        default_method, path = ("GET", endpoint)
    headers = {"Accept": "application/json"}
    key = sandbox.api_key if key is _UNSET else key
    if key is not None:
        headers["X-API-KEY"] = key
    payload = None
    if body is not None:
        payload = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = content_type
    conn = http.client.HTTPConnection(sandbox.host, sandbox.port, timeout=timeout)
    try:
        target = f"{path}?{query}" if query else path
        conn.request(method or default_method, target, body=payload, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def control(sandbox, path, body=None, *, method="POST") -> Reply:
    return call(sandbox, f"/_sandbox/{path}", body, method=method)
