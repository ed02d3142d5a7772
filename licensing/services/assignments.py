"""Assigning paid licences and demos: the flows that cost the reseller money.

Record, call, settle: the PENDING row (carrying the form's one-time token under a unique
constraint) is committed before the vendor is called, the call runs outside any
transaction, and the outcome is saved together with its audit row. A second submit of
the same form finds the first row and never calls the vendor again.
"""

import re
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing import audit, formatting, upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditOutcome,
    Customer,
    Language,
    LicenseAssignment,
)
from licensing.services import access, settling
from licensing.services.outcomes import ActionOutcome, InputInvalid

LICENSE_INFO_RE = re.compile(r"^[^\W_]+(?:[\s-]+[^\W_]+)*[\s-]*$")
LICENSE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LICENSE_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
DEMO_LIMIT = 2


def license_assign(
    *,
    meta: audit.RequestMeta,
    customer: Customer,
    license_code: str,
    license_info: str,
    token: uuid.UUID,
    currency_code: str = "EUR",
    license_name: str = "",
    quoted_amount: Decimal | None = None,
    points: Decimal | None = None,
) -> ActionOutcome:
    """Buy a paid licence for `customer`, spending the reseller's prepaid credit.

    Returns the settled outcome (also for a repeated submit of the same token).
    Raises PermissionRefused or InputInvalid (both audited) before anything is recorded.
    """
    action = AuditAction.LICENSE_ASSIGN
    access.require_sales(
        meta=meta, what="assign licences", action=action, customer_code=customer.customer_code
    )
    license_code = (license_code or "").strip()
    license_info = " ".join((license_info or "").split())
    currency_code = (currency_code or "EUR").strip().upper()
    errors: dict[str, list[str]] = {}
    if not LICENSE_CODE_RE.match(license_code):
        errors["license_code"] = ["Choose a licence from the catalogue."]
    if not license_info:
        errors["license_info"] = ["Give the licence a label, such as “Headquarter”."]
    elif len(license_info) > 100 or not LICENSE_INFO_RE.match(license_info):
        errors["license_info"] = [
            "Use only letters, numbers, dashes and spaces (at most 100 characters)."
        ]
    if not re.fullmatch(r"[A-Z]{3}", currency_code):
        errors["currency_code"] = ["Choose a currency from the list."]
    if errors:
        raise _refuse(meta, action, customer, errors)

    assignment, created = _record_intent(
        token=token,
        customer=customer,
        kind=AssignmentKind.PAID,
        meta=meta,
        license_code=license_code,
        license_name=license_name[:255],
        license_info=license_info,
        quoted_amount=quoted_amount,
        currency=currency_code,
        points=points,
    )
    if not created:
        return _repeated_submit(meta, action, assignment, customer)

    try:
        result = upstream.get_client().license_assign(
            customer_code=customer.customer_code,
            license_code=license_code,
            license_info=license_info,
            currency_code=currency_code,
        )
    except upstream.UpstreamError as exc:
        return settling.assignment_failed(meta=meta, action=action, assignment=assignment, exc=exc)
    return settling.assignment_settle(
        meta=meta,
        action=action,
        assignment=assignment,
        status=AssignmentStatus.ACTIVE,
        outcome=AuditOutcome.SUCCESS,
        level="success",
        message=(
            f"Assigned {license_name or license_code} to {customer.name}: "
            f"{formatting.money(result.deducted_amount, result.currency)} deducted, "
            f"valid until {formatting.day(result.expiry_date)}."
        ),
        call=result.call,
        fields={
            "license_id": result.license_id,
            "start_date": result.start_date,
            "expiry_date": result.expiry_date,
            "amount": result.deducted_amount,
            "currency": result.currency,
        },
    )


def demo_assign(
    *, meta: audit.RequestMeta, customer: Customer, token: uuid.UUID, lang: str | None = None
) -> ActionOutcome:
    """Give `customer` a free trial licence (the vendor allows two per customer)."""
    action = AuditAction.DEMO_ASSIGN
    access.require_sales(
        meta=meta, what="assign demos", action=action, customer_code=customer.customer_code
    )
    lang = lang or customer.language
    used = LicenseAssignment.objects.filter(
        customer=customer, kind=AssignmentKind.DEMO, status=AssignmentStatus.ACTIVE
    ).count()
    if lang not in Language.values:
        errors = {"lang": ["Choose one of the listed languages."]}
    elif used >= DEMO_LIMIT:
        errors = {"__all__": [f"{customer.name} has already had {used} demos, FlashStart's limit."]}
    else:
        errors = {}
    if errors and not LicenseAssignment.objects.filter(token=token).exists():
        raise _refuse(meta, action, customer, errors)

    assignment, created = _record_intent(
        token=token, customer=customer, kind=AssignmentKind.DEMO, meta=meta, license_name="Demo"
    )
    if not created:
        return _repeated_submit(meta, action, assignment, customer)
    try:
        result = upstream.get_client().demo_assign(customer_code=customer.customer_code, lang=lang)
    except upstream.UpstreamError as exc:
        return settling.assignment_failed(meta=meta, action=action, assignment=assignment, exc=exc)
    return settling.assignment_settle(
        meta=meta,
        action=action,
        assignment=assignment,
        status=AssignmentStatus.ACTIVE,
        outcome=AuditOutcome.SUCCESS,
        level="success",
        message=(
            f"Demo assigned to {customer.name}, valid until {formatting.day(result.expiry_date)}."
        ),
        call=result.call,
        fields={
            "license_id": result.license_id,
            "license_code": result.version[:64],
            "license_name": result.license_name[:255],
            "start_date": timezone.localdate(),
            "expiry_date": result.expiry_date,
        },
    )


