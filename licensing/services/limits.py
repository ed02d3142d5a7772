"""Spending limits: what a person may spend, in EUR, without a manager's approval.

A person's own `SpendingLimit` replaces their group's. With no row, the Sales group
follows PORTAL_APPROVAL_ABOVE_EUR (per purchase) and PORTAL_DAILY_LIMIT_EUR (per day),
and managers have no limit. The day's total counts the person's paid purchases of the
day (portal's time zone) that are pending, active or of unknown outcome, in EUR; those a
manager approved above the limit are the manager's decision and do not count. Equal to a
limit is allowed.

A price in another currency is checked at the vendor's EUR price for the same licence
code; when the vendor cannot say, the purchase counts as over the limit, never under.

The reasons a purchase is over are lazy (`licensing.texts`): the page shows them in its
language, the audit row in English.
"""

import contextlib
import time as clock
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from licensing import audit, roles, selectors, texts, upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditOutcome,
    Customer,
    LicenseAssignment,
    Profile,
    SpendingLimit,
)
from licensing.services import access, settling

COUNTED = (AssignmentStatus.PENDING, AssignmentStatus.ACTIVE, AssignmentStatus.UNKNOWN)
# How long one person's purchase may hold their turn (the check may ask the vendor for a
# EUR price, within its own timeouts), and how long a second purchase waits for it.
TURN_LEASE = timedelta(seconds=60)
TURN_WAIT_SECONDS = 5.0
TURN_BUSY = gettext_lazy(
    "Another purchase of yours is being checked against your daily limit right now. Wait "
    "a moment and try again: nothing was bought."
)


@dataclass(frozen=True)
class Limit:
    per_purchase: Decimal | None  # EUR; None: no limit
    per_day: Decimal | None

    @property
    def unlimited(self) -> bool:
        return self.per_purchase is None and self.per_day is None


@dataclass(frozen=True)
class SpendingCheck:
    """One purchase against its buyer's limits (EUR amounts)."""

    limit: Limit
    amount_eur: Decimal | None  # None: the vendor's EUR price could not be read
    spent_today: Decimal | None  # None: not counted (no daily limit), or unreadable
    reasons: tuple[texts.StrOrPromise, ...]  # why it is over; empty: within the limits

    @property
    def over(self) -> bool:
        return bool(self.reasons)

    @property
    def left_today(self) -> Decimal | None:
        if self.limit.per_day is None or self.spent_today is None:
            return None
        return max(Decimal("0"), self.limit.per_day - self.spent_today)

    @property
    def message(self) -> texts.StrOrPromise:
        """The reasons in one paragraph, translated when written out."""
        return texts.joined(" ", self.reasons)


NO_LIMIT = Limit(per_purchase=None, per_day=None)


def spending_limit(user) -> Limit:
    """The limits that apply to `user`: their own, else their group's, else the defaults."""
    if user is None or getattr(user, "pk", None) is None:
        return NO_LIMIT
    own = SpendingLimit.objects.filter(user_id=user.pk).first()
    if own is not None:
        return Limit(own.per_purchase_eur, own.per_day_eur)
    manager = roles.is_manager(user)
    # A manager who is also in Sales is a manager: the Sales limit is not theirs.
    groups = [roles.MANAGERS] if manager else list(user.groups.values_list("name", flat=True))
    rows = list(SpendingLimit.objects.filter(group__name__in=groups))
    if rows:
        # Several groups: the most generous limit of each kind (empty = none) applies.
        return Limit(
            _most(row.per_purchase_eur for row in rows), _most(row.per_day_eur for row in rows)
        )
    if manager or roles.SALES not in groups:
        return NO_LIMIT
    return Limit(_setting_eur("PORTAL_APPROVAL_ABOVE_EUR"), _setting_eur("PORTAL_DAILY_LIMIT_EUR"))


