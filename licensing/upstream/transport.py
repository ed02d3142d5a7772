"""Sending a request to the vendor over HTTP, within a deadline, retrying only reads.

How a request is sent, and why:
- Every request carries a JSON body (GET included: the vendor wants it), the API key in
  `X-API-KEY`, a (connect, read) timeout, and a total deadline of `timeout` seconds for
  the whole call, retries included, so a vendor trickling bytes cannot hold a page.
- Only reads (`read=True`) are retried, within the deadline, and only after failures
  that cannot have changed anything (no connection, 502/503/504). Writes are sent once.
- The answer is read within the deadline and up to a size limit, and decoded as UTF-8.
- Each HTTP attempt logs exactly one line on `licensing.upstream`. The API key, the
  customer's password and the dashboard token never appear in logs or in the
  `CallRecord` kept for the audit trail; `Transport.scrub` removes the key from any
  vendor text that is shown.

`Transport.send` returns the HTTP answer whatever its status (`answers.unwrap` says what
it means), or raises `Unavailable` when no answer arrived.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3
from django.utils.translation import gettext_lazy

from licensing.upstream.errors import CallRecord, Unavailable, unavailable

__all__ = ["READ_ATTEMPTS", "REDACTED", "Reply", "Transport", "retry_after_seconds"]

log = logging.getLogger("licensing.upstream")

REDACTED = "[redacted]"
READ_ATTEMPTS = 3
_RETRYABLE_STATUSES = frozenset({502, 503, 504})
_SECRET_FIELDS = frozenset({"password"})
_ANSWER_LIMIT = 4000  # characters of the vendor's answer kept in a CallRecord
_MAX_ANSWER_BYTES = 2_000_000  # the vendor's answers are small; more is a fault, not data


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: its whole `text`, and the `call` record (with its status)."""

    text: str
    call: CallRecord


@dataclass
class _Attempt:
    status: int | None
    text: str
    retry_after: float | None
    failure: str | None  # "connection refused", "read timeout", ... or None
    nothing_sent: bool