def assignment_resolve(
    *,
    meta: audit.RequestMeta,
    assignment: LicenseAssignment,
    license_id: str = "",
    failed: bool = False,
    note: str = "",
    expiry_date: date | None = None,
) -> ActionOutcome:
    """Settle an assignment whose outcome is unknown, after a manager checked the vendor.

    Either as assigned (with the vendor's licence id) or as failed. Managers only.
    """
    action = AuditAction.ASSIGNMENT_RESOLVE
    customer_code = assignment.customer.customer_code
    access.require_manager(
        meta=meta, what="resolve unknown outcomes", action=action, customer_code=customer_code
    )
    license_id = (license_id or "").strip()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if not assignment.is_resolvable:
        errors["__all__"] = ["Only an assignment whose outcome is unknown can be resolved."]
    elif not failed and not LICENSE_ID_RE.match(license_id):
        errors["license_id"] = ["Enter the licence id shown in the FlashStart customer area."]
    if not note:
        errors["note"] = ["Say how you checked (for example who at FlashStart confirmed it)."]
    if errors:
        raise _refuse(meta, action, assignment.customer, errors, assignment=assignment)

    fields = {"resolved_by_id": getattr(meta.user, "pk", None), "resolution_note": note[:2000]}
    if failed:
        status, message = AssignmentStatus.FAILED, "Resolved as not assigned (failed)."
    else:
        status, message = AssignmentStatus.ACTIVE, f"Resolved as assigned, licence {license_id}."
        fields["license_id"] = license_id
        if expiry_date:
            fields["expiry_date"] = expiry_date
    try:
        with transaction.atomic():
            updated = LicenseAssignment.objects.filter(
                pk=assignment.pk, status__in=[AssignmentStatus.UNKNOWN, AssignmentStatus.PENDING]
            ).update(status=status, settled_at=timezone.now(), updated_at=timezone.now(), **fields)
            if not updated:
                raise InputInvalid({"__all__": ["Someone else settled this assignment already."]})
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=customer_code,
                assignment=assignment,
                message=f"{message} Note: {note}",
            )
    except IntegrityError:
        errors = {
            "license_id": [f"Licence {license_id} is already recorded on another assignment."]
        }
        raise _refuse(meta, action, assignment.customer, errors, assignment=assignment) from None
    assignment.refresh_from_db()
    return ActionOutcome(level="success", message=message, assignment=assignment)


def resolvable(assignment: LicenseAssignment) -> bool:
    """Whether a manager may settle `assignment` by hand (`LicenseAssignment.is_resolvable`)."""
    return assignment.is_resolvable


# --- steps ------------------------------------------------------------------------------


def _record_intent(
    *,
    token: uuid.UUID,
    customer: Customer,
    kind: str,
    meta: audit.RequestMeta,
    **fields: Any,
) -> tuple[LicenseAssignment, bool]:
    """Commit a PENDING row for `token`, or return the row an earlier submit made."""
    try:
        with transaction.atomic():
            assignment = LicenseAssignment.objects.create(
                token=token,
                customer=customer,
                kind=kind,
                status=AssignmentStatus.PENDING,
                created_by=meta.user,
                **fields,
            )
        return assignment, True
    except IntegrityError:
        existing = LicenseAssignment.objects.select_related("customer").filter(token=token).first()
        if existing is None:  # the constraint that fired was not the token's
            raise
        return existing, False


def _repeated_submit(
    meta: audit.RequestMeta, action: str, assignment: LicenseAssignment, customer: Customer
) -> ActionOutcome:
    """A second submit of a form: wait briefly for the first to settle, then show its result."""
    if assignment.customer_id != customer.pk or assignment.kind != _kind_for(action):
        errors = {"__all__": ["This form was already used for something else. Reload the page."]}
        raise _refuse(meta, action, customer, errors)
    deadline = time.monotonic() + settings.FLASHSTART_TIMEOUT + 2
    while assignment.status == AssignmentStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        assignment.refresh_from_db()
    audit.record(
        meta=meta,
        action=action,
        outcome=AuditOutcome.DUPLICATE,
        customer_code=customer.customer_code,
        assignment=assignment,
        message="Repeated submit of the same form: the vendor was not called again.",
    )
    level, message = _describe(assignment)
    return ActionOutcome(level=level, message=message, assignment=assignment, duplicate=True)


def _kind_for(action: str) -> str:
    return AssignmentKind.DEMO if action == AuditAction.DEMO_ASSIGN else AssignmentKind.PAID


def _describe(assignment: LicenseAssignment) -> tuple[str, str]:
    if assignment.status == AssignmentStatus.ACTIVE:
        return "success", f"Already done: {assignment.license_name or 'licence'} is active."
    if assignment.status == AssignmentStatus.FAILED:
        return "error", f"This request already failed: {assignment.failure_message}"
    if assignment.status == AssignmentStatus.UNKNOWN:
        return "warning", settling.UNKNOWN_MESSAGE
    return "warning", "This request is still being processed. Do not submit it again."


def _refuse(
    meta: audit.RequestMeta,
    action: str,
    customer: Customer,
    errors: dict[str, list[str]],
    assignment: LicenseAssignment | None = None,
) -> InputInvalid:
    return settling.refuse(
        meta=meta,
        action=action,
        errors=errors,
        customer_code=customer.customer_code,
        assignment=assignment,
    )
