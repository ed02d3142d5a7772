"""Every vendor fault × every action, through the services.

Each case ends in the right state (assignment status, renewal, customer), with exactly one
audit row for the attempt, within the deadline, and with the books balanced: every
licence the vendor created matches exactly one ACTIVE or UNKNOWN assignment.
"""

import pytest

from licensing import selectors, services, upstream
from licensing.models import (
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
    Renewal,
)
from licensing.upstream.sandbox.state import RENEWAL_ENABLED, RENEWAL_SUSPENDED
from tests.factories import assignment_factory, customer_factory
from tests.faults.conftest import (
    FAULTS,
    PROCESSED,
    REFUSAL_MESSAGE,
    Timer,
    assert_books_balance,
    seed_licence,
    within_deadline,
)

CODE = "CL-Q-A005-M12"
ALL_FAULTS = pytest.mark.parametrize("fault", list(FAULTS))
# The vendor said no, clearly: nothing happened upstream, and the assignment failed.
CLEAR_REFUSALS = {"status401", "refused405", "validation500"}


@pytest.fixture
def customer(db):
    return customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="it")


def only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [(e.action, e.outcome, e.message) for e in events]
    return events[0]


def write_expectation(fault: str) -> tuple[str, str, str]:
    """(assignment status, audit outcome, outcome level) for a paid licence or a demo."""
    if fault in CLEAR_REFUSALS:
        return AssignmentStatus.FAILED, AuditOutcome.FAILED, "error"
    # Timeouts, dropped connections, 5xx and unreadable answers: the vendor may have acted.
    return AssignmentStatus.UNKNOWN, AuditOutcome.UNKNOWN, "warning"


# --- paid licence ------------------------------------------------------------------------


@ALL_FAULTS
def test_license_assign_settles_every_fault(fault, vendor, inject, sales_meta, customer, token):
    inject(fault, "assign")

    with Timer() as timer:
        outcome = services.license_assign(
            meta=sales_meta, customer=customer, license_code=CODE, license_info="HQ", token=token
        )

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    status, audit_outcome, level = write_expectation(fault)
    assignment = LicenseAssignment.objects.get()
    assert assignment.status == status
    assert outcome.level == level and outcome.assignment.pk == assignment.pk
    event = only_event(AuditAction.LICENSE_ASSIGN)
    assert event.outcome == audit_outcome
    assert event.assignment_id == assignment.pk
    assert event.request_id == "fault-req-0001" and event.actor_username == "fault-sally"
    assert event.endpoint == "assign"
    assert vendor.state.assign_deductions == (1 if fault in PROCESSED else 0)
    assert_books_balance(vendor)
    if status == AssignmentStatus.UNKNOWN:
        assert "Do not assign again" in outcome.message
    if fault == "refused405":
        assert REFUSAL_MESSAGE in outcome.message
    if fault == "validation500":
        assert outcome.field_errors == {"customer_code": ["The selected customer code is invalid."]}

    # Submitting the same form again never calls the vendor a second time.
    calls = vendor.state.requests["assign"]
    again = services.license_assign(
        meta=sales_meta, customer=customer, license_code=CODE, license_info="HQ", token=token
    )
    assert again.duplicate and vendor.state.requests["assign"] == calls
    assert LicenseAssignment.objects.count() == 1


# --- demo --------------------------------------------------------------------------------


@ALL_FAULTS
def test_demo_assign_settles_every_fault(fault, vendor, inject, sales_meta, customer, token):
    inject(fault, "demo")

    with Timer() as timer:
        outcome = services.demo_assign(meta=sales_meta, customer=customer, token=token)

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    status, audit_outcome, level = write_expectation(fault)
    assignment = LicenseAssignment.objects.get()
    assert assignment.status == status and outcome.level == level
    event = only_event(AuditAction.DEMO_ASSIGN)
    assert event.outcome == audit_outcome and event.assignment_id == assignment.pk
    assert vendor.state.demo_counts.get(1001, 0) == (1 if fault in PROCESSED else 0)
    assert_books_balance(vendor)


# --- renewals ----------------------------------------------------------------------------


def renewal_expectation(fault: str) -> tuple[bool, str]:
    """(renewal changed here, audit outcome) for suspend and resume.

    A 405 is "already suspended" only when the vendor says so (see test_renewals); the
    fault's 405 says something else, so nothing changes here.
    """
    if fault in CLEAR_REFUSALS:
        return False, AuditOutcome.FAILED
    return False, AuditOutcome.UNKNOWN


