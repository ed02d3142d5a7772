"""The portal's records: customers, licence assignments and the append-only audit trail.

Invariants live in the database (unique and check constraints), so that no code path,
admin action or shell session can store an impossible state.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from licensing import roles


class Language(models.TextChoices):
    EN = "en", "English"
    IT = "it", "Italiano"
    ES = "es", "Español"
    DE = "de", "Deutsch"


class Customer(models.Model):
    """A customer of the reseller, known at the vendor by `customer_code`."""

    customer_code = models.PositiveBigIntegerField(
        unique=True, help_text="The customer's code in the FlashStart customer area."
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("e-mail", blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The salesperson responsible: who registered it, until a manager hands it over.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
        limit_choices_to=Q(is_superuser=True) | Q(groups__name__in=(roles.SALES, roles.MANAGERS)),
        help_text="The salesperson responsible: reminders about this customer go to them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "customer_code"]
        indexes = [models.Index(fields=["name", "customer_code"], name="customer_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_code})"

    @property
    def approvals_shown(self) -> list:
        """Its purchases awaiting approval, and those decided in the last week (newest first,
        at most 10): its page shows them."""
        since = timezone.now() - timedelta(days=7)
        return list(
            self.approvals.filter(Q(status="pending") | Q(decided_at__gte=since))
            .select_related("customer", "requested_by", "decided_by")
            .order_by("-created_at", "-id")[:10]
        )


class AssignmentKind(models.TextChoices):
    PAID = "paid", "Paid licence"
    DEMO = "demo", "Demo"


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Outcome unknown"


class Renewal(models.TextChoices):
    ON = "on", "Renewal on"
    SUSPENDED = "suspended", "Renewal suspended"


class LicenseAssignment(models.Model):
    """One attempt to give a customer a licence, from intent to the vendor's outcome.

    The row is committed as PENDING (with the form's one-time `token`) before the vendor
    is called, so a second submit of the same form finds it instead of buying twice.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=8, choices=AssignmentKind.choices)
    license_code = models.CharField("licence code", max_length=64, blank=True)
    license_name = models.CharField("licence name", max_length=255, blank=True)
    license_info = models.CharField("licence label", max_length=255, blank=True)
    # NULL until the vendor answers: several pending rows must not collide on "".
    license_id = models.CharField(  # noqa: DJ001
        "FlashStart licence id", max_length=64, null=True, blank=True
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
        default=True, help_text="FlashStart notifies the customer (the vendor's option)."
    )
    # A settled sale a manager should look at: details missing from the vendor's answer,
    # or an amount deducted other than the one shown. `review_note` says what.
    needs_review = models.BooleanField("needs checking", default=False)
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
        verbose_name = "licence assignment"
        verbose_name_plural = "licence assignments"
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
            # The renewal forecast (selectors.forecast) reads this index and nothing else.
            models.Index(
                fields=[
                    *("kind", "status", "expiry_date", "renewal", "currency", "license_code"),
                    *("start_date", "amount", "quoted_amount"),
                ],
                condition=Q(kind="paid", status="active"),
                name="assignment_forecast_idx",
            ),
        ]

    def __str__(self) -> str:
        label = self.license_name or self.license_code or self.get_kind_display()
        return f"{label} for {self.customer_id} ({self.get_status_display()})"

    @property
    def is_stale(self) -> bool:
        """PENDING for longer than any vendor call can take: left behind by a crash."""
        if self.status != AssignmentStatus.PENDING:
            return False
        # A submit may make a few calls (each bounded by the timeout) and then settle.
        stale_after = settings.FLASHSTART_TIMEOUT * 4 + 60
        return (timezone.now() - self.created_at).total_seconds() > stale_after

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
    answer = models.TextField(blank=True, help_text="The vendor's answer (bounded).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignment", "-created_at"], name="vendor_answer_assign_idx")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} answer for assignment {self.assignment_id}"


