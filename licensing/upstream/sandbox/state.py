"""The sandbox's mutable state: customers, licences, prepaid credit, counters and faults.

Every read and write goes through ``SandboxState.lock`` (one re-entrant lock), so
concurrent requests see and change a consistent state: 50 simultaneous assigns make
exactly 50 deductions. Optionally the business state (not counters or faults) is kept in
a JSON file so a demo run keeps its licences across restarts. What the records are (and
the names tests import from here) lives in ``records``.
"""

import os
import threading
from collections import Counter, deque
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from licensing.upstream.sandbox import catalogue, variants
from licensing.upstream.sandbox.records import (
    ALL_ENDPOINTS,
    DEFAULT_FAULT_SECONDS,
    DEFAULT_LATENCY_SECONDS,
    ENDPOINTS,
    FAULTS,
    REDACTED_FIELDS,
    RENEWAL_ENABLED,
    RENEWAL_SUSPENDED,
    Business,
    Customer,
    Fault,
    InsufficientCredit,
    License,
    add_months,
    load,
    money,
    normalise_endpoint,
    save,
)

__all__ = [
    "ALL_ENDPOINTS",
    "ENDPOINTS",
    "FAULTS",
    "RENEWAL_ENABLED",
    "RENEWAL_SUSPENDED",
    "Customer",
    "InsufficientCredit",
    "License",
    "SandboxState",
    "add_months",
    "normalise_endpoint",
]


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
        self.initial_balances = money(balances or catalogue.DEFAULT_BALANCES)
        self.requests: Counter[str] = Counter()
        self.recent_requests: deque[dict] = deque(maxlen=100)
        self.faults: dict[str, deque[Fault]] = {}
        self.latencies: dict[str, float] = {}
        self.variants: dict[str, object] = {}
        self._b = self._fresh_business()
        if self.state_file and self.state_file.exists():
            self._b = load(self.state_file) or self._b

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

    def license(self, license_id: str, kind: str | None = None) -> License | None:
        """The licence with that id (of ``kind``, else the paid one before a demo)."""
        with self.lock:
            for each in (kind,) if kind else ("paid", "demo"):
                found = self._b.licenses.get(f"{each}:{license_id}")
                if found is not None:
                    return found
            return None

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
                "variants": dict(self.variants),
            }

    # ----- business changes (callers validate first) ----------------------------------

    def assign(
        self, *, customer_code: int, item: catalogue.Item, license_info: str, currency_code: str
    ) -> License:
        """Deduct the price and record a paid licence; raises ``InsufficientCredit``."""
        with self.lock:
            price = item.price(currency_code)
            if "surcharge" in self.variants:
                price += variants.SURCHARGE
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
                apart="ids_per_kind" in self.variants,
            )
            self._save()
            return lic

    def set_renewal(self, license_id: str, renewal: str) -> bool:
        """Set a licence's renewal state; False when it already was in that state."""
        with self.lock:
            lic = self.license(license_id)
            if lic is None:
                raise KeyError(license_id)
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
            self._b.balances.update(money(balances))
            self._save()

    # ----- counters and faults --------------------------------------------------------

    def record_request(self, endpoint: str, method: str, body: object) -> None:
        """Count a call and keep its (redacted) body for tests that check what was sent."""
        if isinstance(body, dict):
            body = {k: ("***" if k in REDACTED_FIELDS else v) for k, v in body.items()}
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

    def set_variants(self, chosen: dict) -> dict:
        """Switch answer variants on (or off with false); see ``variants``. Returns all
        that are on. Raises ``ValueError`` on an unknown name or value."""
        with self.lock:
            changes = dict(chosen or {})
            on = variants.checked(changes)
            for name in changes:
                self.variants.pop(name, None)
            self.variants.update(on)
            return dict(self.variants)

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
            self.variants.clear()
            self._save()

    # ----- internals ------------------------------------------------------------------

    def _fresh_business(self, balances=None) -> Business:
        customers = {seed["customer_code"]: Customer(**seed) for seed in catalogue.SEED_CUSTOMERS}
        return Business(
            customers=customers,
            balances=money(balances) if balances is not None else dict(self.initial_balances),
            next_customer_code=max(customers) + 1,
        )

    def _new_license(self, *, start: date, expiry: date, apart: bool = False, **fields) -> License:
        """Record a licence with the next id (``apart``: from the demos' own series)."""
        number = self._b.next_demo_id if apart else self._b.next_license_id
        lic = License(
            license_id=str(number),
            start_date=start.isoformat(),
            expiry_date=expiry.isoformat(),
            **fields,
        )
        if apart:
            self._b.next_demo_id += 1
        else:
            self._b.next_license_id += 1
        self._b.licenses[f"{lic.kind}:{lic.license_id}"] = lic
        return lic

    def _save(self) -> None:
        if self.state_file:
            save(self.state_file, self._b)