def spending_check(
    *,
    user,
    customer: Customer,
    license_code: str,
    amount: Decimal | None,
    currency: str,
) -> SpendingCheck:
    """Whether `user` may buy this licence at this price without approval.

    May ask the vendor's catalogue for EUR prices (never inside a transaction). Reads only.
    """
    limit = spending_limit(user)
    if limit.unlimited:
        return SpendingCheck(limit, None, None, ())
    amount_eur = eur_amount(
        customer=customer, license_code=license_code, amount=amount, currency=currency
    )
    reasons: list[texts.StrOrPromise] = []
    if amount_eur is None:
        reasons.append(
            gettext_lazy(
                "The price in EUR could not be checked against your limit, so a manager must "
                "approve this purchase."
            )
        )
    elif limit.per_purchase is not None and amount_eur > limit.per_purchase:
        reasons.append(
            texts.message(
                gettext_lazy("%(amount)s is above your limit of %(limit)s per purchase."),
                amount=_eur(amount_eur),
                limit=_eur(limit.per_purchase),
            )
        )
    spent = None
    if limit.per_day is not None:
        spent = spent_today(user)
        if spent is None:
            reasons.append(
                gettext_lazy(
                    "Today's purchases could not all be priced in EUR, so a manager must "
                    "approve this one."
                )
            )
        elif amount_eur is not None and spent + amount_eur > limit.per_day:
            left = max(Decimal("0"), limit.per_day - spent)
            reasons.append(
                texts.message(
                    gettext_lazy(
                        "With %(amount)s today's purchases would pass your daily limit of "
                        "%(limit)s (%(left)s left today)."
                    ),
                    amount=_eur(amount_eur),
                    limit=_eur(limit.per_day),
                    left=_eur(left),
                )
            )
    return SpendingCheck(limit, amount_eur, spent, tuple(reasons))


def spending_limit_save(*, meta: audit.RequestMeta, limit: SpendingLimit) -> SpendingLimit:
    """Save a group's or a person's limit (managers only), with its audit row.

    Raises PermissionRefused or InputInvalid (audited)."""
    action = AuditAction.LIMIT_CHANGE
    access.require_manager(meta=meta, what=_CHANGE_LIMITS, action=action)
    try:
        limit.full_clean()
    except ValidationError as exc:
        raise settling.refuse(
            meta=meta, action=action, errors=texts.validation_errors(exc)
        ) from None
    with transaction.atomic():
        limit.save()
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.SUCCESS,
            message=texts.english(
                gettext_lazy("Spending limit of %(whose)s: %(limit)s"),
                whose=_whose(limit),
                limit=_limit_text(limit),
            ),
        )
    return limit


def spending_limit_delete(*, meta: audit.RequestMeta, limit: SpendingLimit) -> None:
    """Remove a limit (the defaults apply again), with its audit row. Managers only."""
    action = AuditAction.LIMIT_CHANGE
    access.require_manager(meta=meta, what=_CHANGE_LIMITS, action=action)
    whose = _whose(limit)
    with transaction.atomic():
        limit.delete()
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.SUCCESS,
            message=texts.english(
                gettext_lazy("Spending limit of %(whose)s removed: the defaults apply"),
                whose=whose,
            ),
        )


_CHANGE_LIMITS = gettext_lazy("change spending limits")


def _whose(limit: SpendingLimit) -> texts.StrOrPromise:
    if limit.user is not None:
        return texts.message(gettext_lazy("user %(name)s"), name=limit.user.get_username())
    if limit.group is not None:
        return texts.message(gettext_lazy("group %(name)s"), name=limit.group.name)
    return gettext_lazy("nobody")


def _limit_text(limit: SpendingLimit) -> texts.StrOrPromise:
    def one(value: Decimal | None) -> texts.StrOrPromise:
        return gettext_lazy("no limit") if value is None else _eur(value)

    return texts.message(
        gettext_lazy("%(per_purchase)s per purchase, %(per_day)s per day"),
        per_purchase=one(limit.per_purchase_eur),
        per_day=one(limit.per_day_eur),
    )


def limit_enforce(
    *,
    meta: audit.RequestMeta,
    customer: Customer,
    license_code: str,
    amount: Decimal | None,
    currency: str,
    token,
    on_behalf_of=None,
) -> None:
    """Refuse (audited InputInvalid, nothing recorded or sent) a purchase above the buyer's
    limit. A repeated submit of a form already recorded passes (it finds its first row);
    a purchase `on_behalf_of` a requester passes only when a manager makes it."""
    action = AuditAction.LICENSE_ASSIGN
    code = customer.customer_code
    if on_behalf_of is not None:
        access.require_manager(
            meta=meta,
            what=gettext_lazy("buy on someone else's behalf"),
            action=action,
            customer_code=code,
        )
        return
    if LicenseAssignment.objects.filter(token=token).exists():
        return
    check = spending_check(
        user=meta.user,
        customer=customer,
        license_code=license_code,
        amount=amount,
        currency=currency,
    )
    if check.over:
        over = texts.message(
            gettext_lazy("%(reasons)s Request a manager's approval instead."),
            reasons=check.message,
        )
        raise settling.refuse(
            meta=meta,
            action=action,
            errors={"__all__": [over]},
            customer_code=code,
            prefix=gettext_lazy("Above the spending limit, not sent"),
        )


