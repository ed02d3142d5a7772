"""The audit trail is append-only and its hash chain exposes any tampering."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from licensing import audit
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
