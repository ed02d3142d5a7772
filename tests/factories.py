"""Plain factory functions for test data: sensible defaults, override anything by keyword."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from licensing import audit, roles
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
    Renewal,
)

_numbers = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def user_factory(*, groups=(roles.SALES,), username=None, password=PASSWORD, **fields):
    """A user in `groups` (Sales by default; pass groups=[] for a user with no role)."""
    username = username or f"user{next(_numbers)}"
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def customer_factory(**fields) -> Customer:
    """A registered customer. Codes 1001-1006 are the sandbox's seed customers."""
    number = next(_numbers)
    values = {
        "customer_code": 900_000 + number,
        "name": f"Customer {number}",
        "email": f"customer{number}@example.com",
        "language": "en",
    }
    values.update(fields)
    return Customer.objects.create(**values)


def assignment_factory(*, customer=None, **fields) -> LicenseAssignment:
    """An active paid licence, renewing, expiring in a year (override to taste)."""
    number = next(_numbers)
    today = timezone.localdate()
    values = {
        "customer": customer or customer_factory(),
        "kind": AssignmentKind.PAID,
        "license_code": "CL-Q-A005-M12",
        "license_name": "Business Filter License",
        "license_info": "Headquarter",
        "license_id": str(50_000 + number),
        "status": AssignmentStatus.ACTIVE,
        "renewal": Renewal.ON,
        "start_date": today,
        "expiry_date": today + timedelta(days=365),
        "amount": Decimal("50.00"),
        "quoted_amount": Decimal("50.00"),
        "currency": "EUR",
        "points": Decimal("0.5"),
    }
    values.update(fields)
    if values["status"] != AssignmentStatus.ACTIVE and "license_id" not in fields:
        values["license_id"] = None
    return LicenseAssignment.objects.create(**values)


# --- compact makers used by the managers' tests -------------------------------------------

_codes = itertools.count(700_001)
_license_ids = itertools.count(1)


def make_customer(**fields) -> Customer:
    code = fields.pop("customer_code", None) or next(_codes)
    return Customer.objects.create(
        customer_code=code, name=fields.pop("name", f"Customer {code}"), **fields
    )


def make_assignment(customer=None, **fields) -> LicenseAssignment:
    customer = customer or make_customer()
    status = fields.pop("status", AssignmentStatus.ACTIVE)
    kind = fields.pop("kind", AssignmentKind.PAID)
    defaults = {
        "license_code": "FS-1Y" if kind == AssignmentKind.PAID else "demo",
        "license_name": "FlashStart 1 year",
        "currency": "EUR",
    }
    if status == AssignmentStatus.ACTIVE:
        defaults.update(
            license_id=f"LIC-{next(_license_ids)}",
            start_date=timezone.localdate(),
            expiry_date=timezone.localdate() + timedelta(days=365),
            amount=Decimal("12.50") if kind == AssignmentKind.PAID else None,
        )
    defaults.update(fields)
    return LicenseAssignment.objects.create(customer=customer, kind=kind, status=status, **defaults)


def make_events(n: int, **fields) -> list[AuditEvent]:
    fields.setdefault("action", AuditAction.LOGIN)
    fields.setdefault("outcome", AuditOutcome.SUCCESS)
    message = fields.pop("message", "event")
    return [audit.record(meta=None, message=f"{message} {i}", **fields) for i in range(n)]
