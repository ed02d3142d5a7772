"""The vendor endpoints' behaviour: validation, business rules and answer shapes.

Each handler takes the state and the request's input (JSON body merged over query
parameters) and returns ``(status, payload)``. Messages copy the vendor (a Laravel
application): validation failures are HTTP 500 with an ``errors`` object, business
refusals are HTTP 405 with ``"error": []``. Strings are trimmed and empty strings count
as missing, as Laravel's default middleware does.
"""

import base64
import re
import secrets
import urllib.parse
from collections.abc import Callable
from decimal import Decimal

from licensing.upstream.sandbox import catalogue
from licensing.upstream.sandbox.countries import COUNTRIES
from licensing.upstream.sandbox.state import (
    RENEWAL_ENABLED,
    RENEWAL_SUSPENDED,
    InsufficientCredit,
    SandboxState,
)

Answer = tuple[int, dict]

UNAUTHORIZED: dict = {"message": "Invalid token or unauthorized admin"}
LANG_MESSAGE = "The lang must be one of the following types: en, it, es, de"
LICENSE_INFO_MESSAGE = "The license info may only contain letters, numbers, dashes and whitespace."
_LICENSE_INFO_RE = re.compile(r"(?:[^\W_]|[-\s])+")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
_INT_RE = re.compile(r"-?\d+")


def ok(content) -> Answer:
    return 200, {"code": 200, "content": content}


def refused(message: str) -> Answer:
    return 405, {"code": 405, "message": message, "error": []}


def invalid(errors: dict[str, list[str]]) -> Answer:
    return 500, {"code": 500, "message": "The given data was invalid.", "errors": errors}


class _Invalid(Exception):
    pass


class _Input:
    """Laravel-like validation of one request's input, collecting every field's error."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def get(self, field: str):
        value = self.data.get(field)
        if isinstance(value, str) and field != "password":
            value = value.strip()
        return None if value in ("", None, [], {}) else value

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise _Invalid

    @staticmethod
    def label(field: str) -> str:
        return field.replace("_", " ")

    def required(self, field: str):
        value = self.get(field)
        if value is None:
            self.fail(field, f"The {self.label(field)} field is required.")
        return value

    def string(self, field: str, *, required: bool = False, max_length: int = 255) -> str | None:
        value = self.required(field) if required else self.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(field, f"The {self.label(field)} must be a string.")
            return None
        if len(value) > max_length:
            self.fail(
                field, f"The {self.label(field)} may not be greater than {max_length} characters."
            )
            return None
        return value

    def integer(self, field: str, *, required: bool = False) -> int | None:
        """An integer; numeric strings pass too, as Laravel's ``integer`` rule lets them."""
        value = self.required(field) if required else self.get(field)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT_RE.fullmatch(value):
            return int(value)
        self.fail(field, f"The {self.label(field)} must be an integer.")
        return None

    def boolean(self, field: str, default: bool) -> bool:
        value = self.data.get(field)
        if value is None:
            return default
        if value in (True, False, 0, 1, "0", "1", "true", "false"):
            return value in (True, 1, "1", "true")
        self.fail(field, f"The {self.label(field)} field must be true or false.")
        return default

    def choice(self, value, field: str, allowed) -> object | None:
        if value is not None and value not in allowed:
            self.fail(field, f"The selected {self.label(field)} is invalid.")
            return None
        return value

    def customer(self, state: SandboxState, *, as_string: bool = False):
        """The customer named by ``customer_code`` (documented as a string on some
        endpoints, where an integer is refused, and as a number on others)."""
        if as_string:
            text = self.string("customer_code", required=True)
            code = int(text) if text is not None and _INT_RE.fullmatch(text) else None
            if text is not None and code is None:
                self.fail("customer_code", "The selected customer code is invalid.")
        else:
            code = self.integer("customer_code", required=True)
        if code is None:
            return None
        customer = state.customer(code)
        if customer is None:
            self.fail("customer_code", "The selected customer code is invalid.")
        return customer

    def lang(self) -> str:
        value = self.get("lang")
        if value is None:
            return "en"
        if value not in catalogue.LANGS:
            self.fail("lang", LANG_MESSAGE)
            return "en"
        return value

    def currency(self) -> str:
        value = self.string("currency_code")
        if value is None:
            return catalogue.DEFAULT_CURRENCY
        return self.choice(value, "currency_code", catalogue.CURRENCIES) or "EUR"


def _validated(handler: Callable[[SandboxState, _Input], Answer]):
    def run(state: SandboxState, data: dict) -> Answer:
        given = _Input(data)
        try:
            # One lock around validation and change: nothing can slip in between.
            with state.lock:
                return handler(state, given)
        except _Invalid:
            return invalid(given.errors)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


@_validated
def available(state: SandboxState, given: _Input) -> Answer:
    """The catalogue for a customer, filtered; ``license_code`` gives a one-item list."""
    given.customer(state)
    lang = given.lang()
    version = given.choice(given.integer("version_code"), "version_code", catalogue.VERSIONS)
    duration = given.choice(
        given.integer("license_duration"), "license_duration", catalogue.DURATIONS
    )
    code = given.choice(given.string("license_code"), "license_code", catalogue.ITEMS)
    currency = given.currency()
    given.check()
    items = [
        item
        for item in catalogue.ITEMS.values()
        if (version is None or item.product.version == version)
        and (duration is None or item.months == duration)
        and (code is None or item.code == code)
    ]
    return ok([item.as_vendor_json(lang, currency) for item in items])


