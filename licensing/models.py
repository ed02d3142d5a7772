"""The portal's records: customers, licence assignments and the append-only audit trail.

Invariants live in the database (unique and check constraints), so that no code path,
admin action or shell session can store an impossible state.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "customer_code"]
        indexes = [models.Index(fields=["name", "customer_code"], name="customer_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_code})"


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
    license_code = models.CharField(max_length=64, blank=True)
    license_name = models.CharField(max_length=255, blank=True)
    license_info = models.CharField(max_length=255, blank=True)
    # NULL until the vendor answers: several pending rows must not collide on "".
    license_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
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
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["license_id"],
                condition=Q(license_id__isnull=False),
                name="assignment_license_id_unique",
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
