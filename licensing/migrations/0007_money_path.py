"""The money path: the vendor's answer kept before settling (VendorAnswer), licence ids
unique per kind (demos are numbered apart from paid licences), the customer's
notification choice, the "needs checking" flag for managers, and the renewal-change
lease that serialises suspend and resume of one licence."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0006_reports_rollup_and_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VendorAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("endpoint", models.CharField(max_length=64)),
                ("http_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("license_id", models.TextField(blank=True)),
                ("start_date", models.TextField(blank=True)),
                ("expiry_date", models.TextField(blank=True)),
                ("amount", models.TextField(blank=True)),
                ("currency", models.TextField(blank=True)),
                (
                    "answer",
                    models.TextField(blank=True, help_text="The vendor's answer (bounded)."),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="licenseassignment",
            name="assignment_license_id_unique",
        ),
        migrations.AddField(
            model_name="licenseassignment",
            name="accept_notifications",
            field=models.BooleanField(
                default=True, help_text="FlashStart notifies the customer (the vendor's option)."
            ),
        ),
        migrations.AddField(
            model_name="licenseassignment",
            name="needs_review",
            field=models.BooleanField(default=False, verbose_name="needs checking"),
        ),
        migrations.AddField(
            model_name="licenseassignment",
            name="renewal_change",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="licenseassignment",
            name="renewal_change_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="licenseassignment",
            name="review_note",
            field=models.TextField(blank=True),
        ),
        migrations.AddIndex(
            model_name="licenseassignment",
            index=models.Index(fields=["license_id"], name="assignment_license_id_idx"),
        ),
        migrations.AddIndex(
            model_name="licenseassignment",
            index=models.Index(
                fields=["needs_review", "-created_at"], name="assignment_review_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="licenseassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("license_id__isnull", False)),
                fields=("kind", "license_id"),
                name="assignment_license_id_unique_per_kind",
            ),
        ),
        migrations.AddField(
            model_name="vendoranswer",
            name="assignment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="vendor_answers",
                to="licensing.licenseassignment",
            ),
        ),
        migrations.AddIndex(
            model_name="vendoranswer",
            index=models.Index(
                fields=["assignment", "-created_at"], name="vendor_answer_assign_idx"
            ),
        ),
    ]
