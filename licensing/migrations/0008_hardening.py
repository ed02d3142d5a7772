"""The keyed audit chain: each row says how its hash was made (`hash_version`), and a
trail that already has rows gets a keyed checkpoint row after them.

Rows written before this migration keep their plain SHA-256 hashes (`hash_version` 0,
the default the column is added with, without an UPDATE reaching the append-only table;
then the default becomes 1). From here on the chain's writer hashes with HMAC-SHA256 and AUDIT_HMAC_KEY
(`hash_version` 1). The checkpoint row appended here is the first keyed row, so the
newest row of an upgraded trail is keyed from the start (the verifier's rule 3, see
licensing/audit/verify.py and docs/audit.md).
"""

import logging

from django.db import migrations, models
from django.utils import timezone

log = logging.getLogger("licensing.audit")


def key_the_chain(apps, schema_editor):
    # The rule of a keyed hash is the portal's own (licensing.audit.hashing), used on the
    # historical model: it reads the hashed fields by name.
    from licensing.audit import hashing

    AuditChainHead = apps.get_model("licensing", "AuditChainHead")
    AuditEvent = apps.get_model("licensing", "AuditEvent")
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.last_seq == 0:
        return  # an empty trail: every row will be keyed
    event = AuditEvent(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        user_agent="migration 0006_hardening",
        action="audit_checkpoint",
        outcome="success",
        message=(
            f"Checkpoint of the audit chain (keyed from here): rows #1 to #{head.last_seq} "
            "were written before AUDIT_HMAC_KEY, with unkeyed hashes; this row and every "
            "later one carry an HMAC"
        ),
        prev_hash=head.last_hash,
        hash_version=hashing.KEYED,
    )
    event.hash = hashing.row_hash(event)
    event.save(force_insert=True)
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    log.info(
        "audit checkpoint",
        extra={
            "checkpoint_seq": event.seq,
            "checkpoint_hash": event.hash,
            "checkpoint_at": hashing.iso_utc(event.created_at),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0007_money_path"),
    ]

    operations = [
        # 0 for the rows already there; 1 (keyed) for every row built from here on.
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1),
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
                    ("audit_checkpoint", "Audit checkpoint"),
                    ("login_unlock", "Log in unlocked"),
                ],
                max_length=32,
            ),
        ),
        # Irreversible in effect: audit rows are never removed.
        migrations.RunPython(key_the_chain, migrations.RunPython.noop),
    ]
