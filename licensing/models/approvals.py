"""Spending limits and the approval requests made above them."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from licensing.models.assignments import LicenseAssignment, stale_after
from licensing.models.customers import Customer
from licensing.models.naming import name_fields, name_model


class SpendingLimit(models.Model):
    """What a group's members, or one person, may spend without a manager's approval (EUR).

    A person's own limit replaces their group's; an empty amount is no limit. With no row,
    Sales follows PORTAL_APPROVAL_ABOVE_EUR / PORTAL_DAILY_LIMIT_EUR and managers have none
    (`services.limits` reads them).
    """

    group = models.OneToOneField(
        "auth.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spending_limit",
    )
    per_purchase_eur = models.DecimalField(
        _("per purchase (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A purchase above this needs a manager's approval. Empty: no limit."),
    )
    per_day_eur = models.DecimalField(
        _("per day (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Purchases of one day (pending and settled) above this need approval. Empty: no limit."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("spending limit")
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=True, user__isnull=False)
                | Q(group__isnull=False, user__isnull=True),
                name="spending_limit_group_or_user",
                violation_error_message=_("Choose either a group or a person (one of them)."),
            ),
            models.CheckConstraint(
                condition=(Q(per_purchase_eur__isnull=True) | Q(per_purchase_eur__gte=0))
                & (Q(per_day_eur__isnull=True) | Q(per_day_eur__gte=0)),
                name="spending_limit_not_negative",
                violation_error_message=_("A limit cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("limit of %(whose)s") % {"whose": self.user or self.group}


# Its plural, as Django would derive it ("spending limit" + "s"), but translated.
name_model(SpendingLimit, _("spending limit"), _("spending limits"))
name_fields(SpendingLimit, group=_("group"), user=_("user"), updated_at=_("updated at"))


class ApprovalStatus(models.TextChoices):
    """A request's state (the Italian agrees with "richiesta")."""

    PENDING = "pending", pgettext_lazy("approval status", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("approval status", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval status", "Rejected")
    EXPIRED = "expired", pgettext_lazy("approval status", "Expired")


def stuck_after() -> timedelta:
    """As long as a purchase may take: then an approval with none linked is stuck."""
    return stale_after()


class ApprovalRequest(models.Model):
    """A purchase above its requester's limit, waiting for (or decided by) a manager.

    No vendor call is made for it until a manager approves; the sale then runs through
    `services.license_assign` with `token` as its one-time token, so however many managers
    approve at once, one licence is bought.
    """

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="approvals")
    license_code = models.CharField(_("licence code"), max_length=64)
    license_name = models.CharField(_("licence name"), max_length=255, blank=True)
    license_info = models.CharField(_("licence label"), max_length=255)
    amount = models.DecimalField(_("quoted amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    amount_eur = models.DecimalField(
        _("amount in EUR"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    points = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    accept_notifications = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    assignment = models.OneToOneField(
        LicenseAssignment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApprovalStatus.values), name="approval_status_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="approval_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="approval_rejected_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="approval_status_idx"),
            models.Index(fields=["requested_by", "-created_at"], name="approval_requester_idx"),
            models.Index(fields=["customer", "-created_at"], name="approval_customer_idx"),
            models.Index(fields=["decided_by", "status"], name="approval_decider_idx"),
        ]

    def __str__(self) -> str:
        return gettext("%(licence)s for %(customer)s (%(status)s)") % {
            "licence": self.license_name or self.license_code,
            "customer": self.customer,
            "status": self.get_status_display(),
        }

    @property
    def is_stuck(self) -> bool:
        """Approved, yet no purchase linked long after any purchase would have been: the
        portal stopped between the approval and the purchase (`services.approval_recover`)."""
        if self.status != ApprovalStatus.APPROVED or self.assignment_id or not self.decided_at:
            return False
        return timezone.now() - self.decided_at > stuck_after()

    @property
    def is_expired(self) -> bool:
        """Pending past its expiry: nobody may approve it any more."""
        return self.status == ApprovalStatus.PENDING and timezone.now() >= self.expires_at
