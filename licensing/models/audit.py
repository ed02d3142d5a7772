"""The append-only, hash-chained audit trail (its hash rule lives in licensing.audit.hashing)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from licensing.models.assignments import LicenseAssignment


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
