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
from django.utils.translation import gettext_lazy

from licensing import audit, texts
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditOutcome,
    LicenseAssignment,
)
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
        meta=meta,
        what=gettext_lazy("resolve unknown outcomes"),
        action=action,
        customer_code=customer_code,
    )
    license_id = (license_id or "").strip()
    note = (note or "").strip()
    currency = (currency or assignment.currency or "").strip().upper()
    errors: dict[str, list[texts.StrOrPromise]] = {}
    if not assignment.is_resolvable:
        errors["__all__"] = [
            gettext_lazy("Only an assignment whose outcome is unknown can be resolved.")
        ]
    elif not failed:
        if not LICENSE_ID_RE.match(license_id):
            errors["license_id"] = [
                gettext_lazy("Enter the licence id shown in the FlashStart customer area.")
            ]
        if amount is not None and not safekeeping.storable(amount):
            errors["amount"] = [
                gettext_lazy("Enter the amount FlashStart deducted, such as 12.50.")
            ]
        if amount is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            errors["currency"] = [gettext_lazy("Enter the currency of the amount, such as EUR.")]
        if start_date and expiry_date and expiry_date < start_date:
            errors["expiry_date"] = [gettext_lazy("The expiry date is before the start date.")]
    if not note:
        errors["note"] = [
            gettext_lazy("Say how you checked (for example who at FlashStart confirmed it).")
        ]
    if errors:
        raise _refuse(meta, assignment, errors)

    fields: dict[str, Any] = {
        "resolved_by_id": getattr(meta.user, "pk", None),
        "resolution_note": note[:2000],
    }
    message: texts.StrOrPromise
    if failed:
        status, message = (
            AssignmentStatus.FAILED,
            gettext_lazy("Resolved as not assigned (failed)."),
        )
    else:
        status = AssignmentStatus.ACTIVE
        fields["license_id"] = license_id
        given = {"start_date": start_date, "expiry_date": expiry_date, "amount": amount}
        fields.update({name: value for name, value in given.items() if value is not None})
        if amount is not None:
            fields["currency"] = currency
        message = texts.message(
            _RESOLVED_AS_ASSIGNED[(amount is not None, bool(expiry_date))],
            license_id=license_id,
            amount=texts.money(amount, currency),
            expiry=texts.day(expiry_date),
        )
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
                    message=texts.english(
                        gettext_lazy("%(message)s Note: %(note)s"), message=message, note=note
                    ),
                )
                rollups.rollup_record(assignment=assignment)
    except IntegrityError:
        if assignment.kind == AssignmentKind.DEMO:
            taken = gettext_lazy("Licence %(license_id)s is already recorded on another demo.")
        else:
            taken = gettext_lazy(
                "Licence %(license_id)s is already recorded on another paid licence."
            )
        errors = {"license_id": [texts.message(taken, license_id=license_id)]}
        raise _refuse(meta, assignment, errors) from None
    if not updated:
        errors = {"__all__": [gettext_lazy("Someone else settled this assignment already.")]}
        raise _refuse(meta, assignment, errors)
    assignment.refresh_from_db()
    return ActionOutcome(level="success", message=message, assignment=assignment)


# Resolved as assigned, by what the manager gave: (an amount, an expiry date).
_RESOLVED_AS_ASSIGNED = {
    (False, False): gettext_lazy("Resolved as assigned, licence %(license_id)s."),
    (True, False): gettext_lazy(
        "Resolved as assigned, licence %(license_id)s, %(amount)s deducted."
    ),
    (False, True): gettext_lazy(
        "Resolved as assigned, licence %(license_id)s, valid until %(expiry)s."
    ),
    (True, True): gettext_lazy(
        "Resolved as assigned, licence %(license_id)s, %(amount)s deducted, valid until %(expiry)s."
    ),
}


def _refuse(
    meta: audit.RequestMeta,
    assignment: LicenseAssignment,
    errors: dict[str, list[texts.StrOrPromise]],
) -> InputInvalid:
    return settling.refuse(
        meta=meta,
        action=AuditAction.ASSIGNMENT_RESOLVE,
        errors=errors,
        customer_code=assignment.customer.customer_code,
        assignment=assignment,
    )
