"""Assigning paid licences and demos: the flows that cost the reseller money.

Record, call, settle: the PENDING row (carrying the form's one-time token under a unique
constraint) is committed before the vendor is called, the call runs outside any
transaction, and the outcome is saved together with its audit row. A second submit of
the same form finds the first row and never calls the vendor again. Before the row:
the signed price confirmation must be the one made for this customer, licence code,
currency and amount; and a second purchase of a licence the customer bought in the last
24 hours (or whose purchase is pending or unknown) is held until the salesperson
confirms it (`RepeatPurchase`).
"""

import re
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from licensing import audit, texts, upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditOutcome,
    Customer,
    Language,
    LicenseAssignment,
)
from licensing.services import access, limits, settling
from licensing.services.outcomes import ActionOutcome, InputInvalid, RepeatPurchase

LICENSE_INFO_RE = re.compile(r"^[^\W_]+(?:[\s-]+[^\W_]+)*[\s-]*$")
LICENSE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LICENSE_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
DEMO_LIMIT = 2
# What FlashStart gives as a demo (its docs' example answer; the length is the sandbox's,
# not documented): settings may say otherwise.
DEMO_PRODUCT = getattr(
    settings, "FLASHSTART_DEMO_PRODUCT", "Internet Protection and Malware Mitigation Trial"
)
DEMO_DAYS = getattr(settings, "FLASHSTART_DEMO_DAYS", 14)
REPEAT_WINDOW = timedelta(hours=24)
QUOTE_MISMATCH = gettext_noop(
    "This price was confirmed for another customer, licence or currency. Open the licence "
    "from this customer's catalogue again."
)


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
    accept_notifications: bool = True,
    quote: Mapping[str, Any] | None = None,
    repeat_of: int | None = None,
    on_behalf_of: Any = None,
) -> ActionOutcome:
    """Buy a paid licence for `customer`, spending the reseller's prepaid credit.

    Above the buyer's spending limit it is refused (audited: ask for approval) unless
    `on_behalf_of` names the salesperson whose request a manager (`meta.user`) approved
    (`services.approval_approve`): the sale is then recorded as theirs.

    `quote` is the signed price confirmation the salesperson saw (customer, code,
    currency, amount): it must match this purchase. `repeat_of` confirms a second
    purchase of the licence: the id of the earlier purchase the salesperson was shown.
    Returns the settled outcome (also for a repeated submit of the same token). Raises
    PermissionRefused, InputInvalid or RepeatPurchase (all audited) before anything is
    recorded or sent.
    """
    action = AuditAction.LICENSE_ASSIGN
    access.require_sales(
        meta=meta,
        what=gettext_lazy("assign licences"),
        action=action,
        customer_code=customer.customer_code,
    )
    license_code = (license_code or "").strip()
    license_info = " ".join((license_info or "").split())
    currency_code = (currency_code or "EUR").strip().upper()
    errors: dict[str, list[texts.StrOrPromise]] = {}
    if not LICENSE_CODE_RE.match(license_code):
        errors["license_code"] = [gettext_lazy("Choose a licence from the catalogue.")]
    if not license_info:
        errors["license_info"] = [gettext_lazy("Give the licence a label, such as “Headquarter”.")]
    elif len(license_info) > 100 or not LICENSE_INFO_RE.match(license_info):
        errors["license_info"] = [
            gettext_lazy("Use only letters, numbers, dashes and spaces (at most 100 characters).")
        ]
    if not re.fullmatch(r"[A-Z]{3}", currency_code):
        errors["currency_code"] = [gettext_lazy("Choose a currency from the list.")]
    if quote is not None and not quote_matches(
        quote, customer.customer_code, license_code, currency_code, quoted_amount
    ):
        errors["quote"] = [texts.message(QUOTE_MISMATCH)]
    if errors:
        raise _refuse(meta, action, customer, errors)
    # The daily limit's check and the recording of the purchase in one turn per buyer.
    with limits.daily_turn(meta=meta, customer=customer, on_behalf_of=on_behalf_of):
        limits.limit_enforce(
            meta=meta,
            customer=customer,
            license_code=license_code,
            amount=quoted_amount,
            currency=currency_code,
            token=token,
            on_behalf_of=on_behalf_of,
        )

        try:
            assignment, created = _record_intent(
                token=token,
                customer=customer,
                kind=AssignmentKind.PAID,
                meta=meta,
                repeat_of=repeat_of,
                created_by=on_behalf_of or meta.user,
                license_code=license_code,
                license_name=license_name[:255],
                license_info=license_info,
                quoted_amount=quoted_amount,
                currency=currency_code,
                points=points,
                accept_notifications=bool(accept_notifications),
            )
        except _Held as held:
            raise _hold(meta, customer, held.earlier) from None
    if not created:
        return _repeated_submit(meta, action, assignment, customer)

    try:
        result = upstream.get_client().license_assign(
            customer_code=customer.customer_code,
            license_code=license_code,
            license_info=license_info,
            accept_notifications=bool(accept_notifications),
            currency_code=currency_code,
        )
    except upstream.UpstreamError as exc:
        return settling.assignment_failed(meta=meta, action=action, assignment=assignment, exc=exc)
    return settling.assignment_bought(meta=meta, assignment=assignment, result=result)


