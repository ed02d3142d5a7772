"""The sandbox's HTTP server: a local stand-in for the FlashStart customer-area API.

Vendor paths are those of ``licensing.upstream.sandbox.state.ENDPOINTS``; every call needs the
``X-API-KEY`` header. JSON bodies are read on GET too (only with a JSON
``Content-Type``), and merged over query parameters (the body wins), as the vendor's
framework (Laravel) does.

Control endpoints (``/_sandbox/...``: state, reset, balances, faults, latency, variants)
are described in ``control``; answer variants in ``variants``.

Faults ("processed" means the call changes the state, e.g. an assign deducts credit):

- ``timeout_after``: processed, then sleeps ``seconds`` before answering normally.
- ``timeout_before``: sleeps ``seconds``, then answers an nginx 504 page; not processed.
- ``reset_after``: processed, then the connection is reset with no answer.
- ``reset_before``: the connection is reset with no answer; not processed.
- ``html502``: an nginx "502 Bad Gateway" HTML page; not processed.
- ``invalid_json``: processed, then HTTP 200 with a truncated JSON body.
- ``slow``: processed and answered correctly, but the body trickles out over ``seconds``
  (each read gets a byte in time, so only a total deadline catches it).
- ``retry_after``: HTTP 503 with ``Retry-After: 99999``; not processed.
- ``status401``: the vendor's 401 body, as if the key were rejected; not processed.
- ``status500``: HTTP 500 ``{"message": "Server Error"}`` (no ``errors``); not processed.
- ``drop_body``: processed as if the JSON body were lost (a proxy dropping GET bodies).
- ``proxy405``: a proxy's "405 Not Allowed" HTML page; not processed.
- ``latency``: every call of that endpoint waits ``seconds`` more until cleared (or set
  to 0); ``times`` is ignored. The global latency adds to it.
"""

import contextlib
import hmac
import json
import logging
import socket
import struct
import sys
import threading
import time
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from licensing.upstream.sandbox import control, endpoints, variants
from licensing.upstream.sandbox.state import ENDPOINTS, SandboxState

logger = logging.getLogger("licensing.sandbox")

_ROUTES = {path: name for name, (_method, path) in ENDPOINTS.items()}
_BEFORE = {
    "timeout_before",
    "reset_before",
    "html502",
    "retry_after",
    "status401",
    "status500",
    "proxy405",
}

