"""Audit actions for the admin's edits and deletions of customers (choices only: no schema
change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0002_roles_and_audit_guard"),
    ]

    operations = [
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
                ],
                max_length=32,
            ),
        ),
    ]