def demo_assign(
    *,
    meta: audit.RequestMeta,
    customer: Customer,
    token: uuid.UUID,
    lang: str | None = None,
    accept_notifications: bool = True,
) -> ActionOutcome:
    """Give `customer` a free trial licence (the vendor allows two per customer)."""
    action = AuditAction.DEMO_ASSIGN
    access.require_sales(
        meta=meta,
        what=gettext_lazy("assign demos"),
        action=action,
        customer_code=customer.customer_code,
    )
    lang = lang or customer.language
    used = demos_used(customer)
    errors: dict[str, list[texts.StrOrPromise]] = {}
    if lang not in Language.values:
        errors = {"lang": [gettext_lazy("Choose one of the listed languages.")]}
    elif used >= DEMO_LIMIT:  # at least two: FlashStart allows two
        limit_reached = gettext_lazy(
            "%(customer)s has already had %(count)s demos, FlashStart's limit."
        )
        errors = {"__all__": [texts.message(limit_reached, customer=customer.name, count=used)]}
    if errors and not LicenseAssignment.objects.filter(token=token).exists():
        raise _refuse(meta, action, customer, errors)

    assignment, created = _record_intent(
        token=token,
        customer=customer,
        kind=AssignmentKind.DEMO,
        meta=meta,
        license_name="Demo",
        accept_notifications=bool(accept_notifications),
    )
    if not created:
        return _repeated_submit(meta, action, assignment, customer)
    try:
        result = upstream.get_client().demo_assign(
            customer_code=customer.customer_code,
            lang=lang,
            accept_notifications=bool(accept_notifications),
        )
    except upstream.UpstreamError as exc:
        return settling.assignment_failed(meta=meta, action=action, assignment=assignment, exc=exc)
    return settling.demo_given(meta=meta, assignment=assignment, result=result)


def demos_used(customer: Customer) -> int:
    """How many of FlashStart's `DEMO_LIMIT` demos `customer` has had (as far as we know)."""
    return LicenseAssignment.objects.filter(
        customer=customer, kind=AssignmentKind.DEMO, status=AssignmentStatus.ACTIVE
    ).count()


# --- steps ------------------------------------------------------------------------------


class _Held(Exception):
    """Raised inside the intent's transaction (rolling it back): an earlier purchase."""

    def __init__(self, earlier: LicenseAssignment) -> None:
        self.earlier = earlier


def _record_intent(
    *,
    token: uuid.UUID,
    customer: Customer,
    kind: str,
    meta: audit.RequestMeta,
    repeat_of: int | None = None,
    **fields: Any,
) -> tuple[LicenseAssignment, bool]:
    """Commit a PENDING row for `token`, or return the row an earlier submit made.

    For a paid licence, raises _Held (nothing recorded) when the customer bought the same
    licence lately, unless `repeat_of` names that earlier purchase. The customer's row is
    locked meanwhile (SQLite: the whole database), so two forms submitted at once cannot
    both pass as the first purchase.
    """
    try:
        with transaction.atomic():
            Customer.objects.select_for_update().filter(pk=customer.pk).exists()
            assignment = LicenseAssignment.objects.create(
                token=token,
                customer=customer,
                kind=kind,
                status=AssignmentStatus.PENDING,
                **{"created_by": meta.user, **fields},
            )
            earlier = _earlier_purchase(assignment) if kind == AssignmentKind.PAID else None
            if earlier is not None and earlier.pk != repeat_of:
                raise _Held(earlier)
        return assignment, True
    except IntegrityError:
        existing = LicenseAssignment.objects.select_related("customer").filter(token=token).first()
        if existing is None:  # the constraint that fired was not the token's
            raise
        return existing, False