class Transport:
    """Sends requests under one base URL with one API key. Build one per client."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        session: requests.Session | None = None,
        read_attempts: int = READ_ATTEMPTS,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = float(timeout)
        self._api_key = api_key
        self._session = session if session is not None else requests.Session()
        self._read_attempts = max(1, read_attempts)

    def __repr__(self) -> str:
        return f"<Transport {self.base_url} timeout={self.timeout:g}s>"

    def close(self) -> None:
        self._session.close()

    def scrub(self, text: str) -> str:
        """Return `text` without the API key, in case the vendor echoes it."""
        if len(self._api_key) >= 6:
            text = text.replace(self._api_key, REDACTED)
        return text

    def send(
        self, endpoint: str, method: str, path: str, body: dict[str, Any], *, read: bool
    ) -> Reply:
        """Send `body` to `path` (reads: retried); return the last answer, whatever its status.

        Raises Unavailable when no answer arrived (refused, timed out, dropped, too slow
        or too large). A 502/503/504 that outlasts the retries is returned.
        """
        path = path.lstrip("/")
        url = self.base_url + path
        sent = {key: REDACTED if key in _SECRET_FIELDS else value for key, value in body.items()}
        started = time.monotonic()
        deadline = started + self.timeout
        attempts = self._read_attempts if read else 1
        attempt_no = 0
        while True:
            attempt_no += 1
            attempt = self._attempt(endpoint, method, path, url, body, deadline, attempt_no)
            call = CallRecord(
                endpoint=endpoint,
                method=method,
                path=path,
                status=attempt.status,
                duration_ms=round((time.monotonic() - started) * 1000),
                sent=sent,
                answer=self._answer_for_audit(endpoint, attempt.text),
            )
            if attempt.failure is None and attempt.status not in _RETRYABLE_STATUSES:
                return Reply(text=attempt.text, call=call)
            # Retry only reads, and only when nothing can have happened upstream.
            retryable = read and (attempt.nothing_sent or attempt.status in _RETRYABLE_STATUSES)
            if retryable and attempt_no < attempts:
                pause = self._pause(attempt_no, attempt.retry_after, deadline)
                if pause is not None:
                    time.sleep(pause)
                    continue
            if attempt.failure is None:
                return Reply(text=attempt.text, call=call)
            raise _no_answer(attempt, call)

    def _attempt(
        self,
        endpoint: str,
        method: str,
        path: str,
        url: str,
        body: dict[str, Any],
        deadline: float,
        attempt_no: int,
    ) -> _Attempt:
        """Make one HTTP request within the deadline; log one line. Never raises for I/O."""
        started = time.monotonic()
        limit = max(0.001, min(self.timeout, deadline - started))
        status: int | None = None
        text = ""
        retry_after = None
        failure = None
        nothing_sent = False
        try:
            response = self._session.request(
                method,
                url,
                json=body,
                headers={
                    "X-API-KEY": self._api_key,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
                timeout=(limit, limit),
                stream=True,
                # A redirect would forward X-API-KEY to wherever it points.
                allow_redirects=False,
            )
            try:
                status = response.status_code
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                text = _read_within(response, deadline)
            finally:
                response.close()
        except _DeadlinePassed:
            failure = "answer too slow"
        except _TooLarge:
            failure = "answer too large"
        except requests.exceptions.ConnectTimeout:
            failure, nothing_sent = "connect timeout", True
        except requests.exceptions.ReadTimeout:
            failure = "read timeout"
        except requests.exceptions.ConnectionError as exc:
            nothing_sent = _never_connected(exc)
            failure = "connection refused" if nothing_sent else "connection dropped"
        except urllib3.exceptions.ReadTimeoutError:
            failure = "read timeout"
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            failure = f"transport error ({type(exc).__name__})"
        duration_ms = round((time.monotonic() - started) * 1000)
        outcome = failure or str(status)
        ok = failure is None and status is not None and status < 400
        log.log(
            logging.INFO if ok else logging.WARNING,
            "FlashStart %s %s (attempt %d): %s in %d ms",
            endpoint,
            method,
            attempt_no,
            outcome,
            duration_ms,
            extra={
                "endpoint": endpoint,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "attempt": attempt_no,
                "outcome": outcome,
            },
        )
        return _Attempt(status, text, retry_after, failure, nothing_sent)

    def _pause(self, attempt_no: int, retry_after: float | None, deadline: float) -> float | None:
        """Return how long to wait before the next read attempt, or None to give up.

        Jittered exponential backoff, at least `Retry-After`; never a wait that would leave
        too little of the deadline for another attempt.
        """
        pause = min(0.1 * 2 ** (attempt_no - 1), 1.0) * random.uniform(0.5, 1.0)
        if retry_after is not None:
            pause = max(pause, retry_after)
        needed = max(0.05, 0.1 * self.timeout)  # an attempt with less left is pointless
        if time.monotonic() + pause + needed > deadline:
            return None
        return pause

    def _answer_for_audit(self, endpoint: str, text: str) -> str:
        if endpoint == "auth_token":
            text = _without_token(text)
        return self.scrub(text)[:_ANSWER_LIMIT]


def retry_after_seconds(value: str | None) -> float | None:
    """Return a Retry-After header (seconds or HTTP date) as seconds, or None."""
    if not value:
        return None
    value = value.strip()
    # ASCII only: "¹".isdigit() is true (a latin-1 header byte), and float() refuses it.
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _no_answer(attempt: _Attempt, call: CallRecord) -> Unavailable:
    """Return the Unavailable for an attempt that got no HTTP answer."""
    if attempt.nothing_sent:
        return Unavailable(
            gettext_lazy(
                "The vendor could not be reached; nothing was sent. Try again in a minute."
            ),
            call=call,
            may_have_taken_effect=False,
        )
    if attempt.failure in ("read timeout", "answer too slow"):
        return unavailable(gettext_lazy("The vendor did not answer in time."), call)
    return unavailable(gettext_lazy("The connection to the vendor broke before it answered."), call)


class _DeadlinePassed(Exception):
    pass


class _TooLarge(Exception):
    pass


def _read_within(response: requests.Response, deadline: float) -> str:
    """Return the body as text, or raise _DeadlinePassed if it is not complete by `deadline`.

    `read1` returns as soon as any bytes arrive, so the deadline is checked even while a
    server trickles its answer; a watchdog shuts the socket at the deadline in case a
    read blocks on a server that stalls just before it.
    """
    raw = response.raw
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        with contextlib.suppress(Exception):  # the response may already be closed
            raw.shutdown()

    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), stop)
    watchdog.daemon = True
    watchdog.start()
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if expired.is_set() or time.monotonic() > deadline:
                raise _DeadlinePassed
            try:
                chunk = raw.read1(8192)
            except (urllib3.exceptions.HTTPError, OSError):
                if expired.is_set():
                    raise _DeadlinePassed from None
                raise
            if not chunk:
                break
            size += len(chunk)
            if size > _MAX_ANSWER_BYTES:
                raise _TooLarge
            chunks.append(chunk)
            if raw.length_remaining == 0:
                break  # every byte of the Content-Length is here: done, whatever the clock says
    finally:
        watchdog.cancel()
    # The watchdog's shutdown makes the socket look closed: an early end is not the end.
    if expired.is_set() and raw.length_remaining != 0:
        raise _DeadlinePassed
    # JSON is UTF-8 (RFC 8259) whatever the Content-Type says; requests would guess
    # Latin-1 for a charset-less text/plain answer and mangle "EUR€".
    return b"".join(chunks).decode("utf-8", errors="replace")


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the connection was never made (refused, unresolvable): nothing was sent."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _without_token(text: str) -> str:
    """Return the auth-token answer with the token replaced (re-serialised, so escaping
    in the vendor's JSON cannot hide a copy of it)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        data = None
    if data is None:
        return "[answer withheld: it may contain a login token]" if text else ""
    content = data.get("content") if isinstance(data, dict) else None
    if isinstance(content, dict) and "token" in content:
        content["token"] = REDACTED
    return json.dumps(data)
