"""The sandbox's records: endpoints, faults, customers and licences, and their file.

``SandboxState`` (in ``state``) holds these behind its lock; this module only says what
they are, and how the business part is written to and read from a JSON file so that a
demo run keeps its licences across restarts.
"""

import calendar
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from licensing.upstream.sandbox import catalogue

logger = logging.getLogger("licensing.sandbox")

#: name -> (HTTP method, path). Names are what faults and request counts are keyed by;
#: they match the keys of the portal's ``settings.FLASHSTART_PATHS``.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "available": ("GET", "/customerarea/licenses/available"),
    "demo": ("POST", "/customerarea/licenses/demo"),
    "assign": ("POST", "/customerarea/licenses/assign"),
    "suspend": ("POST", "/customerarea/licenses/suspend"),
    "enable": ("POST", "/customerarea/licenses/enable"),
    "customer_new": ("POST", "/customerarea/customers/new"),
    "auth_token": ("GET", "/customerarea/auth/token"),
    "currencies": ("GET", "/customerarea/directory/currencies"),
    "versions": ("GET", "/customerarea/directory/licenses/versions"),
    "countries": ("GET", "/customerarea/directory/countries"),
    "industries": ("GET", "/customerarea/directory/industries"),
}
#: Faults may also target every endpoint at once.
ALL_ENDPOINTS = "*"

#: Fault names (see ``licensing.upstream.sandbox.server`` for what each one does).
FAULTS = frozenset(
    {
        "timeout_after",
        "timeout_before",
        "reset_after",
        "reset_before",
        "html502",
        "invalid_json",
        "slow",
        "retry_after",
        "status401",
        "status500",
        "drop_body",
        "latency",
        "proxy405",
    }
)
DEFAULT_FAULT_SECONDS = 2.0
DEFAULT_LATENCY_SECONDS = 0.3

RENEWAL_ENABLED = "enabled"
RENEWAL_SUSPENDED = "suspended"

FIRST_LICENSE_ID = 13343
REDACTED_FIELDS = {"password"}


class InsufficientCredit(Exception):
    """The prepaid credit in that currency does not cover the price."""


@dataclass
class Customer:
    customer_code: int
    name: str
    email: str
    lang: str = "en"
    country_code: str = ""
    industry_code: int = 1

    @property
    def login(self) -> str:
        """The account login the vendor shows as ``customer`` in demo answers ("fsdev8080")."""
        return f"fs{self.customer_code}"


@dataclass
class License:
    license_id: str
    customer_code: int
    license_code: str
    license_info: str
    kind: str  # "paid" or "demo"
    start_date: str
    expiry_date: str
    renewal: str = RENEWAL_ENABLED
    amount: str | None = None  # Decimal as text, for paid licences
    currency_code: str | None = None


@dataclass
class Fault:
    fault: str
    times: int = 1
    seconds: float = DEFAULT_FAULT_SECONDS


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def money(balances: dict) -> dict[str, Decimal]:
    """``{"EUR": "10"}`` -> ``{"EUR": Decimal("10.00")}``; raises ValueError on bad input."""
    if not isinstance(balances, dict):
        raise ValueError("balances must be an object of currency code -> amount")
    try:
        return {
            str(code): Decimal(str(amount)).quantize(catalogue.CENT)
            for code, amount in balances.items()
        }
    except ArithmeticError as exc:
        raise ValueError(f"invalid amount in {balances!r}") from exc


def normalise_endpoint(value: str) -> str:
    """Accept ``assign``, ``licenses/assign`` or ``/customerarea/licenses/assign``."""
    value = str(value).strip()
    if value == ALL_ENDPOINTS or value in ENDPOINTS:
        return value
    for name, (_method, path) in ENDPOINTS.items():
        if value in (path, path.lstrip("/"), path.removeprefix("/customerarea/")):
            return name
    raise ValueError(f"unknown endpoint {value!r}; known: {', '.join(ENDPOINTS)} or '*'")


@dataclass
class Business:
    """The part of the state that is persisted and restored by ``reset()``."""

    customers: dict[int, Customer]
    balances: dict[str, Decimal]
    # Keyed by "<kind>:<license id>": with the ``ids_per_kind`` variant a demo and a paid
    # licence may share an id.
    licenses: dict[str, License] = field(default_factory=dict)
    demo_counts: dict[int, int] = field(default_factory=dict)
    assign_deductions: int = 0
    next_license_id: int = FIRST_LICENSE_ID
    next_customer_code: int = 0
    next_demo_id: int = FIRST_LICENSE_ID  # used by the ``ids_per_kind`` variant only


def save(path: Path, business: Business) -> None:
    """Write the business state to ``path`` (write, then rename: never half a file)."""
    data = {
        "customers": [asdict(c) for c in business.customers.values()],
        "balances": {code: str(amount) for code, amount in business.balances.items()},
        "licenses": [asdict(lic) for lic in business.licenses.values()],
        "demo_counts": {str(code): n for code, n in business.demo_counts.items()},
        "assign_deductions": business.assign_deductions,
        "next_license_id": business.next_license_id,
        "next_customer_code": business.next_customer_code,
        "next_demo_id": business.next_demo_id,
    }
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sandbox-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, ensure_ascii=False)
    os.replace(tmp, path)


def load(path: Path) -> Business | None:
    """The business state kept in ``path``, or None (logged) when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Business(
            customers={c["customer_code"]: Customer(**c) for c in data["customers"]},
            balances={code: Decimal(a) for code, a in data["balances"].items()},
            licenses={
                f"{lic['kind']}:{lic['license_id']}": License(**lic) for lic in data["licenses"]
            },
            demo_counts={int(code): n for code, n in data["demo_counts"].items()},
            assign_deductions=data["assign_deductions"],
            next_license_id=data["next_license_id"],
            next_customer_code=data["next_customer_code"],
            next_demo_id=data.get("next_demo_id", FIRST_LICENSE_ID),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("sandbox state file %s unreadable (%s); starting fresh", path, exc)
        return None
