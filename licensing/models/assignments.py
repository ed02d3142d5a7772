"""Licence assignments: the state machine of a sale or a demo, and the vendor's kept answers."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from licensing.models.customers import Customer
from licensing.models.naming import name_fields


class AssignmentKind(models.TextChoices):
    PAID = "paid", _("Paid licence")
    DEMO = "demo", pgettext_lazy("licence kind", "Demo")


class AssignmentStatus(models.TextChoices):
    """A licence's state (the Italian agrees with "licenza")."""

    PENDING = "pending", pgettext_lazy("licence status", "Pending")
    ACTIVE = "active", pgettext_lazy("licence status", "Active")
    FAILED = "failed", pgettext_lazy("licence status", "Failed")
    UNKNOWN = "unknown", pgettext_lazy("licence status", "Outcome unknown")


class Renewal(models.TextChoices):
    ON = "on", _("Renewal on")
    SUSPENDED = "suspended", _("Renewal suspended")


def stale_after() -> timedelta:
    """How long a purchase may take: a submit may make a few calls (each bounded by the
    timeout) and then settle. A row still PENDING after that was left behind by a crash."""
    return timedelta(seconds=settings.FLASHSTART_TIMEOUT * 4 + 60)


class LicenseAssignment(models.Model):
    """One attempt to give a customer a licence, from intent to the vendor's outcome.

    The row is committed as PENDING (with the form's one-time `token`) before the vendor
    is called, so a second submit of the same form finds it instead of buying twice.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=8, choices=AssignmentKind.choices)
    license_code = models.CharField(_("licence code"), max_length=64, blank=True)
    license_name = models.CharField(_("licence name"), max_length=255, blank=True)
    license_info = models.CharField(_("licence label"), max_length=255, blank=True)
    # NULL until the vendor answers: several pending rows must not collide on "".
    license_id = models.CharField(  # noqa: DJ001
        _("FlashStart licence id"), max_length=64, null=True, blank=True
    )
    start_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    quoted_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    points = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    renewal = models.CharField(max_length=9, choices=Renewal.choices, default=Renewal.ON)
    failure_message = models.TextField(blank=True)
    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    accept_notifications = models.BooleanField(
        default=True, help_text=_("FlashStart notifies the customer (the vendor's option).")
    )
    # A settled sale a manager should look at: details missing from the vendor's answer,
    # or an amount deducted other than the one shown. `review_note` says what.
    needs_review = models.BooleanField(_("needs checking"), default=False)
    review_note = models.TextField(blank=True)
    # A renewal change in flight: its holder's token and when it lapses. Taken and given
    # back by conditional updates around the vendor call (never a lock held across it),
    # so changes to one licence's renewal happen one at a time.
    renewal_change = models.UUIDField(null=True, blank=True, editable=False)
    renewal_change_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("licence assignment")
        verbose_name_plural = _("licence assignments")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The vendor numbers demos apart from paid licences: ids are unique per kind.
            models.UniqueConstraint(
                fields=["kind", "license_id"],
                condition=Q(license_id__isnull=False),
                name="assignment_license_id_unique_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.ACTIVE) | Q(license_id__isnull=False),
                name="assignment_active_has_license_id",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AssignmentKind.PAID) | ~Q(license_code=""),
                name="assignment_paid_has_license_code",
            ),
            models.CheckConstraint(
                condition=Q(renewal=Renewal.ON) | Q(status=AssignmentStatus.ACTIVE),
                name="assignment_suspended_only_when_active",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="assignment_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AssignmentKind.values), name="assignment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(renewal__in=Renewal.values), name="assignment_renewal_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="assignment_customer_idx"),
            models.Index(fields=["status", "-created_at"], name="assignment_status_idx"),
            models.Index(fields=["kind", "-created_at"], name="assignment_kind_idx"),
            models.Index(fields=["renewal"], name="assignment_renewal_idx"),
            models.Index(fields=["expiry_date"], name="assignment_expiry_idx"),
            models.Index(fields=["license_code"], name="assignment_license_code_idx"),
            models.Index(fields=["created_by", "-created_at"], name="assignment_creator_idx"),
            models.Index(fields=["license_id"], name="assignment_license_id_idx"),
            models.Index(fields=["needs_review", "-created_at"], name="assignment_review_idx"),
            # The renewal forecast (selectors.forecast) reads this index and nothing else:
            # the window of paid active licences, in the order the forecast groups them.
            # Not partial: PostgreSQL leaves a partial index's own condition out of the
            # scan's bounds (and would read all of it), and SQLite without statistics
            # prefers any index whose first column the query fixes.
            models.Index(
                fields=[
                    *("kind", "status", "expiry_date", "renewal", "currency", "license_code"),
                    *("start_date", "amount", "quoted_amount"),
                ],
                name="assignment_renewals_due_idx",
            ),
            # Reports' "ending soon": the licences that end at expiry instead of renewing,
            # active ones counted through (status, expiry). selectors.reports.ENDING
            # writes the condition the same way, as both databases need to use the index.
            models.Index(
                fields=["status", "expiry_date", "kind", "renewal"],
                condition=Q(kind="demo") | Q(renewal="suspended"),
                name="assignment_ending_idx",
            ),
        ]

    def __str__(self) -> str:
        label = self.license_name or self.license_code or self.get_kind_display()
        return gettext("%(licence)s for %(customer)s (%(status)s)") % {
            "licence": label,
            "customer": self.customer_id,
            "status": self.get_status_display(),
        }

    @property
    def is_stale(self) -> bool:
        """PENDING for longer than any vendor call can take: left behind by a crash."""
        if self.status != AssignmentStatus.PENDING:
            return False
        return timezone.now() - self.created_at > stale_after()

    @property
    def is_resolvable(self) -> bool:
        """Whether a manager may settle it by hand: its outcome is unknown, or it is stale."""
        return self.status == AssignmentStatus.UNKNOWN or self.is_stale

    @property
    def can_change_renewal(self) -> bool:
        return self.status == AssignmentStatus.ACTIVE and self.kind == AssignmentKind.PAID

    @property
    def expires_soon(self) -> bool:
        if self.status != AssignmentStatus.ACTIVE or self.expiry_date is None:
            return False
        days = (self.expiry_date - timezone.localdate()).days
        return 0 <= days <= 30

    @property
    def vendor_answer(self) -> "VendorAnswer | None":
        """The vendor's latest kept answer to this assignment's call, if any."""
        return self.vendor_answers.order_by("-created_at", "-id").first()


name_fields(
    LicenseAssignment,
    customer=_("customer"),
    kind=_("kind"),
    start_date=_("start date"),
    expiry_date=_("expiry date"),
    quoted_amount=_("quoted amount"),
    amount=_("amount"),
    currency=_("currency"),
    points=_("points"),
    status=_("status"),
    renewal=_("renewal"),
    failure_message=_("failure message"),
    token=_("token"),
    created_by=_("created by"),
    resolved_by=_("resolved by"),
    resolution_note=_("resolution note"),
    accept_notifications=_("accept notifications"),
    review_note=_("review note"),
    renewal_change=_("renewal change"),
    renewal_change_until=_("renewal change until"),
    created_at=_("created at"),
    updated_at=_("updated at"),
    settled_at=_("settled at"),
)


class VendorAnswer(models.Model):
    """The vendor's answer to an assign or demo call, kept before the outcome is settled.

    Written in its own transaction as soon as the answer arrives, in columns that hold
    whatever the vendor sent, so that a settle that fails (a value the assignment's
    columns cannot hold, a locked database) leaves the licence id and the answer here for
    the manager who resolves the assignment. Never updated.
    """

    assignment = models.ForeignKey(
        LicenseAssignment, on_delete=models.PROTECT, related_name="vendor_answers"
    )
    endpoint = models.CharField(max_length=64)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # As the vendor wrote them: a licence id or an amount too long for the assignment's
    # columns must still be kept.
    license_id = models.TextField(blank=True)
    start_date = models.TextField(blank=True)
    expiry_date = models.TextField(blank=True)
    amount = models.TextField(blank=True)
    currency = models.TextField(blank=True)
    answer = models.TextField(blank=True, help_text=_("The vendor's answer (bounded)."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignment", "-created_at"], name="vendor_answer_assign_idx")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} answer for assignment {self.assignment_id}"
