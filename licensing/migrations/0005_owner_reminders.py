"""Ahead of the calendar: each customer's owner, the reminders sent (once each), the
people's profiles (reminder opt-out), the renewal forecast's index and two audit actions
(choices only)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0004_wording"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text="The salesperson responsible: reminders about this customer go to them.",
                limit_choices_to=models.Q(
                    ("is_superuser", True),
                    ("groups__name__in", ("Sales", "Managers")),
                    _connector="OR",
                ),
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="owned_customers",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Who registered a customer owns it until a manager hands it over.
        migrations.RunSQL(
            "UPDATE licensing_customer SET owner_id = created_by_id WHERE owner_id IS NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("license_assign", "Assign licence"),
                    ("demo_assign", "Assign demo"),
                    ("renewal_suspend", "Suspend renewal"),
                    ("renewal_resume", "Resume renewal"),
                    ("assignment_resolve", "Resolve unknown outcome"),
                    ("customer_register", "Register customer"),
                    ("customer_create", "Create customer at vendor"),
                    ("customer_update", "Change customer"),
                    ("customer_delete", "Delete customer"),
                    ("dashboard_open", "Open customer dashboard"),
                    ("login", "Log in"),
                    ("login_failed", "Failed log in"),
                    ("login_locked", "Log in locked out"),
                    ("logout", "Log out"),
                    ("access_denied", "Access refused"),
                    ("audit_export", "Audit export"),
                    ("reminder_send", "Send reminder"),
                    ("profile_update", "Change profile"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddIndex(
            model_name="licenseassignment",
            index=models.Index(
                condition=models.Q(("kind", "paid"), ("status", "active")),
                fields=[
                    "kind",
                    "status",
                    "expiry_date",
                    "renewal",
                    "currency",
                    "license_code",
                    "start_date",
                    "amount",
                    "quoted_amount",
                ],
                name="assignment_forecast_idx",
            ),
        ),
        migrations.CreateModel(
            name="Profile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reminders_opt_out",
                    models.BooleanField(
                        default=False, help_text="No reminder or digest e-mails for this person."
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_profile",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Reminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("expiry_30", "Expires within 30 days"),
                            ("expiry_7", "Expires within 7 days"),
                            ("demo_ending", "Demo ends within 3 days"),
                            ("digest", "Managers' digest"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "date",
                    models.DateField(help_text="The licence's expiry date; the digest's day."),
                ),
                (
                    "email",
                    models.EmailField(help_text="Where it was sent, as it was then.", max_length=254),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Being sent"),
                            ("sent", "Sent"),
                            ("failed", "Sending failed"),
                        ],
                        default="pending",
                        max_length=8,
                    ),
                ),
                ("error", models.CharField(blank=True, max_length=300)),
                ("claimed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assignment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="licensing.licenseassignment",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-claimed_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("assignment__isnull", False)),
                        fields=("assignment", "kind", "date"),
                        name="reminder_once_per_licence",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("assignment__isnull", True)),
                        fields=("recipient", "kind", "date"),
                        name="reminder_digest_once_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("assignment__isnull", True), ("kind", "digest")),
                            models.Q(
                                models.Q(("kind", "digest"), _negated=True),
                                ("assignment__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="reminder_digest_has_no_licence",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["expiry_30", "expiry_7", "demo_ending", "digest"])
                        ),
                        name="reminder_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "sent", "failed"])),
                        name="reminder_status_valid",
                    ),
                ],
            },
        ),
    ]