def _earlier_purchase(assignment: LicenseAssignment) -> LicenseAssignment | None:
    """The latest other purchase of the same licence for the same customer that makes this
    one a repeat: bought in the last 24 hours, or still pending or unknown."""
    recent = Q(status=AssignmentStatus.ACTIVE, created_at__gte=timezone.now() - REPEAT_WINDOW)
    undecided = Q(status__in=[AssignmentStatus.PENDING, AssignmentStatus.UNKNOWN])
    return (
        LicenseAssignment.objects.select_related("created_by")
        .filter(
            customer_id=assignment.customer_id,
            kind=AssignmentKind.PAID,
            license_code=assignment.license_code,
        )
        .filter(recent | undecided)
        .exclude(pk=assignment.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def _hold(
    meta: audit.RequestMeta, customer: Customer, earlier: LicenseAssignment
) -> RepeatPurchase:
    """Audit a purchase held as a repeat, and return the RepeatPurchase to raise."""
    if earlier.license_info:
        bought = gettext_lazy(
            "%(who)s bought %(licence)s for %(customer)s labelled “%(label)s” on %(when)s "
            "(%(status)s). Confirm to buy another one."
        )
    else:
        bought = gettext_lazy(
            "%(who)s bought %(licence)s for %(customer)s on %(when)s (%(status)s). "
            "Confirm to buy another one."
        )
    text = texts.message(
        bought,
        who=getattr(earlier.created_by, "username", "") or gettext_lazy("someone"),
        licence=earlier.license_name or earlier.license_code,
        customer=customer.name,
        label=earlier.license_info,
        when=texts.moment(earlier.created_at),
        status=texts.lowered(AssignmentStatus(earlier.status).label),
    )
    settling.refuse(
        meta=meta,
        action=AuditAction.LICENSE_ASSIGN,
        errors={"__all__": [text]},
        customer_code=customer.customer_code,
        prefix=texts.message(
            gettext_lazy("Held as a repeat of assignment #%(number)s, not sent"),
            number=earlier.pk,
        ),
    )
    return RepeatPurchase({"__all__": [text]}, earlier=earlier)


def quote_matches(
    quote: Mapping[str, Any],
    customer_code: int,
    license_code: str,
    currency_code: str,
    amount: Decimal | None,
) -> bool:
    """Whether the signed price confirmation is the one made for this purchase."""
    try:
        quoted = Decimal(str(quote.get("amount")))
    except (InvalidOperation, ValueError):
        return False
    return (
        str(quote.get("customer")) == str(customer_code)
        and quote.get("code") == license_code
        and quote.get("currency") == currency_code
        and quoted == amount
    )


def _repeated_submit(
    meta: audit.RequestMeta, action: str, assignment: LicenseAssignment, customer: Customer
) -> ActionOutcome:
    """A second submit of a form: wait briefly for the first to settle, then show its result."""
    if assignment.customer_id != customer.pk or assignment.kind != _kind_for(action):
        used = gettext_lazy("This form was already used for something else. Reload the page.")
        raise _refuse(meta, action, customer, {"__all__": [used]})
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
        message=texts.english(
            gettext_lazy("Repeated submit of the same form: the vendor was not called again.")
        ),
    )
    level, message = _describe(assignment)
    return ActionOutcome(level=level, message=message, assignment=assignment, duplicate=True)


def _kind_for(action: str) -> str:
    return AssignmentKind.DEMO if action == AuditAction.DEMO_ASSIGN else AssignmentKind.PAID


def _describe(assignment: LicenseAssignment) -> tuple[str, texts.StrOrPromise]:
    if assignment.status == AssignmentStatus.ACTIVE:
        return "success", texts.message(
            gettext_lazy("Already done: %(licence)s is active."),
            licence=assignment.license_name or gettext_lazy("licence"),
        )
    if assignment.status == AssignmentStatus.FAILED:
        # The failure message is kept in English: translated as it is shown.
        return "error", texts.message(
            gettext_lazy("This request already failed: %(message)s"),
            message=texts.kept(assignment.failure_message),
        )
    if assignment.status == AssignmentStatus.UNKNOWN:
        return "warning", texts.message(settling.UNKNOWN_MESSAGE)
    return "warning", gettext_lazy("This request is still being processed. Do not submit it again.")


def _refuse(
    meta: audit.RequestMeta,
    action: str,
    customer: Customer,
    errors: dict[str, list[texts.StrOrPromise]],
    assignment: LicenseAssignment | None = None,
) -> InputInvalid:
    return settling.refuse(
        meta=meta,
        action=action,
        errors=errors,
        customer_code=customer.customer_code,
        assignment=assignment,
    )
