"""The FlashStart customer-area API client: the only module that talks to the vendor.

One method per vendor endpoint. Each returns a frozen dataclass of our own (Decimal money,
`date` dates, `license_id` as a string) or raises one of the `UpstreamError` classes
below; nothing above this module sees the vendor's JSON or a `requests` exception.

How a call works, and why:
- Every request carries a JSON body (GET included: the vendor wants it), the API key in
  `X-API-KEY`, a (connect, read) timeout, and a total deadline of `timeout` seconds for
  the whole call, retries included, so a vendor trickling bytes cannot hold a page.
- Writes (assign, demo, suspend, enable, customer creation, dashboard token) are sent
  once and never retried: the vendor is not idempotent and assign costs money. Reads are
  retried, within the deadline, only after failures that cannot have changed anything
  (no connection, 502/503/504).
- Every failure says whether the request may have taken effect upstream
  (`may_have_taken_effect`): False only when we know nothing reached the vendor or the
  vendor clearly refused. The services use it to mark a purchase "outcome unknown".
- Each HTTP attempt logs exactly one line on `licensing.upstream`. The API key, the
  customer's password and the dashboard token never appear in logs, exception text,
  reprs or the `CallRecord` kept for the audit trail.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from licensing.upstream import breaker as circuit_breaker
from licensing.upstream.answers import (  # re-exported: callers use upstream.<Name>
    REDACTED,
    AssignResult,
    AvailableLicenses,
    CallRecord,
    Choice,
    CustomerCreated,
    DashboardLink,
    DemoResult,
    KeyRejected,
    License,
    MessageResult,
    Refused,
    Unavailable,
    UnreadableAnswer,
    UpstreamError,
    ValidationFailed,
    _BadShape,
    _field_errors,
    _get,
    _json_or_none,
    _parse_assign,
    _parse_available,
    _parse_choices,
    _parse_customer_created,
    _parse_demo,
    _vendor_message,
    _whole,
    _without_token,
)

log = logging.getLogger("licensing.upstream")

DEFAULT_DASHBOARD_URL = "https://cloud.flashstart.com/?auth_token="
ANSWER_LIMIT = 4000  # characters of the vendor's answer kept in a CallRecord
MAX_ANSWER_BYTES = 2_000_000  # the vendor's answers are small; more is a fault, not data
READ_ATTEMPTS = 3
RETRYABLE_STATUSES = frozenset({502, 503, 504})
SECRET_FIELDS = frozenset({"password"})
BREAKER_MESSAGE = "The vendor is not answering; try again in a minute."
WRITE_WARNING = " The request may have been carried out: check before sending it again."
DIRECTORIES = ("currencies", "versions", "countries", "industries")
# Endpoints that change something upstream: their failures warn against resending.
_CHANGES = frozenset({"assign", "demo", "suspend", "enable", "customer_new"})
_REQUIRED_PATHS = frozenset({"available", "auth_token", *_CHANGES})


__all__ = [
    "CallRecord",
    "Choice",
    "License",
    "AvailableLicenses",
    "AssignResult",
    "DemoResult",
    "MessageResult",
    "CustomerCreated",
    "DashboardLink",
    "UpstreamError",
    "KeyRejected",
    "ValidationFailed",
    "Refused",
    "Unavailable",
    "UnreadableAnswer",
    "FlashStartClient",
    "get_client",
]

# --- the client ---------------------------------------------------------------------------


@dataclass
class _Attempt:
    status: int | None
    text: str
    retry_after: float | None
    failure: str | None  # "connection refused", "read timeout", ... or None
    nothing_sent: bool


@dataclass
class _Reply:
    content: Any
    call: CallRecord


class FlashStartClient:
    """A client for the FlashStart customer-area API. Build one with `get_client()`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        paths: Mapping[str, str],
        fallbacks: Mapping[str, list] | None = None,
        dashboard_url: str = DEFAULT_DASHBOARD_URL,
        breaker: circuit_breaker.CircuitBreaker | None = None,
        session: requests.Session | None = None,
        read_attempts: int = READ_ATTEMPTS,
    ) -> None:
        if not api_key:
            raise ImproperlyConfigured("FlashStartClient needs an API key")
        missing = sorted(_REQUIRED_PATHS - set(paths))
        if missing:
            # Directory paths may be left out (their fallbacks are used); these may not.
            raise ImproperlyConfigured(f"FLASHSTART_PATHS lacks {', '.join(missing)}")
        self._base_url = base_url.rstrip("/") + "/"
        self._api_key = api_key
        self._timeout = float(timeout)
        self._paths = dict(paths)
        self._fallbacks = dict(fallbacks or {})
        self._dashboard_url = dashboard_url
        self._breaker = breaker
        self._session = session if session is not None else requests.Session()
        self._read_attempts = max(1, read_attempts)

    def __repr__(self) -> str:
        return f"<FlashStartClient {self._base_url} timeout={self._timeout:g}s>"

    def close(self) -> None:
        self._session.close()

    # --- reads ----------------------------------------------------------------------

    def licenses_available(
        self,
        *,
        customer_code: int,
        lang: str = "en",
        version_code: int | None = None,
        license_duration: int | None = None,
        license_code: str | None = None,
        currency_code: str = "EUR",
    ) -> AvailableLicenses:
        """Return the licences on sale for a customer (retried). Raises UpstreamError."""
        body: dict[str, Any] = {
            "customer_code": _whole(customer_code),
            "lang": lang,
            "currency_code": currency_code,
        }
        if version_code is not None:
            body["version_code"] = _whole(version_code)
        if license_duration is not None:
            body["license_duration"] = str(_whole(license_duration))  # a string, per the docs
        if license_code is not None:
            body["license_code"] = license_code
        reply = self._call("available", "GET", body, read=True)
        return self._parse(reply, _parse_available)

    def currencies(self) -> list[Choice]:
        """Return the vendor's currencies, or the configured fallback. Never raises."""
        return self._directory("currencies")

    def versions(self) -> list[Choice]:
        """Return the vendor's licence versions, or the configured fallback. Never raises."""
        return self._directory("versions")

    def countries(self) -> list[Choice]:
        """Return the vendor's countries, or the configured fallback. Never raises."""
        return self._directory("countries")

    def industries(self) -> list[Choice]:
        """Return the vendor's industries, or the configured fallback. Never raises."""
        return self._directory("industries")

    # --- writes (never retried) -----------------------------------------------------

    def demo_assign(
        self, *, customer_code: int, lang: str = "en", accept_notifications: bool = True
    ) -> DemoResult:
        """Give a customer a trial licence. Sent once; raises UpstreamError."""
        body = {
            "customer_code": _whole(customer_code),
            "lang": lang,
            "accept_notifications": bool(accept_notifications),
        }
        reply = self._call("demo", "POST", body, read=False)
        return self._parse(reply, _parse_demo)

    def license_assign(
        self,
        *,
        customer_code: int,
        license_code: str,
        license_info: str,
        accept_notifications: bool = True,
        currency_code: str = "EUR",
    ) -> AssignResult:
        """Buy a paid licence for a customer (costs money). Sent once; raises UpstreamError."""
        body = {
            "customer_code": _whole(customer_code),
            "license_code": license_code,
            "license_info": license_info,
            "accept_notifications": bool(accept_notifications),
            "currency_code": currency_code,
        }
        reply = self._call("assign", "POST", body, read=False)
        # The answer names its currency; if it does not, it is the one we asked for.
        return self._parse(reply, lambda content, call: _parse_assign(content, call, currency_code))

    def renewal_suspend(self, *, customer_code: int, license_id: str) -> MessageResult:
        """Stop a licence renewing. A 405 ("already suspended") returns already=True."""
        return self._renewal("suspend", customer_code=customer_code, license_id=license_id)

    def renewal_enable(self, *, customer_code: int, license_id: str) -> MessageResult:
        """Let a licence renew again. A 405 ("already enabled") returns already=True."""
        return self._renewal("enable", customer_code=customer_code, license_id=license_id)

    def customer_create(
        self,
        *,
        email: str,
        password: str,
        customer_name: str,
        country_code: str,
        industry_code: int,
        company_name: str | None = None,
        customer_surname: str | None = None,
        skype: str | None = None,
        phone: str | None = None,
        lang: str = "en",
    ) -> CustomerCreated:
        """Create a customer account upstream; return its code. Sent once; raises UpstreamError."""
        body: dict[str, Any] = {
            "email": email,
            "password": password,
            "customer_name": customer_name,
            "country_code": country_code,
            "industry_code": _whole(industry_code),
            "lang": lang,
        }
        optional = {
            "company_name": company_name,
            "customer_surname": customer_surname,
            "skype": skype,
            "phone": phone,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        reply = self._call("customer_new", "POST", body, read=False)
        return self._parse(reply, _parse_customer_created)

    def dashboard_token(self, *, customer_code: int) -> DashboardLink:
        """Return a one-time link to the customer's own dashboard (valid ~15 minutes).

        Not retried: each call mints a token. The token is redacted from `call.answer`.
        """
        body = {"customer_code": str(_whole(customer_code))}  # a string on this endpoint
        reply = self._call("auth_token", "GET", body, read=False)

        def parse(content: Any, call: CallRecord) -> DashboardLink:
            token = _get(content, "token")
            # "Already URL-encoded" per the vendor: anything else could alter the link.
            if not isinstance(token, str) or not re.fullmatch(r"[A-Za-z0-9%._~+/=-]+", token):
                raise _BadShape("token")
            expiration = str(content.get("expiration") or "")
            return DashboardLink(url=self._dashboard_url + token, expiration=expiration, call=call)

        return self._parse(reply, parse)

    # --- endpoint helpers -----------------------------------------------------------

    def _renewal(self, endpoint: str, *, customer_code: int, license_id: str) -> MessageResult:
        license_id = str(license_id).strip()
        if not license_id:
            raise ValueError("license_id is required")
        # Both are strings on these endpoints, unlike customer_code elsewhere.
        body = {"license_id": license_id, "customer_code": str(_whole(customer_code))}
        try:
            reply = self._call(endpoint, "POST", body, read=False)
        except Refused as exc:
            if exc.status != 405:
                raise
            # The vendor's way of saying "already in that state": not a failure for us.
            return MessageResult(message=exc.message, already=True, call=exc.call)
        if not isinstance(reply.content, str):
            raise self._unreadable(reply.call)
        return MessageResult(message=reply.content, already=False, call=reply.call)

    def _directory(self, name: str) -> list[Choice]:
        fallback = [
            Choice(str(value), str(label)) for value, label in self._fallbacks.get(name, [])
        ]
        if name not in self._paths:
            return fallback
        try:
            # Not counted by the breaker: these paths are unconfirmed, and a vendor that
            # answers 5xx for an unknown path must not block the licence calls.
            reply = self._call(name, "GET", {}, read=True, counted=False)
            choices = _parse_choices(reply.content)
        except (UpstreamError, _BadShape, ValueError):
            # The directories are undocumented upstream: a configured list keeps forms working.
            return fallback
        return choices or fallback

    def _parse(self, reply: _Reply, parse: Callable[[Any, CallRecord], Any]) -> Any:
        """Return `parse(content, call)`; a missing or malformed field raises UnreadableAnswer."""
        try:
            return parse(reply.content, reply.call)
        except (_BadShape, KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
            # A 2xx answer means the vendor acted, even if we cannot read what it did.
            raise self._unreadable(reply.call) from None

    # --- one call -------------------------------------------------------------------

    def _call(
        self, endpoint: str, method: str, body: dict, *, read: bool, counted: bool = True
    ) -> _Reply:
        """Send one request (reads: with retries); return the 2xx content or raise UpstreamError.

        The breaker counts Unavailable outcomes (when `counted`); any other answer proves
        the vendor is up and resets it.
        """
        if self._breaker is not None and not self._breaker.allow():
            raise Unavailable(BREAKER_MESSAGE, endpoint=endpoint, may_have_taken_effect=False)
        try:
            reply = self._send(endpoint, method, body, read=read)
        except Unavailable:
            if self._breaker is not None and counted:
                self._breaker.record_failure()
            raise
        except UpstreamError:
            if self._breaker is not None:
                self._breaker.record_success()
            raise
        if self._breaker is not None:
            self._breaker.record_success()
        return reply

    def _send(self, endpoint: str, method: str, body: dict, *, read: bool) -> _Reply:
        path = self._paths[endpoint].lstrip("/")
        url = self._base_url + path
        sent = {key: REDACTED if key in SECRET_FIELDS else value for key, value in body.items()}
        started = time.monotonic()
        deadline = started + self._timeout
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
            if attempt.failure is None and attempt.status not in RETRYABLE_STATUSES:
                return self._interpret(attempt, call)
            error = self._unavailable(attempt, call)
            # Retry only reads, and only when nothing can have happened upstream.
            retryable = read and (attempt.nothing_sent or attempt.status in RETRYABLE_STATUSES)
            if not retryable or attempt_no >= attempts:
                raise error
            pause = self._pause(attempt_no, attempt.retry_after, deadline)
            if pause is None:
                raise error
            time.sleep(pause)

    def _attempt(
        self,
        endpoint: str,
        method: str,
        path: str,
        url: str,
        body: dict,
        deadline: float,
        attempt_no: int,
    ) -> _Attempt:
        """Make one HTTP request within the deadline; log one line. Never raises for I/O."""
        started = time.monotonic()
        limit = max(0.001, min(self._timeout, deadline - started))
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
                retry_after = _retry_after(response.headers.get("Retry-After"))
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
        needed = max(0.05, 0.1 * self._timeout)  # an attempt with less left is pointless
        if time.monotonic() + pause + needed > deadline:
            return None
        return pause

    def _interpret(self, attempt: _Attempt, call: CallRecord) -> _Reply:
        """Map an HTTP answer to the 2xx content or the matching UpstreamError."""
        status = attempt.status or 0
        data = _json_or_none(attempt.text)
        if 200 <= status < 300:
            if not isinstance(data, dict) or "content" not in data:
                raise self._unreadable(call)
            if str(data.get("code", 200)).strip() != "200":
                raise self._unreadable(call)
            return _Reply(content=data["content"], call=call)
        vendor_message = self._scrub(_vendor_message(data))
        if status == 401:
            raise KeyRejected(
                "The vendor rejected the portal's API key. Ask an administrator to check "
                "the FlashStart settings.",
                call=call,
            )
        if status == 500 and isinstance(data, dict) and "errors" in data:
            field_errors = _field_errors(data["errors"])
            if field_errors is None:
                raise self._unreadable(call)
            # An empty `errors` is not a validation answer (the vendor's validator always
            # names a field); calling it one could lead staff to resubmit a purchase.
            if field_errors:
                field_errors = {
                    self._scrub(name): [self._scrub(m) for m in messages]
                    for name, messages in field_errors.items()
                }
                summary = "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in field_errors.items()
                )
                raise ValidationFailed(
                    f"The vendor refused the data. {summary}",
                    field_errors=field_errors,
                    vendor_message=vendor_message,
                    call=call,
                )
        if 400 <= status < 500:
            reason = vendor_message or f"HTTP {status}"
            raise Refused(
                f"The vendor refused the request: {reason}",
                vendor_message=vendor_message,
                call=call,
            )
        if status >= 500:
            raise self._unavailable(attempt, call)
        raise self._unreadable(call)

    # --- messages and redaction -----------------------------------------------------

    def _unavailable(self, attempt: _Attempt, call: CallRecord) -> Unavailable:
        if attempt.nothing_sent:
            return Unavailable(
                "The vendor could not be reached; nothing was sent. Try again in a minute.",
                call=call,
                may_have_taken_effect=False,
            )
        if attempt.failure in ("read timeout", "answer too slow"):
            message = "The vendor did not answer in time."
        elif attempt.failure:
            message = "The connection to the vendor broke before it answered."
        else:
            message = f"The vendor reported an internal error (HTTP {attempt.status})."
        return Unavailable(message + _warning(call), call=call)

    def _unreadable(self, call: CallRecord) -> UnreadableAnswer:
        message = "The vendor's answer could not be understood."
        return UnreadableAnswer(message + _warning(call), call=call)

    def _scrub(self, text: str) -> str:
        """Remove the API key from vendor-supplied text, in case the vendor echoes it."""
        if len(self._api_key) >= 6:
            text = text.replace(self._api_key, REDACTED)
        return text

    def _answer_for_audit(self, endpoint: str, text: str) -> str:
        if endpoint == "auth_token":
            text = _without_token(text)
        return self._scrub(text)[:ANSWER_LIMIT]


def _warning(call: CallRecord) -> str:
    return WRITE_WARNING if call.endpoint in _CHANGES else ""


def get_client() -> FlashStartClient:
    """Return a client configured from Django settings, with the cache-backed breaker.

    A new client (and HTTP session) per call: pooled keep-alive connections can go stale
    between page views, and a request lost on a stale connection would leave a purchase
    in "outcome unknown" for nothing.
    """
    return FlashStartClient(
        base_url=settings.FLASHSTART_API_URL,
        api_key=settings.FLASHSTART_API_KEY,
        timeout=settings.FLASHSTART_TIMEOUT,
        paths=settings.FLASHSTART_PATHS,
        fallbacks=getattr(settings, "FLASHSTART_FALLBACKS", None),
        dashboard_url=getattr(settings, "FLASHSTART_DASHBOARD_URL", DEFAULT_DASHBOARD_URL),
        breaker=circuit_breaker.from_settings(),
    )


# --- transport helpers --------------------------------------------------------------------


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
            if size > MAX_ANSWER_BYTES:
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


def _retry_after(value: str | None) -> float | None:
    """Return a Retry-After header (seconds or HTTP date) as seconds, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
