"""A portal with something on every page, for the browser walk and the screenshots: the
sandbox's seed customers, a manager, licences in every state, and audit rows of every kind
(a refusal with field errors, a code that is not registered here, a vendor call)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

MANAGER = {"username": "mia", "first_name": "Mia", "last_name": "Manager"}


def populate() -> dict:
    """Fill the database (the `portal` fixture's salesperson and Rossi exist already).

    Returns the objects the callers look for: the manager, and Rossi's licences by state.
    """
    from licensing import audit, roles
    from licensing.models import AuditAction, AuditOutcome, Customer
    from licensing.upstream.sandbox import catalogue
    from tests.factories import assignment_factory, customer_factory, user_factory

    manager = user_factory(groups=[roles.MANAGERS], **MANAGER)
    for seed in catalogue.SEED_CUSTOMERS[1:]:
        customer_factory(
            customer_code=seed["customer_code"],
            name=seed["name"],
            email=seed["email"],
            language=seed["lang"],
        )
    # Enough for every list to have a second page (customers, a timeline, the trail),
    # older than what the pages should show first.
    meta = audit.RequestMeta(user=manager)
    for _ in range(24):
        customer_factory()
    for _ in range(20):
        audit.record(
            meta=meta,
            action=AuditAction.DASHBOARD_OPEN,
            outcome=AuditOutcome.SUCCESS,
            customer_code=1001,
            message="One-time link to the customer's FlashStart dashboard issued to the "
            "browser (valid 15 minutes; the link itself is not kept).",
        )
    for _ in range(30):
        audit.record(meta=meta, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)

    rossi = Customer.objects.get(customer_code=1001)
    today = timezone.localdate()
    suspended = assignment_factory(
        customer=rossi,
        license_code="CL-Q-S100-M12",
        license_name="School Filter License",
        license_info="Lab building",
        renewal="suspended",
        amount=Decimal("187.50"),
        start_date=today - timedelta(days=340),
        expiry_date=today + timedelta(days=25),
    )
    monthly = assignment_factory(
        customer=rossi,
        license_code="CL-Q-A010-M1",
        license_name="Business Filter License",
        license_info="Front office",
        amount=Decimal("10.00"),
        start_date=today - timedelta(days=20),
        expiry_date=today + timedelta(days=10),
    )
    demo = assignment_factory(
        customer=rossi,
        kind="demo",
        license_code="CL-DEMO",
        license_name="Internet Protection Trial DEMO",
        license_info="",
        amount=None,
        quoted_amount=None,
        currency="",
        expiry_date=today + timedelta(days=9),
    )
    unknown = assignment_factory(
        customer=rossi,
        status="unknown",
        license_code="CL-Q-A010-M12",
        license_name="Business Filter License",
        license_info="Warehouse",
        quoted_amount=Decimal("100.00"),
        amount=None,
        start_date=None,
        expiry_date=None,
    )
    chf = assignment_factory(
        customer=Customer.objects.get(customer_code=1002),
        license_code="CL-Q-A005-M1",
        license_name="Business Filter License",
        license_info="Backstube",
        amount=Decimal("4.71"),
        quoted_amount=Decimal("4.71"),
        currency="CHF",
    )
    # What the trail says about these, as the services would have written it.
    audit.record(
        meta=meta,
        action=AuditAction.RENEWAL_SUSPEND,
        outcome=AuditOutcome.SUCCESS,
        customer_code=1001,
        assignment=suspended,
        message="Renewal suspended: the licence stays active until its expiry, then stops. "
        "Reason: the school is reviewing its budget",
    )
    audit.record(
        meta=meta,
        action=AuditAction.LICENSE_ASSIGN,
        outcome=AuditOutcome.INVALID,
        customer_code=1001,
        # Written before the services named fields by their labels.
        message="Refused input: license_info: Use only letters, numbers, dashes and spaces "
        "(at most 100 characters).; __all__: Check the price again.",
    )
    audit.record(
        meta=meta,
        action=AuditAction.CUSTOMER_REGISTER,
        outcome=AuditOutcome.INVALID,
        customer_code=999_999,
        message="Refused: FlashStart customer code: FlashStart does not know customer code "
        "999999. Check the code in the FlashStart customer area.",
    )
    return {
        "manager": manager,
        "rossi": rossi,
        "suspended": suspended,
        "monthly": monthly,
        "demo": demo,
        "unknown": unknown,
        "chf": chf,
    }
