"""Saving what `settling` decided, so that no charge is ever lost or counted twice.

- `answer_keep` writes the vendor's answer (licence id, dates, amount, the raw text) in
  its own transaction as soon as it arrives, before the outcome is settled: if the
  settle then fails, the answer is still there for the manager who resolves the
  assignment.
- `assignment_store` saves a PENDING assignment's outcome, its audit row and the reports'
  roll-up in one transaction. It changes a row only while it is PENDING (the updated row
  count says so): a late settle that finds the row already resolved changes nothing and
  says so. If the database refuses the outcome (a value the columns cannot hold, a lock
  that does not clear), the assignment is left UNKNOWN for a manager, with the answer
  kept; if even that cannot be saved, the row stays PENDING (a manager may resolve it once
  it is stale) and the answer is in the log.

- `renewal_store` records a renewal change the vendor made, with its audit row, only
  while the change still holds the licence's lease (see `services.renewals`).

Nothing here decides what an answer means: that is `settling`'s. Messages arrive lazily
(`licensing.texts`) and are written into the audit rows in English.
"""

import logging
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from licensing import audit, texts, upstream
from licensing.models import AssignmentStatus, AuditOutcome, LicenseAssignment, VendorAnswer
from licensing.services import rollups

log = logging.getLogger("licensing.services")

ANSWER_KEPT = gettext_noop("FlashStart's answer is kept for the manager who checks it.")
# What the assignment's columns hold: a value beyond them must not be cut short.
LICENSE_ID_MAX = 64
AMOUNT_MAX = Decimal("9999999999.99")
_CENT = Decimal("0.01")


def storable(amount: Decimal) -> bool:
    """Whether the amount column holds `amount` exactly (whole cents, up to AMOUNT_MAX)."""
    return 0 <= amount <= AMOUNT_MAX and amount == amount.quantize(_CENT)


def answer_keep(
    *,
    assignment: LicenseAssignment,
    call: upstream.CallRecord | None,
    license_id: str = "",
    raw: Mapping[str, str] | None = None,
) -> bool:
    """Keep the vendor's answer to `assignment`'s call (own transaction). Returns whether it
    was saved; when it was not, it is logged (the log is then its only copy)."""
    if call is None or call.status is None:
        return False  # no answer arrived: nothing to keep
    raw = raw or {}
    try:
        with transaction.atomic():
            VendorAnswer.objects.create(
                assignment=assignment,
                endpoint=call.endpoint,
                http_status=call.status,
                license_id=license_id or raw.get("license_id", ""),
                start_date=raw.get("start_date", ""),
                expiry_date=raw.get("expiry_date", ""),
                amount=raw.get("deducted_amount", ""),
                currency=raw.get("currency_code", ""),
                answer=call.answer,
            )
    except DatabaseError:
        log.exception(
            "The vendor's answer for assignment %s could not be saved: HTTP %s, licence id "
            "%r, answer %r",
            assignment.pk,
            call.status,
            license_id,
            call.answer,
        )
        return False
    return True


def assignment_store(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    status: str,
    outcome: str,
    message: texts.StrOrPromise,
    call: upstream.CallRecord | None,
    fields: dict[str, Any],
    unknown_message: texts.StrOrPromise,
) -> str:
    """Save a PENDING assignment's outcome with its audit row; return how it went:
    "stored", "late" (someone settled it first: nothing changed, audited), "unknown" (the
    outcome could not be saved: left UNKNOWN, audited with `unknown_message`) or "lost"
    (not even that: logged, the row stays PENDING)."""
    now = timezone.now()
    customer_code = assignment.customer.customer_code
    try:
        with transaction.atomic():
            updated = LicenseAssignment.objects.filter(
                pk=assignment.pk, status=AssignmentStatus.PENDING
            ).update(status=status, settled_at=now, updated_at=now, **fields)
            if updated:
                audit.record(
                    meta=meta,
                    action=action,
                    outcome=outcome,
                    customer_code=customer_code,
                    assignment=assignment,
                    message=texts.english(message),
                    call=call,
                )
                rollups.rollup_record(assignment=assignment)
    except (DatabaseError, ArithmeticError):
        # The outcome cannot be saved: a value the columns cannot hold, a licence id
        # another assignment has, a lock that did not clear. Money may have moved.
        log.exception("Settling assignment %s failed; leaving it unknown", assignment.pk)
        return _store_unknown(meta, action, assignment, call, unknown_message)
    if updated:
        return "stored"
    audit.record(
        meta=meta,
        action=action,
        outcome=outcome,
        customer_code=customer_code,
        assignment=assignment,
        message=texts.english(
            gettext_lazy(
                "Late answer, nothing changed: the assignment was already settled. %(message)s"
            ),
            message=message,
        ),
        call=call,
    )
    return "late"


def _store_unknown(
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    call: upstream.CallRecord | None,
    unknown_message: texts.StrOrPromise,
) -> str:
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = LicenseAssignment.objects.filter(
                pk=assignment.pk, status=AssignmentStatus.PENDING
            ).update(status=AssignmentStatus.UNKNOWN, settled_at=now, updated_at=now)
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.UNKNOWN,
                customer_code=assignment.customer.customer_code,
                assignment=assignment,
                message=texts.english(
                    gettext_lazy(
                        "%(unknown)s (FlashStart answered, but the answer could not be saved "
                        "with the assignment. %(kept)s)"
                    ),
                    unknown=texts.message(unknown_message),
                    kept=texts.message(ANSWER_KEPT),
                )
                if updated
                else texts.english(
                    gettext_lazy(
                        "Late answer that could not be saved; the assignment was already "
                        "settled, nothing changed."
                    )
                ),
                call=call,
            )
            if updated:
                rollups.rollup_record(assignment=assignment)
    except DatabaseError:
        log.exception(
            "Assignment %s could not even be marked unknown; it stays pending", assignment.pk
        )
        return "lost"
    return "unknown" if updated else "late"


def renewal_store(
    *,
    meta: audit.RequestMeta,
    action: str,
    assignment: LicenseAssignment,
    target: str,
    lease: uuid.UUID,
    message: texts.StrOrPromise,
    call: upstream.CallRecord | None,
) -> bool:
    """Record the renewal `target` the vendor confirmed, and give the lease back, if this
    change still holds it; audit the answer either way. Returns whether it was recorded."""
    with transaction.atomic():
        held = LicenseAssignment.objects.filter(pk=assignment.pk, renewal_change=lease).update(
            renewal=target,
            renewal_change=None,
            renewal_change_until=None,
            updated_at=timezone.now(),
        )
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.SUCCESS,
            customer_code=assignment.customer.customer_code,
            assignment=assignment,
            message=texts.english(message)
            if held
            else texts.english(
                gettext_lazy(
                    "%(message)s (Not recorded here: the change's lease had lapsed and "
                    "another change to this renewal followed.)"
                ),
                message=message,
            ),
            call=call,
        )
    return bool(held)
