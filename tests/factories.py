"""Plain factory functions for test data: sensible defaults, override anything by keyword."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from licensing import roles
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
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
