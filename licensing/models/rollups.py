"""The monthly spend roll-up behind Reports, kept in the settle transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.assignments import AssignmentKind, AssignmentStatus, LicenseAssignment
from licensing.models.customers import Customer


class RollupMonth(models.Model):
    """The reports' roll-up: settled assignments of one month (portal's time zone), staff
    member, kind and currency, counted by status, with what the active ones cost.

    `services.rollup_record` keeps it in the transaction that settles or resolves an
    assignment; `manage.py rebuild_rollups` recomputes it from the assignments.
    """

    month = models.DateField(help_text=_("The month's first day."))
    # A user id, not a foreign key: 0 for none, and no NULL in the unique key.
    staff = models.PositiveBigIntegerField(help_text=_("Who started them (user id, 0: none)."))
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
