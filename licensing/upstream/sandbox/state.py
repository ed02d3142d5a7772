"""The sandbox's mutable state: customers, licences, prepaid credit, counters and faults.

Every read and write goes through ``SandboxState.lock`` (one re-entrant lock), so
concurrent requests see and change a consistent state: 50 simultaneous assigns make
exactly 50 deductions. Optionally the business state (not counters or faults) is kept in
a JSON file so a demo run keeps its licences across restarts.
"""

import calendar
import json
import logging
import os
import tempfile
import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
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
    }
)
DEFAULT_FAULT_SECONDS = 2.0
DEFAULT_LATENCY_SECONDS = 0.3

RENEWAL_ENABLED = "enabled"
RENEWAL_SUSPENDED = "suspended"

_FIRST_LICENSE_ID = 13343
_REDACTED_FIELDS = {"password"}


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


def _money(balances: dict) -> dict[str, Decimal]:
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
class _Business:
    """The part of the state that is persisted and restored by ``reset()``."""

    customers: dict[int, Customer]
    balances: dict[str, Decimal]
    licenses: dict[str, License] = field(default_factory=dict)
    demo_counts: dict[int, int] = field(default_factory=dict)
    assign_deductions: int = 0
    next_license_id: int = _FIRST_LICENSE_ID
    next_customer_code: int = 0


