"""The append-only, hash-chained audit trail (its hash rule lives in licensing.audit.hashing)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from licensing.models.assignments import LicenseAssignment
from licensing.models.naming import name_fields, name_model


class AuditAction(models.TextChoices):
    """What an audit row records an attempt to do. The labels are translated when shown;
    the exports write them in English (`audit.exports`)."""

    LICENSE_ASSIGN = "license_assign", pgettext_lazy("audit action type", "Assign licence")
    DEMO_ASSIGN = "demo_assign", pgettext_lazy("audit action type", "Assign demo")
    RENEWAL_SUSPEND = "renewal_suspend", pgettext_lazy("audit action type", "Suspend renewal")
    RENEWAL_RESUME = "renewal_resume", pgettext_lazy("audit action type", "Resume renewal")
    ASSIGNMENT_RESOLVE = (
        "assignment_resolve",
        pgettext_lazy("audit action type", "Resolve unknown outcome"),
    )
    CUSTOMER_REGISTER = (
        "customer_register",
        pgettext_lazy("audit action type", "Register customer"),
    )
    CUSTOMER_CREATE = (
        "customer_create",
        pgettext_lazy("audit action type", "Create customer at vendor"),
    )
    CUSTOMER_UPDATE = "customer_update", pgettext_lazy("audit action type", "Change customer")
    CUSTOMER_DELETE = "customer_delete", pgettext_lazy("audit action type", "Delete customer")
    DASHBOARD_OPEN = (
        "dashboard_open",
        pgettext_lazy("audit action type", "Open customer dashboard"),
    )
    LOGIN = "login", pgettext_lazy("audit action type", "Log in")
    LOGIN_FAILED = "login_failed", pgettext_lazy("audit action type", "Failed log in")
    LOGIN_LOCKED = "login_locked", pgettext_lazy("audit action type", "Log in locked out")
    LOGOUT = "logout", pgettext_lazy("audit action type", "Log out")
    ACCESS_DENIED = "access_denied", pgettext_lazy("audit action type", "Access refused")
    AUDIT_EXPORT = "audit_export", pgettext_lazy("audit action type", "Audit export")
    REMINDER_SEND = "reminder_send", pgettext_lazy("audit action type", "Send reminder")
    PROFILE_UPDATE = "profile_update", pgettext_lazy("audit action type", "Change profile")
    AUDIT_CHECKPOINT = "audit_checkpoint", pgettext_lazy("audit action type", "Audit checkpoint")
    LOGIN_UNLOCK = "login_unlock", pgettext_lazy("audit action type", "Log in unlocked")
    APPROVAL_REQUEST = "approval_request", pgettext_lazy("audit action type", "Request approval")
    APPROVAL_APPROVE = "approval_approve", pgettext_lazy("audit action type", "Approve purchase")
    APPROVAL_REJECT = "approval_reject", pgettext_lazy("audit action type", "Reject purchase")
    APPROVAL_EXPIRE = (
        "approval_expire",
        pgettext_lazy("audit action type", "Approval request expired"),
    )
    LIMIT_CHANGE = "limit_change", pgettext_lazy("audit action type", "Change spending limit")
    APPROVAL_REOPEN = (
        "approval_reopen",
        pgettext_lazy("audit action type", "Approved request re-opened"),
    )


class AuditOutcome(models.TextChoices):
    """How an audited attempt ended (labels translated when shown, English in exports)."""

    SUCCESS = "success", pgettext_lazy("audit result", "Success")
    FAILED = "failed", pgettext_lazy("audit result", "Refused by vendor")
    UNKNOWN = "unknown", pgettext_lazy("audit result", "Outcome unknown")
    INVALID = "invalid", pgettext_lazy("audit result", "Invalid input")
    DENIED = "denied", pgettext_lazy("audit result", "Permission refused")
    DUPLICATE = "duplicate", pgettext_lazy("audit result", "Repeated submit")
    ERROR = "error", pgettext_lazy("audit result", "Vendor unavailable")


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
    sent = models.TextField(blank=True, help_text=_("JSON sent to the vendor (no API key)."))
    answer = models.TextField(blank=True, help_text=_("The vendor's answer (bounded)."))
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
        return gettext("#%(number)s %(action)s: %(outcome)s") % {
            "number": self.seq,
            "action": self.get_action_display(),
            "outcome": self.get_outcome_display(),
        }

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


name_model(AuditEvent, _("audit event"), _("audit events"))
name_fields(
    AuditEvent,
    seq=_("seq"),
    created_at=_("created at"),
    actor=_("actor"),
    actor_username=_("actor username"),
    ip=_("ip"),
    user_agent=_("user agent"),
    request_id=_("request id"),
    action=_("action"),
    outcome=_("outcome"),
    customer_code=_("customer code"),
    assignment=_("assignment"),
    endpoint=_("endpoint"),
    http_status=_("http status"),
    duration_ms=_("duration ms"),
    message=_("message"),
    sent=_("sent"),
    answer=_("answer"),
    prev_hash=_("prev hash"),
    hash=_("hash"),
    hash_version=_("hash version"),
)


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
