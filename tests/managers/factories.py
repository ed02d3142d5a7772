"""Small factories for customers, assignments and audit rows."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from licensing import audit
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
)

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
