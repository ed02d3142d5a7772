"""Two indexes on the assignments behind the Reports page, so the uncached page reads
only the rows it shows or counts.

- assignment_renewals_due_idx replaces assignment_forecast_idx: the same columns, in the
  order the renewal forecast groups them after the two it fixes (kind, status), and no
  longer partial. The forecast then streams its groups from the window of this index
  alone: PostgreSQL left the partial index's own condition out of the scan's bounds and
  read all of it (or the table, through a bitmap scan).
- assignment_ending_idx: the licences that end instead of renewing (demos, suspended
  renewals), by status and expiry, counted by "ending soon" on the Reports page.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0010_profile_language"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="licenseassignment",
            name="assignment_forecast_idx",
        ),
        migrations.AddIndex(
            model_name="licenseassignment",
            index=models.Index(
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
                name="assignment_renewals_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="licenseassignment",
            index=models.Index(
                condition=models.Q(("kind", "demo"), ("renewal", "suspended"), _connector="OR"),
                fields=["status", "expiry_date", "kind", "renewal"],
                name="assignment_ending_idx",
            ),
        ),
    ]