@ALL_FAULTS
def test_renewal_suspend_settles_every_fault_and_a_retry_converges(
    fault, vendor, inject, sales_meta, customer, monkeypatch
):
    license_id = seed_licence(vendor)
    assignment = assignment_factory(customer=customer, license_id=license_id)
    inject(fault, "suspend")

    with Timer() as timer:
        outcome = services.renewal_suspend(meta=sales_meta, assignment=assignment, reason="Closing")

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    changed, audit_outcome = renewal_expectation(fault)
    assignment.refresh_from_db()
    assert assignment.renewal == (Renewal.SUSPENDED if changed else Renewal.ON)
    assert assignment.status == AssignmentStatus.ACTIVE
    assert outcome.ok is changed
    assert only_event(AuditAction.RENEWAL_SUSPEND).outcome == audit_outcome
    upstream_renewal = vendor.state.license(license_id).renewal
    assert upstream_renewal == (RENEWAL_SUSPENDED if fault in PROCESSED else RENEWAL_ENABLED)

    # Suspending is idempotent upstream: trying again (vendor healthy) converges.
    monkeypatch.undo()
    retry = services.renewal_suspend(meta=sales_meta, assignment=assignment, reason="Closing")
    assignment.refresh_from_db()
    assert retry.ok and assignment.renewal == Renewal.SUSPENDED
    assert vendor.state.license(license_id).renewal == RENEWAL_SUSPENDED


@ALL_FAULTS
def test_renewal_resume_settles_every_fault_and_a_retry_converges(
    fault, vendor, inject, sales_meta, customer, monkeypatch
):
    license_id = seed_licence(vendor)
    vendor.state.set_renewal(license_id, RENEWAL_SUSPENDED)
    assignment = assignment_factory(
        customer=customer, license_id=license_id, renewal=Renewal.SUSPENDED
    )
    inject(fault, "enable")

    with Timer() as timer:
        outcome = services.renewal_resume(meta=sales_meta, assignment=assignment)

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    changed, audit_outcome = renewal_expectation(fault)
    assignment.refresh_from_db()
    assert assignment.renewal == (Renewal.ON if changed else Renewal.SUSPENDED)
    assert outcome.ok is changed
    assert only_event(AuditAction.RENEWAL_RESUME).outcome == audit_outcome
    upstream_renewal = vendor.state.license(license_id).renewal
    assert upstream_renewal == (RENEWAL_ENABLED if fault in PROCESSED else RENEWAL_SUSPENDED)

    monkeypatch.undo()
    retry = services.renewal_resume(meta=sales_meta, assignment=assignment)
    assignment.refresh_from_db()
    assert vendor.state.license(license_id).renewal == RENEWAL_ENABLED
    if fault not in PROCESSED:
        assert retry.ok and assignment.renewal == Renewal.ON
        return
    # The lost answer was a yes, and the vendor answers the retry with its documented 405
    # ("License already suspended."), which proves nothing: the portal changes nothing
    # and tells staff to check at FlashStart (it has no way to read the renewal state).
    assert not retry.ok and assignment.renewal == Renewal.SUSPENDED
    assert "Check the licence in the FlashStart customer area" in retry.message


@pytest.mark.parametrize(
    ("service", "endpoint"), [("renewal_suspend", "suspend"), ("renewal_resume", "enable")]
)
def test_a_proxys_405_on_a_renewal_change_changes_nothing_here(
    vendor, sales_meta, customer, service, endpoint
):
    license_id = seed_licence(vendor)
    renewal = Renewal.ON if endpoint == "suspend" else Renewal.SUSPENDED
    if endpoint == "enable":
        vendor.state.set_renewal(license_id, RENEWAL_SUSPENDED)
    assignment = assignment_factory(customer=customer, license_id=license_id, renewal=renewal)
    vendor.add_fault(endpoint, "proxy405")
    options = {"reason": "Closing"} if endpoint == "suspend" else {}

    outcome = getattr(services, service)(meta=sales_meta, assignment=assignment, **options)

    assignment.refresh_from_db()
    assert not outcome.ok and assignment.renewal == renewal
    event = only_event(
        AuditAction.RENEWAL_SUSPEND if endpoint == "suspend" else AuditAction.RENEWAL_RESUME
    )
    assert event.outcome == AuditOutcome.FAILED and event.http_status == 405
    assert "Check the licence in the FlashStart customer area" in outcome.message
    # and it is safe to try again once the way to FlashStart is clear
    retry = getattr(services, service)(meta=sales_meta, assignment=assignment, **options)
    assignment.refresh_from_db()
    assert retry.ok and assignment.renewal != renewal


# --- catalogue (a read: retried within the deadline when that is safe) ---------------------

CATALOGUE_ERRORS = {
    "timeout_before": upstream.Unavailable,
    "timeout_after": upstream.Unavailable,
    "reset_before": upstream.Unavailable,
    "reset_after": upstream.Unavailable,
    "html502": None,  # a gateway error on a read is retried, and the retry succeeds
    "invalid_json": upstream.UnreadableAnswer,
    "status401": upstream.KeyRejected,
    "refused405": upstream.Refused,
    "validation500": upstream.ValidationFailed,
    "status500": upstream.Unavailable,
    "slow": upstream.Unavailable,
    "retry_after": upstream.Unavailable,  # 99999 s is past the deadline: give up, now
}


