"""The FlashStart customer-area API client: one method per vendor endpoint.

Each method builds the vendor's request body from keyword arguments (normalising
`customer_code` and friends to the type each endpoint wants), sends it through
`transport`, reads the answer with `answers`, and returns a frozen result (Decimal money,
`date` dates, `license_id` as a string) or raises an `errors.UpstreamError`; nothing above
this package sees the vendor's JSON or a `requests` exception.

- Writes (assign, demo, suspend, enable, customer creation, dashboard token) are sent
  once and never retried: the vendor is not idempotent and assign costs money. Reads are
  retried by the transport, within the call's deadline.
- Every failure says whether the request may have taken effect upstream
  (`may_have_taken_effect`): False only when we know nothing reached the vendor or the
  vendor clearly refused. The services use it to mark a purchase "outcome unknown".
- The circuit breaker fails calls at once while the vendor is down; any answer closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import InvalidOperation
from typing import Any, TypeVar

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

from licensing import texts
from licensing.upstream import answers, envelope, errors, transport
from licensing.upstream import breaker as circuit_breaker

__all__ = [
    "BREAKER_MESSAGE",
    "DEFAULT_DASHBOARD_URL",
    "DIRECTORIES",
    "FlashStartClient",
    "get_client",
]

DEFAULT_DASHBOARD_URL = "https://cloud.flashstart.com/?auth_token="
# In English (code and tests look for it); translated when an error carries it.
BREAKER_MESSAGE = gettext_noop("The vendor is not answering; try again in a minute.")
DIRECTORIES = ("currencies", "versions", "countries", "industries")
# Directory paths may be left out (their fallbacks are used); these may not.
_REQUIRED_PATHS = frozenset({"available", "auth_token", *errors.CHANGING_ENDPOINTS})

_Result = TypeVar("_Result")


class FlashStartClient:
    """A client for the FlashStart customer-area API. Build one with `get_client()`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        paths: Mapping[str, str],
        fallbacks: Mapping[str, list[Any]] | None = None,
        dashboard_url: str = DEFAULT_DASHBOARD_URL,
        breaker: circuit_breaker.CircuitBreaker | None = None,
        session: requests.Session | None = None,
        read_attempts: int = transport.READ_ATTEMPTS,
    ) -> None:
        if not api_key:
            raise ImproperlyConfigured("FlashStartClient needs an API key")
        missing = sorted(_REQUIRED_PATHS - set(paths))
        if missing:
            raise ImproperlyConfigured(f"FLASHSTART_PATHS lacks {', '.join(missing)}")
        self._paths = dict(paths)
        self._fallbacks = dict(fallbacks or {})
        self._dashboard_url = dashboard_url
        self._breaker = breaker
        self._transport = transport.Transport(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            session=session,
            read_attempts=read_attempts,
        )

    def __repr__(self) -> str:
        return f"<FlashStartClient {self._transport.base_url} timeout={self._transport.timeout:g}s>"

    def close(self) -> None:
        self._transport.close()

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
    ) -> answers.AvailableLicenses:
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
        content, call = self._call("available", "GET", body, read=True)
        return self._parse(answers.parse_available, content, call)

    def currencies(self) -> list[answers.Choice]:
        """Return the vendor's currencies, or the configured fallback. Never raises."""
        return self._directory("currencies")

    def versions(self) -> list[answers.Choice]:
        """Return the vendor's licence versions, or the configured fallback. Never raises."""
        return self._directory("versions")

    def countries(self) -> list[answers.Choice]:
        """Return the vendor's countries, or the configured fallback. Never raises."""
        return self._directory("countries")

    def industries(self) -> list[answers.Choice]:
        """Return the vendor's industries, or the configured fallback. Never raises."""
        return self._directory("industries")

    # --- writes (never retried) -----------------------------------------------------

    def demo_assign(
        self, *, customer_code: int, lang: str = "en", accept_notifications: bool = True
    ) -> answers.DemoResult:
        """Give a customer a trial licence. Sent once; raises UpstreamError."""
        body = {
            "customer_code": _whole(customer_code),
            "lang": lang,
            "accept_notifications": bool(accept_notifications),
        }
        content, call = self._call("demo", "POST", body, read=False)
        return self._parse(answers.parse_demo, content, call)

    def license_assign(
        self,
        *,
        customer_code: int,
        license_code: str,
        license_info: str,
        accept_notifications: bool = True,
        currency_code: str = "EUR",
    ) -> answers.AssignResult:
        """Buy a paid licence for a customer (costs money). Sent once; raises UpstreamError."""
        body = {
            "customer_code": _whole(customer_code),
            "license_code": license_code,
            "license_info": license_info,
            "accept_notifications": bool(accept_notifications),
            "currency_code": currency_code,
        }
        content, call = self._call("assign", "POST", body, read=False)

        def parse(content: Any, call: errors.CallRecord) -> answers.AssignResult:
            # The answer names its currency; if it does not, it is the one we asked for.
            return answers.parse_assign(content, call, currency_code)

        return self._parse(parse, content, call)

    def renewal_suspend(self, *, customer_code: int, license_id: str) -> answers.MessageResult:
        """Stop a licence renewing. Sent once; raises UpstreamError.

        Only the vendor's business answer "already suspended" (a 405 in the vendor's shape
        that says "already") returns already=True; any other 405 (a proxy, a wrong path)
        raises Refused.
        """
        return self._renewal("suspend", customer_code=customer_code, license_id=license_id)

    def renewal_enable(self, *, customer_code: int, license_id: str) -> answers.MessageResult:
        """Let a licence renew again. Sent once; raises UpstreamError.

        Every 405 raises Refused: the vendor documents suspend's "License already
        suspended." body here too, which proves nothing about the renewal.
        """
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
    ) -> answers.CustomerCreated:
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
        content, call = self._call("customer_new", "POST", body, read=False)
        return self._parse(answers.parse_customer_created, content, call)

    def dashboard_token(self, *, customer_code: int) -> answers.DashboardLink:
        """Return a one-time link to the customer's own dashboard (valid ~15 minutes).

        Not retried: each call mints a token. The token is redacted from `call.answer`.
        """
        body = {"customer_code": str(_whole(customer_code))}  # a string on this endpoint
        content, call = self._call("auth_token", "GET", body, read=False)

        def parse(content: Any, call: errors.CallRecord) -> answers.DashboardLink:
            return answers.parse_dashboard_link(content, call, url_prefix=self._dashboard_url)

        return self._parse(parse, content, call)

    # --- endpoint helpers -----------------------------------------------------------

    def _renewal(
        self, endpoint: str, *, customer_code: int, license_id: str
    ) -> answers.MessageResult:
        license_id = str(license_id).strip()
        if not license_id:
            raise ValueError("license_id is required")
        # Both are strings on these endpoints, unlike customer_code elsewhere.
        body = {"license_id": license_id, "customer_code": str(_whole(customer_code))}
        try:
            content, call = self._call(endpoint, "POST", body, read=False)
        except errors.Refused as exc:
            if endpoint != "suspend" or exc.call is None or not _already(exc):
                raise
            # The vendor's way of saying "already suspended": not a failure for us.
            return answers.MessageResult(message=exc.message, already=True, call=exc.call)
        return self._parse(answers.parse_message, content, call)

    def _directory(self, name: str) -> list[answers.Choice]:
        fallback = [
            answers.Choice(str(value), str(label)) for value, label in self._fallbacks.get(name, [])
        ]
        if name not in self._paths:
            return fallback
        try:
            # Not counted by the breaker: these paths are unconfirmed, and a vendor that
            # answers 5xx for an unknown path must not block the licence calls.
            content, _ = self._call(name, "GET", {}, read=True, counted=False)
            choices = answers.parse_choices(content)
        except (errors.UpstreamError, ValueError):
            # The directories are undocumented upstream: a configured list keeps forms working.
            return fallback
        return choices or fallback

    def _parse(
        self,
        parse: Callable[[Any, errors.CallRecord], _Result],
        content: Any,
        call: errors.CallRecord,
    ) -> _Result:
        """Return `parse(content, call)`; a missing or malformed field raises UnreadableAnswer."""
        try:
            return parse(content, call)
        except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
            # A 2xx answer means the vendor acted, even if we cannot read what it did.
            raise errors.unreadable(call) from None

    # --- one call -------------------------------------------------------------------

    def _call(
        self, endpoint: str, method: str, body: dict[str, Any], *, read: bool, counted: bool = True
    ) -> tuple[Any, errors.CallRecord]:
        """Send one request (reads: with retries); return the 2xx content and its record.

        Raises UpstreamError. The breaker counts Unavailable outcomes (when `counted`);
        any other answer proves the vendor is up and resets it.
        """
        if self._breaker is not None and not self._breaker.allow():
            raise errors.Unavailable(
                texts.message(BREAKER_MESSAGE), endpoint=endpoint, may_have_taken_effect=False
            )
        try:
            reply = self._transport.send(endpoint, method, self._paths[endpoint], body, read=read)
            content = envelope.unwrap(reply.text, reply.call, scrub=self._transport.scrub)
        except errors.Unavailable:
            if self._breaker is not None and counted:
                self._breaker.record_failure()
            elif self._breaker is not None:
                # Not counted (a directory look-up): no verdict, but the half-open trial
                # slot it may hold must not stay taken until it expires.
                self._breaker.release()
            raise
        except errors.UpstreamError:
            if self._breaker is not None:
                self._breaker.record_success()
            raise
        except BaseException:
            if self._breaker is not None:
                self._breaker.release()
            raise
        if self._breaker is not None:
            self._breaker.record_success()
        return content, reply.call


def _already(exc: errors.Refused) -> bool:
    """Whether a refusal is the vendor's business answer "already ..." (405, its shape)."""
    return exc.business and exc.status == 405 and "already" in exc.message.lower()


def _whole(value: Any) -> int:
    """Return a whole number given as int or digits (our callers' arguments); else ValueError."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(value)


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
