"""A purchase above the person's spending limit becomes a request for a manager's approval
(`approvals` decides on it). No vendor call is made for it."""

import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from licensing import audit, texts
from licensing.models import ApprovalRequest, AuditAction, AuditOutcome, Customer
from licensing.services import access, approval_mail, assignments, limits, settling

QUOTE_MISMATCH = assignments.QUOTE_MISMATCH


def approval_request(
    *,
    meta: audit.RequestMeta,
    customer: Customer,
    token,
    license_code: str,
    license_info: str,
    license_name: str = "",
    amount: Decimal,
    currency: str,
    points: Decimal | None = None,
    accept_notifications: bool = True,
    note: str = "",
    quote: Mapping[str, Any] | None = None,
) -> ApprovalRequest:
    """Ask a manager to approve a purchase above the requester's limit. No vendor call.

    `token` is the confirmation form's one-time token: a second submit of the same form
    returns the first request. Raises PermissionRefused or InputInvalid (audited).
    """
    action = AuditAction.APPROVAL_REQUEST
    code = customer.customer_code
    access.require_sales(
        meta=meta, what=gettext_lazy("request purchases"), action=action, customer_code=code
    )
    existing = ApprovalRequest.objects.filter(token=token).first()
    if existing is not None:
        if existing.customer_id != customer.pk:
            used = {"__all__": [gettext_lazy("This form was already used. Reload the page.")]}
            raise settling.refuse(meta=meta, action=action, errors=used, customer_code=code)
        return existing
    license_code = (license_code or "").strip()
    license_info = " ".join((license_info or "").split())
    currency = (currency or "EUR").strip().upper()
    note = (note or "").strip()
    errors: dict[str, list[texts.StrOrPromise]] = {}
    if not assignments.LICENSE_CODE_RE.match(license_code):
        errors["license_code"] = [gettext_lazy("Choose a licence from the catalogue.")]
    if not license_info or len(license_info) > 100:
        errors["license_info"] = [gettext_lazy("Give the licence a label, such as “Headquarter”.")]
    elif not assignments.LICENSE_INFO_RE.match(license_info):
        errors["license_info"] = [gettext_lazy("Use only letters, numbers, dashes and spaces.")]
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors["currency_code"] = [gettext_lazy("Choose a currency from the list.")]
    if amount is None or amount < 0:
        errors["__all__"] = [
            gettext_lazy("The price is missing. Open the licence from the catalogue again.")
        ]
    if len(note) > 2000:
        errors["note"] = [gettext_lazy("Keep the note under 2,000 characters.")]
    if quote is not None and not assignments.quote_matches(
        quote, code, license_code, currency, amount
    ):
        errors["quote"] = [texts.message(QUOTE_MISMATCH)]
    if errors:
        raise settling.refuse(meta=meta, action=action, errors=errors, customer_code=code)

    check = limits.spending_check(
        user=meta.user,
        customer=customer,
        license_code=license_code,
        amount=amount,
        currency=currency,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            approval = ApprovalRequest.objects.create(
                token=token,
                customer=customer,
                license_code=license_code,
                license_name=(license_name or "")[:255],
                license_info=license_info,
                amount=amount,
                currency=currency,
                amount_eur=check.amount_eur,
                points=points,
                accept_notifications=bool(accept_notifications),
                note=note,
                requested_by=meta.user,
                created_at=now,
                expires_at=now + timedelta(days=settings.PORTAL_APPROVAL_EXPIRY_DAYS),
            )
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=code,
                message=texts.english(
                    _requested(currency, check.amount_eur),
                    number=approval.pk,
                    licence=approval.license_name or license_code,
                    code=license_code,
                    label=license_info,
                    amount=texts.money(amount, currency),
                    amount_eur=texts.money(check.amount_eur, "EUR"),
                    reasons=check.message,
                ).strip()[:2000],
            )
    except IntegrityError:
        existing = ApprovalRequest.objects.filter(token=token).first()
        if existing is None:
            raise
        return existing
    approval_mail.notify(
        approval, "requested", approval_mail.managers().exclude(pk=getattr(meta.user, "pk", None))
    )
    return approval


def _requested(currency: str, amount_eur) -> texts.StrOrPromise:
    """The audit row's words for a request, with the EUR price when it was in another
    currency."""
    if currency == "EUR" or amount_eur is None:
        return gettext_lazy(
            "Approval request #%(number)s: %(licence)s (%(code)s) “%(label)s” for "
            "%(amount)s. %(reasons)s"
        )
    return gettext_lazy(
        "Approval request #%(number)s: %(licence)s (%(code)s) “%(label)s” for %(amount)s "
        "(%(amount_eur)s at the vendor's EUR price). %(reasons)s"
    )
