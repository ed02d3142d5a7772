"""The reports' roll-up (filled from the assignments already stored), and trigram indexes
behind the customer searches on PostgreSQL.

The indexes are on the expressions Django's `icontains` compares on PostgreSQL
(`UPPER(col::text) LIKE UPPER('%…%')`), so the portal's search and the admin's use them
unchanged. They are PostgreSQL's own (`pg_trgm`, GIN): on SQLite this step does nothing
and the searches stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "customer_name_trgm_idx": "name",
    "customer_email_trgm_idx": "email",
}


def fill_rollup(apps, schema_editor):
    # Imported here, not at the top: the services need the app registry ready.
    from licensing import services

    services.rollup_rebuild(apps=apps)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("licensing", "Customer")._meta.db_table)
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} "
            f"USING gin ((UPPER({schema_editor.quote_name(column)}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0005_owner_reminders"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(help_text="The month's first day.")),
                (
                    "staff",
                    models.PositiveBigIntegerField(
                        help_text="Who started them (user id, 0: none)."
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("paid", "Paid licence"), ("demo", "Demo")], max_length=8
                    ),
                ),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("active", models.IntegerField(default=0)),
                ("failed", models.IntegerField(default=0)),
                ("unknown", models.IntegerField(default=0)),
                ("amount", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "staff", "kind", "currency"), name="rollup_month_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RollupEntry",
            fields=[
                (
                    "assignment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="licensing.licenseassignment",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("active", "Active"),
                            ("failed", "Failed"),
                            ("unknown", "Outcome unknown"),
                        ],
                        max_length=8,
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                (
                    "bucket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="licensing.rollupmonth",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RollupDemoLead",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="licensing.customer",
                    ),
                ),
                ("demo_at", models.DateTimeField()),
            ],
            options={
                "indexes": [models.Index(fields=["demo_at"], name="rollup_demo_lead_idx")],
            },
        ),
        migrations.RunPython(fill_rollup, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
