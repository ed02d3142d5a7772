"""Resolving an assignment whose outcome is unknown, once a manager checked the vendor.

The manager sees the vendor's answer when one was kept (`LicenseAssignment.vendor_answer`)
and records what FlashStart shows: assigned, with the licence id, dates, amount and
currency (so that reports count the spend), or failed. One update and one audit row in
one transaction; only a row still UNKNOWN (or stale PENDING) changes.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing import audit, formatting
from licensing.models import AssignmentStatus, AuditAction, AuditOutcome, LicenseAssignment
from licensing.services import access, rollups, safekeeping, settling
from licensing.services.outcomes import ActionOutcome, InputInvalid

LICENSE_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def assignment_resolve(
    *,
    meta: audit.RequestMeta,
    assignment: LicenseAssignment,
    license_id: str = "",
    failed: bool = False,
    note: str = "",
    expiry_date: date | None = None,
    start_date: date | None = None,
    amount: Decimal | None = None,
    currency: str = "",
) -> ActionOutcome:
    """Settle an assignment whose outcome is unknown, after a manager checked the vendor.

    Either as assigned (with the vendor's licence id, and the dates, amount and currency
    it shows, so that reports count the spend) or as failed. Managers only.
    """
    action = AuditAction.ASSIGNMENT_RESOLVE
    customer_code = assignment.customer.customer_code
    access.require_manager(
        meta=meta, what="resolve unknown outcomes", action=action, customer_code=customer_code
    )
    license_id = (license_id or "").strip()
    note = (note or "").strip()
    currency = (currency or assignment.currency or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not assignment.is_resolvable:
        errors["__all__"] = ["Only an assignment whose outcome is unknown can be resolved."]
    elif not failed:
        if not LICENSE_ID_RE.match(license_id):
            errors["license_id"] = ["Enter the licence id shown in the FlashStart customer area."]
        if amount is not None and not safekeeping.storable(amount):
            errors["amount"] = ["Enter the amount FlashStart deducted, such as 12.50."]
        if amount is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            errors["currency"] = ["Enter the currency of the amount, such as EUR."]
        if start_date and expiry_date and expiry_date < start_date:
            errors["expiry_date"] = ["The expiry date is before the start date."]
    if not note:
        errors["note"] = ["Say how you checked (for example who at FlashStart confirmed it)."]
    if errors:
        raise _refuse(meta, assignment, errors)

    fields: dict[str, Any] = {
        "resolved_by_id": getattr(meta.user, "pk", None),
        "resolution_note": note[:2000],
    }
    if failed:
        status, message = AssignmentStatus.FAILED, "Resolved as not assigned (failed)."
    else:
        status = AssignmentStatus.ACTIVE
        message = f"Resolved as assigned, licence {license_id}"
        fields["license_id"] = license_id
        given = {"start_date": start_date, "expiry_date": expiry_date, "amount": amount}
        fields.update({name: value for name, value in given.items() if value is not None})
        if amount is not None:
            fields["currency"] = currency
            message += f", {formatting.money(amount, currency)} deducted"
        if expiry_date:
            message += f", valid until {formatting.day(expiry_date)}"
        message += "."
    try:
        with transaction.atomic():
            updated = LicenseAssignment.objects.filter(
                pk=assignment.pk, status__in=[AssignmentStatus.UNKNOWN, AssignmentStatus.PENDING]
            ).update(status=status, settled_at=timezone.now(), updated_at=timezone.now(), **fields)
            if updated:
                audit.record(
                    meta=meta,
                    action=action,
                    outcome=AuditOutcome.SUCCESS,
                    customer_code=customer_code,
                    assignment=assignment,
                    message=f"{message} Note: {note}",
                )
                rollups.rollup_record(assignment=assignment)
    except IntegrityError:
        kind = assignment.get_kind_display().lower()
        errors = {"license_id": [f"Licence {license_id} is already recorded on another {kind}."]}
        raise _refuse(meta, assignment, errors) from None
    if not updated:
        errors = {"__all__": ["Someone else settled this assignment already."]}
        raise _refuse(meta, assignment, errors)
    assignment.refresh_from_db()
    return ActionOutcome(level="success", message=message, assignment=assignment)


def _refuse(
    meta: audit.RequestMeta, assignment: LicenseAssignment, errors: dict[str, list[str]]
) -> InputInvalid:
    return settling.refuse(
        meta=meta,
        action=AuditAction.ASSIGNMENT_RESOLVE,
        errors=errors,
        customer_code=assignment.customer.customer_code,
        assignment=assignment,
    )