class SandboxState:
    """All of the sandbox's state behind one lock.

    ``balances`` sets the starting prepaid credit per currency (defaults to
    ``catalogue.DEFAULT_BALANCES``); ``reset()`` returns to it. ``today`` is a callable
    returning the date used for start and expiry dates (defaults to ``date.today``).
    """

    def __init__(
        self,
        *,
        balances: dict[str, Decimal | str | int] | None = None,
        state_file: str | os.PathLike | None = None,
        today=None,
    ) -> None:
        self.lock = threading.RLock()
        self.today = today or date.today
        self.state_file = Path(state_file) if state_file else None
        self.initial_balances = _money(balances or catalogue.DEFAULT_BALANCES)
        self.requests: Counter[str] = Counter()
        self.recent_requests: deque[dict] = deque(maxlen=100)
        self.faults: dict[str, deque[Fault]] = {}
        self.latencies: dict[str, float] = {}
        self._b = self._fresh_business()
        if self.state_file and self.state_file.exists():
            self._load()

    # ----- reading -------------------------------------------------------------------

    @property
    def balances(self) -> dict[str, Decimal]:
        with self.lock:
            return dict(self._b.balances)

    @property
    def assign_deductions(self) -> int:
        """How many assign calls deducted credit."""
        with self.lock:
            return self._b.assign_deductions

    @property
    def licenses(self) -> list[License]:
        with self.lock:
            return [License(**asdict(lic)) for lic in self._b.licenses.values()]

    @property
    def demo_counts(self) -> dict[int, int]:
        with self.lock:
            return dict(self._b.demo_counts)

    def customer(self, customer_code: int) -> Customer | None:
        with self.lock:
            return self._b.customers.get(customer_code)

    def customers(self) -> list[Customer]:
        with self.lock:
            return list(self._b.customers.values())

    def license(self, license_id: str) -> License | None:
        with self.lock:
            return self._b.licenses.get(license_id)

    def snapshot(self) -> dict:
        """Everything, as JSON-ready data (money as strings, exact)."""
        with self.lock:
            return {
                "balances": {code: str(amount) for code, amount in self._b.balances.items()},
                "assign_deductions": self._b.assign_deductions,
                "licenses": [asdict(lic) for lic in self._b.licenses.values()],
                "demo_counts": {str(code): n for code, n in self._b.demo_counts.items()},
                "customers": [asdict(c) for c in self._b.customers.values()],
                "requests": dict(self.requests),
                "recent_requests": list(self.recent_requests),
                "faults": {
                    name: [asdict(f) for f in queue] for name, queue in self.faults.items() if queue
                },
                "latencies": dict(self.latencies),
            }

    # ----- business changes (callers validate first) ----------------------------------

    def assign(
        self, *, customer_code: int, item: catalogue.Item, license_info: str, currency_code: str
    ) -> License:
        """Deduct the price and record a paid licence; raises ``InsufficientCredit``."""
        with self.lock:
            price = item.price(currency_code)
            balance = self._b.balances.get(currency_code, Decimal("0.00"))
            if balance < price:
                raise InsufficientCredit
            self._b.balances[currency_code] = balance - price
            self._b.assign_deductions += 1
            start = self.today()
            lic = self._new_license(
                customer_code=customer_code,
                license_code=item.code,
                license_info=license_info,
                kind="paid",
                start=start,
                expiry=add_months(start, item.months),
                amount=str(price),
                currency_code=currency_code,
            )
            self._save()
            return lic

    def demo(self, *, customer_code: int) -> License | None:
        """Record a demo licence, or return None when the customer has had its maximum."""
        with self.lock:
            used = self._b.demo_counts.get(customer_code, 0)
            if used >= catalogue.MAX_DEMOS_PER_CUSTOMER:
                return None
            self._b.demo_counts[customer_code] = used + 1
            start = self.today()
            lic = self._new_license(
                customer_code=customer_code,
                license_code=catalogue.DEMO_VERSION,
                license_info="",
                kind="demo",
                start=start,
                expiry=start + timedelta(days=catalogue.DEMO_DAYS),
            )
            self._save()
            return lic

    def set_renewal(self, license_id: str, renewal: str) -> bool:
        """Set a licence's renewal state; False when it already was in that state."""
        with self.lock:
            lic = self._b.licenses[license_id]
            if lic.renewal == renewal:
                return False
            lic.renewal = renewal
            self._save()
            return True

    def create_customer(self, **fields) -> Customer:
        """Add a customer with the next free code (no password: the sandbox keeps none)."""
        with self.lock:
            customer = Customer(customer_code=self._b.next_customer_code, **fields)
            self._b.customers[customer.customer_code] = customer
            self._b.next_customer_code += 1
            self._save()
            return customer

    def set_balances(self, balances: dict[str, Decimal | str | int]) -> None:
        """Set the credit of the given currencies (others unchanged)."""
        with self.lock:
            self._b.balances.update(_money(balances))
            self._save()

    # ----- counters and faults --------------------------------------------------------

    def record_request(self, endpoint: str, method: str, body: object) -> None:
        """Count a call and keep its (redacted) body for tests that check what was sent."""
        if isinstance(body, dict):
            body = {k: ("***" if k in _REDACTED_FIELDS else v) for k, v in body.items()}
        with self.lock:
            self.requests[endpoint] += 1
            self.recent_requests.append({"endpoint": endpoint, "method": method, "body": body})

    def add_fault(
        self, endpoint: str, fault: str, *, times: int = 1, seconds: float | None = None
    ) -> None:
        """Make the next ``times`` calls of ``endpoint`` misbehave (``latency``: all calls
        until cleared; ``seconds=0`` clears it). Raises ``ValueError`` on bad arguments."""
        endpoint = normalise_endpoint(endpoint)
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(FAULTS))}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be a positive integer")
        default = DEFAULT_LATENCY_SECONDS if fault == "latency" else DEFAULT_FAULT_SECONDS
        seconds = default if seconds is None else float(seconds)
        if not 0 <= seconds <= 600:
            raise ValueError("seconds must be between 0 and 600")
        with self.lock:
            if fault == "latency":
                if seconds:
                    self.latencies[endpoint] = seconds
                else:
                    self.latencies.pop(endpoint, None)
            else:
                self.faults.setdefault(endpoint, deque()).append(Fault(fault, times, seconds))

    def take_fault(self, endpoint: str) -> Fault | None:
        """The fault this call of ``endpoint`` must show, if any (consumes one use)."""
        with self.lock:
            for key in (endpoint, ALL_ENDPOINTS):
                queue = self.faults.get(key)
                if queue:
                    head = queue[0]
                    head.times -= 1
                    if head.times <= 0:
                        queue.popleft()
                    return Fault(head.fault, 1, head.seconds)
            return None

    def latency(self, endpoint: str) -> float:
        with self.lock:
            return self.latencies.get(endpoint, 0.0) + self.latencies.get(ALL_ENDPOINTS, 0.0)

    def clear_faults(self, endpoint: str | None = None) -> None:
        """Clear pending faults and latencies of one endpoint, or of all."""
        with self.lock:
            if endpoint is None:
                self.faults.clear()
                self.latencies.clear()
            else:
                endpoint = normalise_endpoint(endpoint)
                self.faults.pop(endpoint, None)
                self.latencies.pop(endpoint, None)

    def reset(self, *, balances: dict[str, Decimal | str | int] | None = None) -> None:
        """Back to the seed customers and the starting credit (``balances``, for this reset
        only, replaces it); no licences, counters, faults or latencies."""
        with self.lock:
            self._b = self._fresh_business(balances)
            self.requests.clear()
            self.recent_requests.clear()
            self.clear_faults()
            self._save()

    # ----- internals ------------------------------------------------------------------

    def _fresh_business(self, balances=None) -> _Business:
        customers = {seed["customer_code"]: Customer(**seed) for seed in catalogue.SEED_CUSTOMERS}
        return _Business(
            customers=customers,
            balances=_money(balances) if balances is not None else dict(self.initial_balances),
            next_customer_code=max(customers) + 1,
        )

    def _new_license(self, *, start: date, expiry: date, **fields) -> License:
        lic = License(
            license_id=str(self._b.next_license_id),
            start_date=start.isoformat(),
            expiry_date=expiry.isoformat(),
            **fields,
        )
        self._b.next_license_id += 1
        self._b.licenses[lic.license_id] = lic
        return lic

    def _save(self) -> None:
        if not self.state_file:
            return
        data = {
            "customers": [asdict(c) for c in self._b.customers.values()],
            "balances": {code: str(amount) for code, amount in self._b.balances.items()},
            "licenses": [asdict(lic) for lic in self._b.licenses.values()],
            "demo_counts": {str(code): n for code, n in self._b.demo_counts.items()},
            "assign_deductions": self._b.assign_deductions,
            "next_license_id": self._b.next_license_id,
            "next_customer_code": self._b.next_customer_code,
        }
        directory = self.state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves a half-written file behind.
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sandbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, ensure_ascii=False)
        os.replace(tmp, self.state_file)

    def _load(self) -> None:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            self._b = _Business(
                customers={c["customer_code"]: Customer(**c) for c in data["customers"]},
                balances={code: Decimal(a) for code, a in data["balances"].items()},
                licenses={lic["license_id"]: License(**lic) for lic in data["licenses"]},
                demo_counts={int(code): n for code, n in data["demo_counts"].items()},
                assign_deductions=data["assign_deductions"],
                next_license_id=data["next_license_id"],
                next_customer_code=data["next_customer_code"],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning(
                "sandbox state file %s unreadable (%s); starting fresh", self.state_file, exc
            )