@ALL_FAULTS
def test_catalogue_fails_cleanly_and_caches_no_failure(
    fault, vendor, inject, customer, monkeypatch
):
    inject(fault, "available")
    filters = selectors.CatalogueFilters()

    with Timer() as timer:
        try:
            licenses = selectors.catalogue(customer=customer, filters=filters)
            error = None
        except upstream.UpstreamError as exc:
            error = exc

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    expected = CATALOGUE_ERRORS[fault]
    if expected is None:
        assert error is None and licenses
        return
    assert type(error) is expected, repr(error)
    assert str(error)  # a message a salesperson can read
    if fault == "retry_after":
        assert timer.elapsed < 1.0  # did not sleep on the vendor's say-so

    # A failure is not cached: once the vendor is healthy again, the page works.
    monkeypatch.undo()
    vendor.clear_faults()
    calls = vendor.state.requests["available"]
    assert selectors.catalogue(customer=customer, filters=filters)
    assert vendor.state.requests["available"] == calls + 1


# --- registering an existing customer (the catalogue doubles as the existence check) ------


def register_expectation(fault: str) -> str | None:
    if fault == "html502":
        return None  # retried read: registered
    if fault == "validation500":
        return AuditOutcome.INVALID  # "FlashStart does not know customer code ..."
    if fault == "status401":
        return AuditOutcome.FAILED
    return AuditOutcome.ERROR


@ALL_FAULTS
def test_customer_register_under_every_fault(fault, vendor, inject, sales_meta):
    inject(fault, "available")

    with Timer() as timer:
        try:
            services.customer_register(meta=sales_meta, customer_code=1002, name="Bäckerei Müller")
            error = None
        except services.InputInvalid as exc:
            error = exc

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    event = only_event(AuditAction.CUSTOMER_REGISTER)
    expected = register_expectation(fault)
    if expected is None:
        assert error is None and event.outcome == AuditOutcome.SUCCESS
        assert Customer.objects.filter(customer_code=1002).exists()
        return
    assert error is not None and event.outcome == expected
    assert not Customer.objects.filter(customer_code=1002).exists()
    if fault == "validation500":
        assert "does not know customer code 1002" in " ".join(error.errors["customer_code"])
    else:
        assert error.errors["__all__"]


# --- creating a customer at the vendor ----------------------------------------------------

NEW_PASSWORD = "Fault-Matrix-Pw-7f3a"


def create_expectation(fault: str) -> str:
    if fault in ("status401", "validation500"):
        return AuditOutcome.FAILED
    if fault == "refused405":
        return AuditOutcome.ERROR  # refused: nothing was created
    return AuditOutcome.UNKNOWN  # may have been created: staff are told to check


@ALL_FAULTS
def test_customer_create_under_every_fault(fault, vendor, inject, sales_meta):
    vendor_customers = len(vendor.state.customers())
    inject(fault, "customer_new")

    with Timer() as timer, pytest.raises(services.InputInvalid) as caught:
        services.customer_create(
            meta=sales_meta,
            email="nuovo@example.com",
            password=NEW_PASSWORD,
            customer_name="Nuovo",
            country_code="IT",
            industry_code="1",
            company_name="Nuovo SRL",
        )

    assert within_deadline(timer.elapsed, calls=2), f"{fault}: {timer.elapsed:.2f}s"
    event = only_event(AuditAction.CUSTOMER_CREATE)
    assert event.outcome == create_expectation(fault)
    assert caught.value.errors
    assert not Customer.objects.filter(email="nuovo@example.com").exists()
    created_upstream = len(vendor.state.customers()) - vendor_customers
    assert created_upstream == (1 if fault in PROCESSED else 0)
    for field in ("message", "sent", "answer"):
        assert NEW_PASSWORD not in getattr(event, field)
    if event.outcome == AuditOutcome.UNKNOWN:
        assert "check the FlashStart customer area" in " ".join(caught.value.errors["__all__"])


# --- the customer's dashboard link ---------------------------------------------------------


@ALL_FAULTS
def test_dashboard_link_under_every_fault(fault, vendor, inject, sales_meta, customer):
    inject(fault, "auth_token")

    with Timer() as timer, pytest.raises(services.InputInvalid) as caught:
        services.dashboard_link(meta=sales_meta, customer=customer)

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    event = only_event(AuditAction.DASHBOARD_OPEN)
    if fault == "status401":
        assert event.outcome == AuditOutcome.FAILED
    else:
        assert event.outcome in (AuditOutcome.FAILED, AuditOutcome.ERROR)
    assert caught.value.errors["__all__"]
    # Whatever came back (a truncated or late token), no token reaches the trail.
    assert "%3D" not in event.answer and 'token": "' not in event.answer.replace(
        '"token": "[redacted]"', ""
    )


def test_dashboard_link_token_never_reaches_the_trail(vendor, sales_meta, customer):
    url = services.dashboard_link(meta=sales_meta, customer=customer)
    token = url.split("auth_token=", 1)[1]

    event = only_event(AuditAction.DASHBOARD_OPEN)
    assert event.outcome == AuditOutcome.SUCCESS
    for field in ("message", "sent", "answer"):
        assert token not in getattr(event, field)
