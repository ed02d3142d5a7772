"""A scripted HTTP server on 127.0.0.1 that misbehaves on demand, for the client's tests.

Each test queues actions with `server.script(...)`; every request consumes the next one
(the last one repeats). Every request is recorded (method, path, headers, body) before
the action runs, so tests can count what reached the "vendor".

    server.script(ok({"customer_code": 1}))
    server.script(stall(1.0))               # never answers: a read timeout
    server.script(trickle(b"...", every=0.05))
    server.script(reset())                  # reads the request, then a TCP RST
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Action = Callable[["_Handler"], None]


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class FaultServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.stopping = threading.Event()
        self._script: deque[Action] = deque([ok("nothing scripted")])
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fault = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def script(self, *actions: Action) -> None:
        """Answer the next requests with these actions, in order; the last one repeats."""
        with self._lock:
            self._script = deque(actions)

    def count(self, path: str | None = None) -> int:
        """Return how many requests arrived (for `path`, e.g. "/customerarea/licenses/assign")."""
        with self._lock:
            return sum(1 for r in self.received if path is None or r.path == path)

    def last(self) -> Received:
        with self._lock:
            return self.received[-1]

    def close(self) -> None:
        self.stopping.set()  # wakes handlers that stall or trickle
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, received: Received) -> Action:
        with self._lock:
            self.received.append(received)
            return self._script.popleft() if len(self._script) > 1 else self._script[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fault: FaultServer

    def handle_error(self, request, client_address) -> None:
        pass  # the client hanging up on a stalled answer is the point of these tests


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        received = Received(self.command, self.path, dict(self.headers.items()), body)
        self.server.fault._next(received)(self)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # helpers for actions

    def send_body(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def wait(self, seconds: float) -> bool:
        """Sleep, unless the server is closing; return True if it is closing."""
        return self.server.fault.stopping.wait(seconds)


# --- actions ----------------------------------------------------------------------------


def reply(
    status: int = 200,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Action:
    """Answer with `body`: bytes or str as they are, anything else as JSON."""
    if isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = json.dumps(body).encode()

    def act(handler: _Handler) -> None:
        handler.send_body(status, data, content_type, headers or {})

    return act


def ok(content: Any) -> Action:
    """The vendor's success envelope around `content`."""
    return reply(200, {"code": 200, "content": content})


def html(status: int, text: str = "<html><body><h1>502 Bad Gateway</h1></body></html>") -> Action:
    return reply(status, text, content_type="text/html")


def stall(seconds: float) -> Action:
    """Read the request, then say nothing for `seconds` and hang up."""

    def act(handler: _Handler) -> None:
        handler.wait(seconds)
        handler.close_connection = True

    return act


def trickle(body: Any, *, every: float = 0.05, status: int = 200) -> Action:
    """Send headers at once, then the body one byte every `every` seconds."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()

    def act(handler: _Handler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.flush()
        for byte in data:
            if handler.wait(every):
                return
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return  # the client gave up, as it should

    return act


def reset() -> Action:
    """Read the request, then drop the connection with a TCP RST (no answer)."""

    def act(handler: _Handler) -> None:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True

    return act


def closed_port_url() -> str:
    """Return a loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class UnacceptingPort:
    """A loopback port whose accept queue is full, so a new connection times out.

    The listening socket has a backlog of 0 and one connection already waiting, and Linux
    drops further SYNs instead of refusing them: the connect times out with nothing sent.
    """

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._waiting = [socket.create_connection(("127.0.0.1", self.port), timeout=1)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def is_full(self) -> bool:
        """Return True if a new connection really does hang (the platform behaves)."""
        probe = socket.socket()
        probe.settimeout(0.1)
        self._waiting.append(probe)
        try:
            probe.connect(("127.0.0.1", self.port))
        except TimeoutError:
            return True
        except OSError:
            return False
        return False

    def close(self) -> None:
        for sock in self._waiting:
            sock.close()
        self._listener.close()
