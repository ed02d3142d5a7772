"""Creates the Sales and Managers groups, the audit chain head, and (on PostgreSQL) a
trigger that refuses UPDATE and DELETE on audit rows."""

from django.db import migrations

GROUPS = ("Sales", "Managers")

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION licensing_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'licensing_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER licensing_auditevent_append_only
    BEFORE UPDATE OR DELETE ON licensing_auditevent
    FOR EACH ROW EXECUTE FUNCTION licensing_audit_append_only();
"""

DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS licensing_auditevent_append_only ON licensing_auditevent;
DROP FUNCTION IF EXISTS licensing_audit_append_only();
"""


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    AuditChainHead = apps.get_model("licensing", "AuditChainHead")
    AuditChainHead.objects.get_or_create(pk=1)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
