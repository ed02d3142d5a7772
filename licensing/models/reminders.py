"""Reminders sent ahead of expiries and demo ends: one row per reminder, so each goes out once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from licensing.models.assignments import LicenseAssignment


class ReminderKind(models.TextChoices):
    EXPIRY_30 = "expiry_30", _("Expires within 30 days")
    EXPIRY_7 = "expiry_7", _("Expires within 7 days")
    DEMO_ENDING = "demo_ending", _("Demo ends within 3 days")
    DIGEST = "digest", _("Managers' digest")


class ReminderStatus(models.TextChoices):
    """A reminder e-mail's state (the Italian agrees with "promemoria")."""

    PENDING = "pending", pgettext_lazy("reminder status", "Being sent")
    SENT = "sent", pgettext_lazy("reminder status", "Sent")
    FAILED = "failed", pgettext_lazy("reminder status", "Sending failed")


class Reminder(models.Model):
    """One reminder, claimed before its e-mail is sent: the unique constraints make a
    licence's reminder of a kind for a date (its expiry date), or a manager's digest for a
    day, go out once however often `send_reminders` runs."""

    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    date = models.DateField(help_text=_("The licence's expiry date; the digest's day."))
    assignment = models.ForeignKey(
        LicenseAssignment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(help_text=_("Where it was sent, as it was then."))
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
        return gettext("%(kind)s for %(date)s (%(status)s)") % {
            "kind": self.get_kind_display(),
            "date": self.date,
            "status": self.get_status_display(),
        }
