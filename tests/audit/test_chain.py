"""The audit trail is append-only and its hash chain exposes any tampering."""

import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from licensing import audit
from licensing.audit import hashing
from licensing.models import AuditAction, AuditEvent, AuditOutcome


def _write(n: int) -> list[AuditEvent]:
    return [
        audit.record(
            meta=None,
            action=AuditAction.LOGIN,
            outcome=AuditOutcome.SUCCESS,
            message=f"event {i}",
        )
        for i in range(n)
    ]


def _raw(sql: str, params=()) -> None:
    """Tamper behind the application's back (on PostgreSQL, past the trigger too)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE licensing_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE licensing_auditevent ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_rows_chain_onto_each_other_and_verify_clean():
    events = _write(3)
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert [e.seq for e in events] == [1, 2, 3]
    assert audit.verify() == (3, None)


@pytest.mark.django_db
def test_application_cannot_update_or_delete_rows():
    event = _write(1)[0]
    event.message = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_postgresql_trigger_refuses_update_and_delete():
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    event = _write(1)[0]
    for sql in (
        "UPDATE licensing_auditevent SET message = 'x'",
        "DELETE FROM licensing_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).message == "event 0"


@pytest.mark.django_db
def test_changed_content_is_reported_at_that_row():
    _write(4)
    _raw("UPDATE licensing_auditevent SET message = %s WHERE seq = 3", ["forged"])
    checked, broken = audit.verify()
    assert checked == 2
    assert broken.seq == 3
    assert "changed" in broken.reason


@pytest.mark.django_db
def test_deleted_row_is_reported():
    _write(4)
    _raw("DELETE FROM licensing_auditevent WHERE seq = 2")
    _, broken = audit.verify()
    assert broken.seq == 3
    assert "missing" in broken.reason


@pytest.mark.django_db
def test_deleted_last_row_is_reported():
    _write(3)
    _raw("DELETE FROM licensing_auditevent WHERE seq = 3")
    checked, broken = audit.verify()
    assert checked == 2
    assert broken is not None and broken.seq == 3


@pytest.mark.django_db
def test_swapped_rows_are_reported():
    events = _write(3)
    # Swap the content (and hashes) of rows 1 and 2, keeping their positions.
    a, b = events[0], events[1]
    _raw(
        "UPDATE licensing_auditevent SET message = %s, hash = %s, prev_hash = %s WHERE seq = 1",
        [b.message, "f" * 64, b.prev_hash],
    )
    _raw(
        "UPDATE licensing_auditevent SET message = %s, hash = %s, prev_hash = %s WHERE seq = 2",
        [a.message, a.hash, a.prev_hash],
    )
    _, broken = audit.verify()
    assert broken is not None and broken.seq == 1


@pytest.mark.django_db
def test_verify_audit_command_names_the_broken_row(capsys):
    _write(3)
    call_command("verify_audit")
    assert "3 row(s) verified" in capsys.readouterr().out
    _raw("UPDATE licensing_auditevent SET actor_username = %s WHERE seq = 2", ["mallory"])
    with pytest.raises(CommandError, match="row #2"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    errors = []

    def writer():
        try:
            _write(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert audit.verify() == (60, None)


@pytest.mark.django_db
def test_secrets_are_scrubbed_from_what_was_sent():
    event = audit.record(
        meta=None,
        action=AuditAction.CUSTOMER_CREATE,
        outcome=AuditOutcome.SUCCESS,
        sent={"email": "a@b.it", "password": "hunter2hunter2", "nested": {"token": "abc"}},
    )
    assert "hunter2" not in event.sent
    assert "abc" not in event.sent
    assert "a@b.it" in event.sent


# --- the keyed, anchored chain ----------------------------------------------------------


def _rewrite(
    *, from_seq: int, version: int, key: str | None = None, through: int | None = None, **changes
) -> None:
    """What someone with write access to the database does: change row `from_seq`, then
    recompute its hash and every later one (and the chain head) so that links match,
    with `key` (the attacker's guess, or the real one) or as unkeyed rows."""
    from django.test import override_settings

    from licensing.models import AuditChainHead

    rows = list(AuditEvent.objects.order_by("seq"))
    prev = rows[from_seq - 2].hash if from_seq > 1 else audit.GENESIS_HASH
    rows = rows[: through or len(rows)]
    with override_settings(AUDIT_HMAC_KEY=key or "not-used-for-unkeyed-rows"):
        for row in rows[from_seq - 1 :]:
            if row.seq == from_seq:
                for name, value in changes.items():
                    setattr(row, name, value)
            row.prev_hash, row.hash_version = prev, version
            row.hash = hashing.row_hash(row)
            prev = row.hash
            _raw(
                "UPDATE licensing_auditevent SET message = %s, actor_username = %s, "
                "prev_hash = %s, hash = %s, hash_version = %s WHERE seq = %s",
                [row.message, row.actor_username, row.prev_hash, row.hash, version, row.seq],
            )
    if through is None:
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def _legacy_rows(n: int) -> None:
    """`n` rows (the first of the trail) as the portal wrote them before the chain was
    keyed: plain SHA-256, hash_version 0."""
    from licensing.models import AuditChainHead

    prev = audit.GENESIS_HASH
    for event in _write(n):
        event.prev_hash, event.hash_version = prev, hashing.UNKEYED
        event.hash = hashing.row_hash(event)
        _raw(
            "UPDATE licensing_auditevent SET prev_hash = %s, hash = %s, hash_version = 0 "
            "WHERE seq = %s",
            [event.prev_hash, event.hash, event.seq],
        )
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


@pytest.mark.django_db
def test_new_rows_carry_an_hmac_with_the_configured_key(settings):
    event = _write(1)[0]

    assert event.hash_version == hashing.KEYED
    settings.AUDIT_HMAC_KEY = "another-key-another-key-another-key!"
    assert hashing.row_hash(event) != event.hash


@pytest.mark.django_db
def test_a_full_rewrite_without_the_key_as_unkeyed_rows_is_detected():
    _write(60)

    _rewrite(from_seq=50, version=hashing.UNKEYED, message="nothing happened here")

    checked, broken = audit.verify()
    assert broken is not None and broken.seq == 50 and checked == 49
    assert "not keyed" in broken.reason


@pytest.mark.django_db
def test_a_rewrite_of_every_row_as_unkeyed_rows_is_detected():
    _write(10)

    _rewrite(from_seq=1, version=hashing.UNKEYED, message="history, rewritten")

    checked, broken = audit.verify()
    assert broken is not None and "newest row is not keyed" in broken.reason


@pytest.mark.django_db
def test_a_full_rewrite_with_a_guessed_key_is_detected_at_the_first_changed_row():
    _write(60)

    _rewrite(from_seq=50, version=hashing.KEYED, key="guessed-key-" * 4, actor_username="mallory")

    checked, broken = audit.verify()
    assert (checked, broken.seq) == (49, 50)
    assert "changed" in broken.reason


@pytest.mark.django_db
def test_rows_written_before_the_chain_was_keyed_still_verify():
    _legacy_rows(3)
    keyed = _write(2)

    assert [e.hash_version for e in AuditEvent.objects.order_by("seq")] == [0, 0, 0, 1, 1]
    assert keyed[0].prev_hash == AuditEvent.objects.get(seq=3).hash
    assert audit.verify() == (5, None)


@pytest.mark.django_db
def test_the_upgrade_appends_a_keyed_checkpoint_after_the_unkeyed_rows():
    from importlib import import_module

    from django.apps import apps

    _legacy_rows(3)
    # An upgraded trail whose newest row is still unkeyed does not verify...
    assert "newest row is not keyed" in audit.verify()[1].reason

    import_module("licensing.migrations.0008_hardening").key_the_chain(apps, None)

    marker = AuditEvent.objects.get(seq=4)
    assert (marker.action, marker.hash_version) == (AuditAction.AUDIT_CHECKPOINT, 1)
    assert "rows #1 to #3" in marker.message
    assert audit.verify() == (4, None)
    _write(1)
    assert audit.verify() == (5, None)


@pytest.mark.django_db
def test_an_old_row_rewritten_after_the_upgrade_is_detected():
    _legacy_rows(3)
    _write(3)

    # Unkeyed rows can be recomputed without the key, up to the first keyed row's link.
    _rewrite(from_seq=2, through=3, version=hashing.UNKEYED, message="forged")

    _, broken = audit.verify()
    assert broken is not None and broken.seq == 4


@pytest.mark.django_db
def test_an_unknown_hash_version_is_a_break():
    _write(3)
    _raw("UPDATE licensing_auditevent SET hash_version = 7 WHERE seq = 2")

    _, broken = audit.verify()

    assert broken.seq == 2 and "version 7" in broken.reason


@pytest.mark.django_db
def test_verifying_with_another_key_says_so_at_the_first_keyed_row(settings):
    _write(3)
    settings.AUDIT_HMAC_KEY = "not-the-key-the-trail-was-written-with"

    _, broken = audit.verify()

    assert broken.seq == 1 and "AUDIT_HMAC_KEY" in broken.reason


# --- checkpoints: what even the key's holder cannot rewrite -----------------------------


@pytest.fixture
def checkpoint(django_capture_on_commit_callbacks, caplog):
    """Take a checkpoint and return it with the log line it wrote."""
    from licensing.audit import checkpoints

    def take():
        caplog.clear()
        with caplog.at_level("INFO", logger="licensing.audit"):
            with django_capture_on_commit_callbacks(execute=True):
                point = checkpoints.checkpoint_take(meta=None)
            (line,) = [r for r in caplog.records if r.getMessage() == "audit checkpoint"]
        return point, line

    return take


@pytest.mark.django_db
def test_a_checkpoint_is_a_row_of_the_trail_and_a_line_in_the_log(checkpoint):
    _write(3)

    point, line = checkpoint()

    row = AuditEvent.objects.get(seq=4)
    assert (point.seq, point.hash, point.at) == (4, row.hash, row.created_at)
    assert row.action == AuditAction.AUDIT_CHECKPOINT
    assert (line.checkpoint_seq, line.checkpoint_hash) == (4, row.hash)
    assert line.checkpoint_at == hashing.iso_utc(row.created_at)
    assert audit.verify() == (4, None)


@pytest.mark.django_db
def test_a_key_holders_rewrite_before_a_checkpoint_is_detected_given_the_checkpoint(
    checkpoint, settings
):
    _write(20)
    point, _ = checkpoint()
    _write(5)

    _rewrite(from_seq=7, version=hashing.KEYED, key=settings.AUDIT_HMAC_KEY, message="forged")

    # With the key, the chain itself is consistent again...
    assert audit.verify() == (26, None)
    # ...but not with the checkpoint kept outside the database.
    checked, broken = audit.verify(checkpoints=[point])
    assert (checked, broken.seq) == (20, 21)
    assert "checkpoint" in broken.reason


@pytest.mark.django_db
def test_rows_cut_from_the_end_are_detected_given_a_later_checkpoint(checkpoint):
    from licensing.models import AuditChainHead

    _write(5)
    point, _ = checkpoint()
    _raw("DELETE FROM licensing_auditevent WHERE seq >= 4")
    row = AuditEvent.objects.get(seq=3)
    AuditChainHead.objects.filter(pk=1).update(last_seq=3, last_hash=row.hash)

    assert audit.verify() == (3, None)  # a clean cut, head included...
    _, broken = audit.verify(checkpoints=[point])
    assert broken.seq == 6 and "removed" in broken.reason


@pytest.mark.django_db
def test_checkpoints_round_trip_through_the_commands(checkpoint, tmp_path, settings, capsys):
    _write(4)
    checkpoint()
    _write(2)
    call_command("audit_checkpoint")
    exported = tmp_path / "checkpoints.jsonl"
    call_command("audit_checkpoint", "--list", "--output", str(exported))

    lines = exported.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [5, 8]
    call_command("verify_audit", "--checkpoints", str(exported))
    assert "2 checkpoint(s) matched" in capsys.readouterr().out

    _rewrite(from_seq=2, version=hashing.KEYED, key=settings.AUDIT_HMAC_KEY, message="forged")
    with pytest.raises(CommandError, match="row #5"):
        call_command("verify_audit", "--checkpoints", str(exported))


@pytest.mark.django_db
def test_verify_audit_reads_checkpoints_from_the_json_log(checkpoint, tmp_path, settings):
    _write(3)
    point, _ = checkpoint()
    log = tmp_path / "portal.log"
    record = {"message": "audit checkpoint", "level": "INFO", "checkpoint_seq": point.seq}
    log.write_text(
        "not json\n"
        + json.dumps({"message": "request", "path": "/customers/"})
        + "\n"
        + json.dumps({**record, "checkpoint_hash": point.hash})
        + "\n"
    )

    call_command("verify_audit", "--checkpoints", str(log))
    _rewrite(from_seq=1, version=hashing.KEYED, key=settings.AUDIT_HMAC_KEY, message="x")
    with pytest.raises(CommandError, match="row #4"):
        call_command("verify_audit", "--checkpoints", str(log))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    ["", '{"message": "request"}\n', '{"seq": 0, "hash": "zz"}\n', '{"checkpoint_seq": 3}\n'],
)
def test_a_checkpoint_file_without_valid_checkpoints_is_refused(tmp_path, content):
    _write(1)
    path = tmp_path / "checkpoints.jsonl"
    path.write_text(content)

    with pytest.raises(CommandError, match="checkpoint"):
        call_command("verify_audit", "--checkpoints", str(path))


@pytest.mark.django_db
def test_a_missing_checkpoint_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_audit", "--checkpoints", str(tmp_path / "nope.jsonl"))


@pytest.mark.django_db
def test_a_checkpoint_is_taken_daily_after_a_row_is_written(
    monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from licensing.audit import checkpoints

    monkeypatch.setattr(checkpoints, "_next_look", None)
    real_now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: real_now - timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        _write(1)  # the first row: nothing is due yet
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_CHECKPOINT).exists()

    monkeypatch.setattr(timezone, "now", lambda: real_now)
    with django_capture_on_commit_callbacks(execute=True):
        _write(1)  # a day later: this row is followed by the day's checkpoint
    with django_capture_on_commit_callbacks(execute=True):
        _write(1)  # and only one a day

    kinds = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert kinds == ["login", "login", "audit_checkpoint", "login"]
    assert checkpoints.checkpoint_if_due(now=real_now + timedelta(hours=25)) is not None
    assert audit.verify() == (5, None)