@contextlib.contextmanager
def daily_turn(*, meta: audit.RequestMeta, customer: Customer, on_behalf_of=None) -> Iterator[None]:
    """One purchase at a time for a buyer with a daily limit: the day's total is checked
    and the purchase recorded inside the turn, so two purchases submitted together cannot
    both pass a check that counted neither. Waits up to TURN_WAIT_SECONDS for a turn
    another purchase holds, then refuses (audited, nothing recorded or sent)."""
    user = meta.user
    if on_behalf_of is not None or spending_limit(user).per_day is None:
        yield
        return
    Profile.objects.get_or_create(user=user)
    mine = uuid.uuid4()
    deadline = clock.monotonic() + TURN_WAIT_SECONDS
    while True:
        now = timezone.now()
        free = Q(purchase_turn__isnull=True) | Q(purchase_turn_until__lt=now)
        taken = Profile.objects.filter(free, user=user).update(
            purchase_turn=mine, purchase_turn_until=now + TURN_LEASE
        )
        if taken:
            break
        if clock.monotonic() >= deadline:
            raise settling.refuse(
                meta=meta,
                action=AuditAction.LICENSE_ASSIGN,
                errors={"__all__": [TURN_BUSY]},
                customer_code=customer.customer_code,
                prefix=gettext_lazy("Busy, not sent"),
            )
        clock.sleep(0.05)
    try:
        yield
    finally:
        Profile.objects.filter(user=user, purchase_turn=mine).update(
            purchase_turn=None, purchase_turn_until=None
        )


def spent_today(user) -> Decimal | None:
    """What `user` spent today in EUR (pending, active and unknown purchases of their own,
    not those a manager approved); None when one of them cannot be priced in EUR."""
    zone = timezone.get_default_timezone()
    today = timezone.localdate(timezone=zone)
    start = datetime.combine(today, time.min, tzinfo=zone)
    rows = (
        LicenseAssignment.objects.filter(
            created_by_id=user.pk,
            kind=AssignmentKind.PAID,
            status__in=COUNTED,
            created_at__gte=start,
        )
        .filter(Q(approval__isnull=True))
        .select_related("customer")
    )
    total = Decimal("0")
    prices: dict[tuple[int, str], Decimal | None] = {}  # one catalogue question per licence
    for row in rows:
        amount = row.amount if row.amount is not None else row.quoted_amount
        if (row.currency or "EUR").upper() == "EUR":
            value = amount
        else:
            key = (row.customer_id, row.license_code)
            if key not in prices:
                prices[key] = eur_amount(
                    customer=row.customer,
                    license_code=row.license_code,
                    amount=amount,
                    currency=row.currency,
                )
            value = prices[key]
        if value is None:
            return None
        total += value
    return total


def eur_amount(
    *, customer: Customer, license_code: str, amount: Decimal | None, currency: str
) -> Decimal | None:
    """`amount` in EUR: itself when in EUR, else the vendor's EUR price for the licence;
    None when neither is known."""
    if (currency or "EUR").upper() == "EUR":
        return amount
    try:
        found = selectors.license_quote(
            customer=customer, license_code=license_code, currency_code="EUR"
        )
    except upstream.UpstreamError:
        return None
    if found is None or found.amount is None or found.currency != "EUR":
        return None
    return Decimal(found.amount)


def _most(values) -> Decimal | None:
    values = list(values)
    if any(v is None for v in values):
        return None
    return max(values)


def _setting_eur(name: str) -> Decimal | None:
    raw = getattr(settings, name, None)
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be an amount in EUR, such as 500.") from None
    if value < 0 or not value.is_finite():
        raise ImproperlyConfigured(f"{name} must be an amount in EUR of 0 or more.")
    return value


def _eur(amount: Decimal) -> texts.StrOrPromise:
    return texts.money(amount, "EUR")
