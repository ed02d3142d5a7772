"""The vendor misbehaving in every documented way, injected through the sandbox.

`inject(fault, endpoint)` makes the next call of `endpoint` misbehave. Faults the sandbox
lacks (a 405 refusal and a 500 validation answer on any endpoint) are made by swapping
the sandbox's handler for that endpoint for the test, so every action meets every fault.
"""

import time
import uuid

import pytest
from django.contrib.auth.models import Group

from licensing import audit, roles
from licensing.models import AssignmentKind, AssignmentStatus, LicenseAssignment
from licensing.upstream.sandbox import catalogue, endpoints
from tests.factories import user_factory

# Short deadline, and "slow" faults well past it: a slow case costs under a second, and
# a test that passes cannot be timing luck (margins are generous on purpose).
TIMEOUT = 0.6
SLOW = 2.0
MARGIN = 1.5

# name -> what it is, for ids and messages
FAULTS = {
    "timeout_before": "no answer within the deadline; nothing processed",
    "timeout_after": "processed, then no answer within the deadline",
    "reset_before": "connection reset; nothing processed",
    "reset_after": "processed, then connection reset",
    "html502": "nginx 502 HTML page; nothing processed",
    "invalid_json": "processed, then truncated JSON",
    "status401": "the API key rejected",
    "refused405": "business refusal (405)",
    "validation500": "validation failure (500 with errors)",
    "status500": "500 without errors; nothing processed",
    "slow": "processed, answer trickles past the deadline",
    "retry_after": "503 with Retry-After: 99999; nothing processed",
}
# Faults after which the vendor did act (the sandbox processed the request).
PROCESSED = {"timeout_after", "reset_after", "invalid_json", "slow"}

REFUSAL_MESSAGE = "Refused by the fault test."
VALIDATION_ERRORS = {"customer_code": ["The selected customer code is invalid."]}


@pytest.fixture
def vendor(sandbox_settings, settings):
    """The sandbox, with a short deadline and a fresh breaker."""
    settings.FLASHSTART_TIMEOUT = TIMEOUT
    settings.FLASHSTART_BREAKER = {"FAILURES": 50, "COOLDOWN": 30}
    return sandbox_settings


@pytest.fixture
def inject(vendor, monkeypatch):
    def inject_fault(fault: str, endpoint: str) -> None:
        if fault == "refused405":
            monkeypatch.setitem(
                endpoints.HANDLERS, endpoint, lambda state, data: endpoints.refused(REFUSAL_MESSAGE)
            )
        elif fault == "validation500":
            monkeypatch.setitem(
                endpoints.HANDLERS,
                endpoint,
                lambda state, data: endpoints.invalid(VALIDATION_ERRORS),
            )
        elif fault in ("timeout_before", "timeout_after", "slow"):
            vendor.add_fault(endpoint, fault, seconds=SLOW)
        else:
            vendor.add_fault(endpoint, fault)

    return inject_fault


@pytest.fixture
def sales_meta(db):
    user = user_factory(groups=[roles.SALES], username="fault-sally")
    Group.objects.get_or_create(name=roles.SALES)
    return audit.RequestMeta(
        user=user, ip="192.0.2.10", user_agent="fault-matrix", request_id="fault-req-0001"
    )


@pytest.fixture
def token():
    return uuid.uuid4()


class Timer:
    """Measures one call; `elapsed` in seconds."""

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc_info):
        self.elapsed = time.monotonic() - self.started
        return False


def within_deadline(elapsed: float, calls: int = 1) -> bool:
    """A call (or `calls` sequential vendor calls) ended within the deadline + margin."""
    return elapsed <= calls * TIMEOUT + MARGIN


def assert_books_balance(sandbox) -> None:
    """Every licence the vendor created matches exactly one ACTIVE or UNKNOWN assignment.

    ACTIVE assignments name their licence; each must exist upstream, once. Licences no
    ACTIVE row names can only be explained by UNKNOWN rows, one each at most. FAILED rows
    never have a licence upstream (checked by the counts).
    """
    for kind, vendor_kind in ((AssignmentKind.PAID, "paid"), (AssignmentKind.DEMO, "demo")):
        upstream_ids = [lic.license_id for lic in sandbox.state.licenses if lic.kind == vendor_kind]
        assert len(upstream_ids) == len(set(upstream_ids))
        local = LicenseAssignment.objects.filter(kind=kind)
        active_ids = list(
            local.filter(status=AssignmentStatus.ACTIVE).values_list("license_id", flat=True)
        )
        assert len(active_ids) == len(set(active_ids)), "a licence recorded twice"
        assert set(active_ids) <= set(upstream_ids), "an ACTIVE assignment the vendor lacks"
        unexplained = set(upstream_ids) - set(active_ids)
        unknown = local.filter(status=AssignmentStatus.UNKNOWN).count()
        assert len(unexplained) <= unknown, (
            f"{len(unexplained)} {kind} licence(s) at the vendor with no local record "
            f"({unknown} unknown)"
        )
        assert not local.filter(status=AssignmentStatus.PENDING).exists(), "left PENDING"
    paid_upstream = sum(1 for lic in sandbox.state.licenses if lic.kind == "paid")
    assert sandbox.state.assign_deductions == paid_upstream


def seed_licence(sandbox, customer_code: int = 1001, code: str = "CL-Q-A005-M12") -> str:
    """A paid licence that exists at the vendor (bought outside this test); its id."""
    lic = sandbox.state.assign(
        customer_code=customer_code,
        item=catalogue.ITEMS[code],
        license_info="Seeded",
        currency_code="EUR",
    )
    return lic.license_id