class AuditAction(models.TextChoices):
    LICENSE_ASSIGN = "license_assign", "Assign licence"
    DEMO_ASSIGN = "demo_assign", "Assign demo"
    RENEWAL_SUSPEND = "renewal_suspend", "Suspend renewal"
    RENEWAL_RESUME = "renewal_resume", "Resume renewal"
    ASSIGNMENT_RESOLVE = "assignment_resolve", "Resolve unknown outcome"
    CUSTOMER_REGISTER = "customer_register", "Register customer"
    CUSTOMER_CREATE = "customer_create", "Create customer at vendor"
    CUSTOMER_UPDATE = "customer_update", "Change customer"
    CUSTOMER_DELETE = "customer_delete", "Delete customer"
    DASHBOARD_OPEN = "dashboard_open", "Open customer dashboard"
    LOGIN = "login", "Log in"
    LOGIN_FAILED = "login_failed", "Failed log in"
    LOGIN_LOCKED = "login_locked", "Log in locked out"
    LOGOUT = "logout", "Log out"
    ACCESS_DENIED = "access_denied", "Access refused"
    AUDIT_EXPORT = "audit_export", "Audit export"
    REMINDER_SEND = "reminder_send", "Send reminder"
    PROFILE_UPDATE = "profile_update", "Change profile"
    AUDIT_CHECKPOINT = "audit_checkpoint", "Audit checkpoint"
    LOGIN_UNLOCK = "login_unlock", "Log in unlocked"
    APPROVAL_REQUEST = "approval_request", "Request approval"
    APPROVAL_APPROVE = "approval_approve", "Approve purchase"
    APPROVAL_REJECT = "approval_reject", "Reject purchase"
    APPROVAL_EXPIRE = "approval_expire", "Approval request expired"
    LIMIT_CHANGE = "limit_change", "Change spending limit"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILED = "failed", "Refused by vendor"
    UNKNOWN = "unknown", "Outcome unknown"
    INVALID = "invalid", "Invalid input"
    DENIED = "denied", "Permission refused"
    DUPLICATE = "duplicate", "Repeated submit"
    ERROR = "error", "Vendor unavailable"


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One attempt, whatever its outcome. Never updated or deleted.

    `hash` covers the row's content and `prev_hash` (the hash of the row before it), so
    any change, removal or reordering breaks the chain that `manage.py verify_audit` walks.
    Which fields it covers, and how, is `licensing.audit.hashing`'s to say.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # No database constraint: deleting a user must not touch (update) audit rows.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    customer_code = models.PositiveBigIntegerField(null=True, blank=True)
    assignment = models.ForeignKey(
        LicenseAssignment,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    endpoint = models.CharField(max_length=64, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    sent = models.TextField(blank=True, help_text="JSON sent to the vendor (no API key).")
    answer = models.TextField(blank=True, help_text="The vendor's answer (bounded).")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # How `hash` was made (`licensing.audit.hashing`): 1, HMAC-SHA256 with AUDIT_HMAC_KEY,
    # for every row written now; 0 (plain SHA-256) for rows written before the chain was
    # keyed, which migration 0006 left as they were.
    hash_version = models.PositiveSmallIntegerField(default=1)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["created_at"], name="audit_created_idx"),
            models.Index(fields=["action", "-seq"], name="audit_action_idx"),
            models.Index(fields=["outcome", "-seq"], name="audit_outcome_idx"),
            models.Index(fields=["actor_username", "-seq"], name="audit_actor_idx"),
            models.Index(fields=["customer_code", "-seq"], name="audit_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def compute_hash(self) -> str:
        """The hash this row must carry, by the chain's one rule (`licensing.audit.hashing`:
        which fields, how each value is written, the digest)."""
        # Imported here: the audit package imports this module.
        from licensing.audit import hashing

        return hashing.row_hash(self)


class AuditChainHead(models.Model):
    """The single row that serialises writers of the audit chain and remembers its end.

    Writers lock it (SELECT ... FOR UPDATE) so two requests never chain onto the same
    previous row; `verify_audit` compares it with the last row, so a cut tail is noticed.
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    # The chain's writer creates this row with `hashing.GENESIS_HASH` (a test checks that
    # this default, kept literal here to avoid an import cycle, is the same).
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class ReminderKind(models.TextChoices):
    EXPIRY_30 = "expiry_30", "Expires within 30 days"
    EXPIRY_7 = "expiry_7", "Expires within 7 days"
    DEMO_ENDING = "demo_ending", "Demo ends within 3 days"
    DIGEST = "digest", "Managers' digest"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Sending failed"


class Reminder(models.Model):
    """One reminder, claimed before its e-mail is sent: the unique constraints make a
    licence's reminder of a kind for a date (its expiry date), or a manager's digest for a
    day, go out once however often `send_reminders` runs."""

    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    date = models.DateField(help_text="The licence's expiry date; the digest's day.")
    assignment = models.ForeignKey(
        LicenseAssignment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(help_text="Where it was sent, as it was then.")
    status = models.CharField(
        max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "date"],
                condition=Q(assignment__isnull=False),
                name="reminder_once_per_licence",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "date"],
                condition=Q(assignment__isnull=True),
                name="reminder_digest_once_per_day",
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", assignment__isnull=True)
                | (~Q(kind="digest") & Q(assignment__isnull=False)),
                name="reminder_digest_has_no_licence",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.date} ({self.get_status_display()})"


class Profile(models.Model):
    """A person's preferences, created the first time one is saved (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_profile"
    )
    reminders_opt_out = models.BooleanField(
        default=False, help_text="No reminder or digest e-mails for this person."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class RollupMonth(models.Model):
    """The reports' roll-up: settled assignments of one month (portal's time zone), staff
    member, kind and currency, counted by status, with what the active ones cost.

    `services.rollup_record` keeps it in the transaction that settles or resolves an
    assignment; `manage.py rebuild_rollups` recomputes it from the assignments.
    """

    month = models.DateField(help_text="The month's first day.")
    # A user id, not a foreign key: 0 for none, and no NULL in the unique key.
    staff = models.PositiveBigIntegerField(help_text="Who started them (user id, 0: none).")
    kind = models.CharField(max_length=8, choices=AssignmentKind.choices)
    currency = models.CharField(max_length=3, blank=True)
    # No CHECK (>= 0) on the counters: a roll-up slip must never make a settle fail.
    active = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    unknown = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "staff", "kind", "currency"], name="rollup_month_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.currency} by user {self.staff}"


class RollupEntry(models.Model):
    """What one settled assignment adds to its RollupMonth: recording it twice changes
    nothing, and a resolve moves it from "unknown" to its outcome."""

    assignment = models.OneToOneField(
        LicenseAssignment, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    bucket = models.ForeignKey(RollupMonth, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=AssignmentStatus.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"assignment {self.assignment_id} in {self.bucket_id} as {self.status}"


class RollupDemoLead(models.Model):
    """A customer whose latest active demo has no active paid licence after it (the row
    exists while that holds; kept by `services.rollup_record`)."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    demo_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["demo_at"], name="rollup_demo_lead_idx")]

    def __str__(self) -> str:
        return f"demo lead {self.customer_id} since {self.demo_at:%Y-%m-%d}"


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
        "per purchase (EUR)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="A purchase above this needs a manager's approval. Empty: no limit.",
    )
    per_day_eur = models.DecimalField(
        "per day (EUR)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Purchases of one day (pending and settled) above this need approval. "
        "Empty: no limit.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "spending limit"
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=True, user__isnull=False)
                | Q(group__isnull=False, user__isnull=True),
                name="spending_limit_group_or_user",
                violation_error_message="Choose either a group or a person (one of them).",
            ),
            models.CheckConstraint(
                condition=(Q(per_purchase_eur__isnull=True) | Q(per_purchase_eur__gte=0))
                & (Q(per_day_eur__isnull=True) | Q(per_day_eur__gte=0)),
                name="spending_limit_not_negative",
                violation_error_message="A limit cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"limit of {self.user or self.group}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class ApprovalRequest(models.Model):
    """A purchase above its requester's limit, waiting for (or decided by) a manager.

    No vendor call is made for it until a manager approves; the sale then runs through
    `services.license_assign` with `token` as its one-time token, so however many managers
    approve at once, one licence is bought.
    """

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="approvals")
    license_code = models.CharField("licence code", max_length=64)
    license_name = models.CharField("licence name", max_length=255, blank=True)
    license_info = models.CharField("licence label", max_length=255)
    amount = models.DecimalField("quoted amount", max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    amount_eur = models.DecimalField(
        "amount in EUR", max_digits=12, decimal_places=2, null=True, blank=True
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
        return (
            f"{self.license_name or self.license_code} for {self.customer} "
            f"({self.get_status_display()})"
        )

    @property
    def is_expired(self) -> bool:
        """Pending past its expiry: nobody may approve it any more."""
        return self.status == ApprovalStatus.PENDING and timezone.now() >= self.expires_at