_NGINX_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _json_default(value):
    if isinstance(value, Decimal):
        # The vendor sends plain JSON numbers: 5, 0.5, 10.85.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(payload) -> bytes:
    return json.dumps(payload, default=_json_default).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the vendor's nginx does
    server_version = "nginx"
    sys_version = ""
    timeout = 60  # idle keep-alive connections give their thread back eventually
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls
    server: "_Server"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args) -> None:
        # Only the request line and status: headers (and so the API key) are never logged.
        logger.debug("sandbox: " + format, *args)

    # ----- request plumbing -----------------------------------------------------------

    def _handle(self) -> None:
        try:
            raw = self._read_body()
            url = urllib.parse.urlsplit(self.path)
            path = url.path.rstrip("/") or "/"
            if path.startswith("/_sandbox/"):
                self._control(path, raw)
                return
            name = _ROUTES.get(path)
            if name is None:
                self._send_json(404, {"message": "Not Found"})
                return
            method = ENDPOINTS[name][0]
            if self.command != method:
                supported = "GET, HEAD" if method == "GET" else method
                message = (
                    f"The {self.command} method is not supported for this route. "
                    f"Supported methods: {supported}."
                )
                self._send_json(405, {"message": message})
                return
            self._vendor_call(name, url.query, raw)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away; nothing to answer

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _authorised(self) -> bool:
        given = self.headers.get("X-API-KEY", "")
        return hmac.compare_digest(given.encode("utf-8"), self.server.api_key.encode("utf-8"))

    @staticmethod
    def _parse(raw: bytes):
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            return None

    def _input(self, raw: bytes):
        """The body as the vendor's framework reads it: JSON only with a JSON content type
        (a JSON text sent as ``text/plain`` is ignored), forms as forms."""
        content_type = self.headers.get("Content-Type", "").lower()
        if "json" in content_type:
            return self._parse(raw)
        if "application/x-www-form-urlencoded" in content_type:
            return dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace")))
        return None

    # ----- vendor endpoints -----------------------------------------------------------

    def _vendor_call(self, name: str, query: str, raw: bytes) -> None:
        state = self.server.state
        fault = state.take_fault(name)
        kind = fault.fault if fault else None
        body = None if kind == "drop_body" else self._input(raw)
        state.record_request(name, self.command, body)
        delay = self.server.latency + state.latency(name)
        if delay:
            time.sleep(delay)

        if kind in _BEFORE:
            self._fault_before(kind, fault.seconds)
            return

        data = dict(urllib.parse.parse_qsl(query))
        if isinstance(body, dict):
            data.update(body)
        if not self._authorised():
            status, payload = 401, endpoints.UNAUTHORIZED
        else:
            try:
                status, payload = endpoints.HANDLERS[name](state, data)
            except Exception:
                logger.exception("sandbox: %s failed", name)
                status, payload = 500, {"message": "Server Error"}
            status, payload = variants.shape(name, status, payload, data, dict(state.variants))

        if kind == "timeout_after":
            time.sleep(fault.seconds)
        elif kind == "reset_after":
            self._reset_connection()
            return
        elif kind == "invalid_json":
            broken = _dumps(payload)
            self._send(200, broken[: len(broken) // 2], "application/json")
            return
        elif kind == "slow":
            self._send(status, _dumps(payload), "application/json", trickle=fault.seconds)
            return
        self._send_json(status, payload)

    def _fault_before(self, kind: str, seconds: float) -> None:
        if kind == "timeout_before":
            time.sleep(seconds)
            self._send_html(504, "Gateway Time-out")
        elif kind == "reset_before":
            self._reset_connection()
        elif kind == "html502":
            self._send_html(502, "Bad Gateway")
        elif kind == "retry_after":
            self._send_json(503, {"message": "Service Unavailable"}, {"Retry-After": "99999"})
        elif kind == "status401":
            self._send_json(401, endpoints.UNAUTHORIZED)
        elif kind == "status500":
            self._send_json(500, {"message": "Server Error"})
        elif kind == "proxy405":
            self._send_html(405, "Not Allowed")

    # ----- control endpoints ----------------------------------------------------------

    def _control(self, path: str, raw: bytes) -> None:
        if not self._authorised():
            self._send_json(401, endpoints.UNAUTHORIZED)
            return
        body = self._parse(raw)
        status, payload = control.answer(
            self.server, self.command, path.removeprefix("/_sandbox"), body
        )
        self._send_json(status, payload)

    # ----- answers --------------------------------------------------------------------

    def _send_json(self, status: int, payload, headers: dict | None = None) -> None:
        self._send(status, _dumps(payload), "application/json", headers=headers)

    def _send_html(self, status: int, reason: str) -> None:
        page = _NGINX_PAGE.format(code=status, reason=reason).encode("ascii")
        self._send(status, page, "text/html")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        headers: dict | None = None,
        trickle: float = 0.0,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not trickle:
            self.wfile.write(body)
            return
        pieces = max(1, min(len(body), 10))
        step = -(-len(body) // pieces)
        for start in range(0, len(body), step):
            time.sleep(trickle / pieces)
            self.wfile.write(body[start : start + step])
            self.wfile.flush()

    def _reset_connection(self) -> None:
        """Drop the connection with a TCP reset and no answer."""
        self.close_connection = True
        # Linger 0: close() sends RST instead of an orderly FIN.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for idle keep-alive connections
    request_queue_size = 128  # many simultaneous connects (the concurrency test sends 50)

    def __init__(self, address, *, state: SandboxState, api_key: str, latency: float) -> None:
        self.state = state
        self.api_key = api_key
        self.latency = latency
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        logger.exception("sandbox: error while handling a request")


class SandboxServer:
    """A running sandbox. ``url`` is the base URL (ending in "/"), ``state`` its
    ``SandboxState`` (inspect balances and counts in-process), ``latency`` the global
    delay in seconds added to every vendor call (settable)."""

    def __init__(self, httpd: _Server, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self.host, self.port = httpd.server_address[:2]
        self.url = f"http://{self.host}:{self.port}/"
        self.api_key = httpd.api_key
        self.state = httpd.state

    def __repr__(self) -> str:  # never shows the key
        return f"<SandboxServer {self.url}>"

    @property
    def latency(self) -> float:
        return self._httpd.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._httpd.latency = max(0.0, float(seconds))

    def endpoint_url(self, name: str) -> str:
        """Full URL of a vendor endpoint by name, e.g. ``endpoint_url("assign")``."""
        return self.url + ENDPOINTS[name][1].lstrip("/")

    def reset(self, *, balances=None) -> None:
        self.state.reset(balances=balances)

    def add_fault(self, endpoint: str, fault: str, *, times: int = 1, seconds=None) -> None:
        self.state.add_fault(endpoint, fault, times=times, seconds=seconds)

    def clear_faults(self, endpoint: str | None = None) -> None:
        self.state.clear_faults(endpoint)

    def set_variants(self, **chosen) -> dict:
        """Switch answer variants on (``single_object=True``, ``currency="symbol"``) or off
        (``=False``); see ``licensing.upstream.sandbox.variants``."""
        return self.state.set_variants(chosen)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "SandboxServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str = "sandbox-key",
    state: SandboxState | None = None,
    latency: float = 0.0,
    *,
    state_file=None,
    balances=None,
) -> SandboxServer:
    """Start a sandbox in a daemon thread and return it (``port=0``: a free port).

    ``state_file`` (when ``state`` is not given) keeps customers, licences and credit in
    a JSON file across restarts; ``balances`` sets the starting credit per currency.
    """
    if not api_key:
        raise ValueError("the sandbox needs a non-empty API key")
    if state is None:
        state = SandboxState(balances=balances, state_file=state_file)
    httpd = _Server((host, port), state=state, api_key=api_key, latency=max(0.0, latency))
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"flashstart-sandbox-{httpd.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return SandboxServer(httpd, thread)
