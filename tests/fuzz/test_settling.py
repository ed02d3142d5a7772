"""Whatever a successful-looking vendor answer holds, a paid assignment is settled: never
left PENDING, never a 500, one audit row, and what is stored is what the vendor said.

The client's parsers accept an answer; the database must then be able to hold it (a
licence id longer than the column, an amount with more digits than the column). If it
cannot, the purchase happened upstream: the answer is kept as the vendor wrote it, and the
sale is "outcome unknown" (no storable licence id) or flagged for a manager (an amount
that cannot be stored), never lost in an exception.
"""

import json
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from licensing import audit, roles, services
from licensing.models import AssignmentStatus, AuditAction, AuditEvent, LicenseAssignment
from tests.factories import customer_factory, user_factory
from tests.upstream import faultserver as fs

FUZZ = hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

AMOUNTS = st.one_of(
    st.decimals(min_value=0, max_value=10**6, places=2).map(str),
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["0.5", "5", 5, 0.1, "1e3", " 7.50 "]),
)
IDS = st.one_of(
    st.integers(min_value=1, max_value=10**12).map(str),
    st.from_regex(r"[A-Za-z0-9-]{1,40}", fullmatch=True),
    st.integers(min_value=1, max_value=10**12),
)
DATES = st.dates().map(str)


@pytest.fixture(scope="module")
def vendor_server():
    started = fs.FaultServer()
    yield started
    started.close()


@pytest.fixture
def fuzz_vendor(settings, vendor_server, db):
    settings.FLASHSTART_API_URL = vendor_server.url
    settings.FLASHSTART_API_KEY = "settle-fuzz-key-1234"
    settings.FLASHSTART_TIMEOUT = 1.0
    settings.FLASHSTART_BREAKER = {"FAILURES": 10_000, "COOLDOWN": 1}
    return vendor_server


@pytest.fixture
def meta(db):
    user = user_factory(groups=[roles.SALES], username="settle-sally")
    return audit.RequestMeta(user=user, ip="127.0.0.1", request_id="settle-fuzz-0001")


@pytest.fixture
def customer(db):
    return customer_factory(customer_code=1001)


def settle_one(server, meta, customer, content) -> LicenseAssignment:
    server.script(fs.reply(200, json.dumps({"code": 200, "content": content}).encode()))
    token = uuid.uuid4()
    # A licence code of its own each time: a second purchase of one code would be held.
    code = f"CL-FUZZ-{token.hex[:12]}"
    services.license_assign(
        meta=meta, customer=customer, license_code=code, license_info="HQ", token=token
    )
    assignment = LicenseAssignment.objects.get(token=token)
    assert assignment.status != AssignmentStatus.PENDING
    events = AuditEvent.objects.filter(
        action=AuditAction.LICENSE_ASSIGN, assignment_id=assignment.pk
    )
    assert events.count() == 1
    return assignment


@FUZZ
@given(
    license_id=IDS,
    start=DATES,
    expiry=DATES,
    amount=AMOUNTS,
    currency=st.sampled_from(["EUR", "USD", "EUR€", "chf"]),
)
@example(license_id="13343", start="2022-01-18", expiry="2022-01-31", amount=5, currency="EUR")
def test_a_parsed_answer_is_stored_as_the_vendor_gave_it(
    fuzz_vendor, meta, customer, license_id, start, expiry, amount, currency
):
    content = {
        "customer": "Rossi",
        "license_id": license_id,
        "start_date": start,
        "expiry_date": expiry,
        "deducted_amount": amount,
        "currency_code": currency,
    }
    # Reusing a paid licence id the portal already holds is the vendor's error: unknown.
    duplicate = LicenseAssignment.objects.filter(
        kind="paid", license_id=str(license_id).strip()
    ).exists()

    assignment = settle_one(fuzz_vendor, meta, customer, content)

    if duplicate:
        assert assignment.status == AssignmentStatus.UNKNOWN
        return
    assert assignment.status == AssignmentStatus.ACTIVE
    assert assignment.license_id == str(license_id).strip()
    assert str(assignment.start_date) == start and str(assignment.expiry_date) == expiry
    assert assignment.currency == currency[:3].upper()
    assert assignment.amount == Decimal(str(amount).strip())


HOSTILE = [
    pytest.param({"license_id": "9" * 65}, id="a licence id longer than the column"),
    pytest.param({"deducted_amount": 10**13}, id="an amount with more digits than the column"),
    pytest.param({"deducted_amount": "0.001"}, id="an amount with more decimals than the column"),
]


@pytest.mark.parametrize("bent", HOSTILE)
def test_a_value_the_database_cannot_hold_leaves_the_outcome_unknown(
    fuzz_vendor, meta, customer, bent
):
    content = {
        "customer": "Rossi",
        "license_id": "13343",
        "start_date": "2022-01-18",
        "expiry_date": "2022-01-31",
        "deducted_amount": 5,
        "currency_code": "EUR",
        **bent,
    }

    assignment = settle_one(fuzz_vendor, meta, customer, content)

    # What the vendor said is kept as it said it, whatever the columns hold.
    kept = assignment.vendor_answer
    assert kept.license_id == str(content["license_id"])
    assert kept.amount == str(content["deducted_amount"])
    # ACTIVE only with the very licence id; a stored amount is exactly the vendor's, and an
    # amount that cannot be stored is left empty and flagged, never rounded silently.
    assert assignment.status in (AssignmentStatus.UNKNOWN, AssignmentStatus.ACTIVE)
    if assignment.status == AssignmentStatus.ACTIVE:
        assert assignment.license_id == str(content["license_id"])
        if assignment.amount is not None:
            assert assignment.amount == Decimal(str(content["deducted_amount"]))
        else:
            assert assignment.needs_review and "cannot store" in assignment.review_note