@_validated
def demo(state: SandboxState, given: _Input) -> Answer:
    """A 14-day trial; at most ``MAX_DEMOS_PER_CUSTOMER`` per customer."""
    customer = given.customer(state)
    given.lang()
    given.boolean("accept_notifications", True)
    given.check()
    lic = state.demo(customer_code=customer.customer_code)
    if lic is None:
        return refused("Maximum number of demo licenses reached.")
    return ok(
        {
            "customer": customer.login,
            "version": catalogue.DEMO_VERSION,
            "license": catalogue.DEMO_NAME,
            "expiry_date": lic.expiry_date,
            "license_id": int(lic.license_id),  # a number here, a string from assign
        }
    )


@_validated
def assign(state: SandboxState, given: _Input) -> Answer:
    """A paid licence: deducts its price from the prepaid credit in ``currency_code``."""
    customer = given.customer(state)
    code = given.string("license_code", required=True)
    given.choice(code, "license_code", catalogue.ITEMS)
    info = given.string("license_info", required=True)
    if info is not None and not _LICENSE_INFO_RE.fullmatch(info):
        given.fail("license_info", LICENSE_INFO_MESSAGE)
    given.boolean("accept_notifications", True)
    currency = given.currency()
    given.check()
    item = catalogue.ITEMS[code]
    try:
        lic = state.assign(
            customer_code=customer.customer_code,
            item=item,
            license_info=info,
            currency_code=currency,
        )
    except InsufficientCredit:
        return refused("Insufficient credit.")
    return ok(
        {
            "customer": customer.name,
            "license_id": lic.license_id,
            "start_date": lic.start_date,
            "expiry_date": lic.expiry_date,
            "deducted_amount": Decimal(lic.amount),  # what was taken from the credit
            "currency_code": currency,
        }
    )


def _renewal(state: SandboxState, given: _Input, renewal: str) -> Answer:
    license_id = given.string("license_id", required=True)
    customer = given.customer(state, as_string=True)
    lic = state.license(license_id) if license_id is not None else None
    if license_id is not None and (
        lic is None or (customer is not None and lic.customer_code != customer.customer_code)
    ):
        given.fail("license_id", "The selected license id is invalid.")
    given.check()
    if not state.set_renewal(license_id, renewal):
        # The vendor documents this very body for enable too (a copy-paste in its docs):
        # reproduced as documented, so the portal reads any 405 as "already in that state".
        return refused("License already suspended.")
    word = "suspended" if renewal == RENEWAL_SUSPENDED else "enabled"
    return ok(f"License {word} successfully.")


@_validated
def suspend(state: SandboxState, given: _Input) -> Answer:
    """Stop a licence's automatic renewal."""
    return _renewal(state, given, RENEWAL_SUSPENDED)


@_validated
def enable(state: SandboxState, given: _Input) -> Answer:
    """Resume a licence's automatic renewal."""
    return _renewal(state, given, RENEWAL_ENABLED)


@_validated
def customer_new(state: SandboxState, given: _Input) -> Answer:
    """Create a customer. The password is validated and then dropped: never kept."""
    email = given.string("email", required=True)
    if email is not None:
        if not _EMAIL_RE.fullmatch(email):
            given.fail("email", "The email must be a valid email address.")
        elif any(c.email.lower() == email.lower() for c in state.customers()):
            given.fail("email", "The email has already been taken.")
    password = given.required("password")
    if password is not None and (not isinstance(password, str) or len(password) < 8):
        given.fail("password", "The password must be at least 8 characters.")
    name = given.string("customer_name", required=True)
    surname = given.string("customer_surname")
    given.choice(given.string("country_code", required=True), "country_code", COUNTRIES)
    industry = given.integer("industry_code", required=True)
    given.choice(industry, "industry_code", catalogue.INDUSTRIES)
    company = given.string("company_name")
    if company is None and industry != catalogue.FAMILY_INDUSTRY_CODE:
        given.fail(
            "company_name",
            "The company name field is required unless industry code is in "
            f"{catalogue.FAMILY_INDUSTRY_CODE}.",
        )
    for optional in ("skype", "phone"):
        given.string(optional)
    lang = given.lang()
    given.check()
    customer = state.create_customer(
        name=company or f"{name} {surname or ''}".strip(),
        email=email,
        lang=lang,
        country_code=given.get("country_code"),
        industry_code=industry,
    )
    return ok({"customer_code": customer.customer_code})


@_validated
def auth_token(state: SandboxState, given: _Input) -> Answer:
    """A one-time dashboard login token, already URL-encoded (do not encode it again)."""
    given.customer(state, as_string=True)
    given.check()
    # 32 random bytes in standard base64 always end in "=", so the token contains "%3D"
    # and often "%2F"/"%2B": a client that encodes it again breaks the link.
    raw = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    return ok({"token": urllib.parse.quote(raw, safe=""), "expiration": "15 min"})


def _directory(rows: list[dict]):
    def handler(state: SandboxState, data: dict) -> Answer:
        return ok(rows)

    return handler


HANDLERS: dict[str, Callable[[SandboxState, dict], Answer]] = {
    "available": available,
    "demo": demo,
    "assign": assign,
    "suspend": suspend,
    "enable": enable,
    "customer_new": customer_new,
    "auth_token": auth_token,
    "currencies": _directory(
        [
            {"code": code, "name": name, "symbol": symbol}
            for code, (name, symbol, _rate) in catalogue.CURRENCIES.items()
        ]
    ),
    "versions": _directory(
        [{"code": code, "name": name} for code, name in catalogue.VERSIONS.items()]
    ),
    "countries": _directory([{"code": code, "name": name} for code, name in COUNTRIES.items()]),
    "industries": _directory(
        [{"code": code, "name": name} for code, name in catalogue.INDUSTRIES.items()]
    ),
}
