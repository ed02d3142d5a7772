"""The audit hash has one rule (licensing.audit.hashing): the model, the chain, the
verifier and the exports all follow it, and it never changes the hash of a stored row."""

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_timezone

from licensing import audit
from licensing.audit import hashing
from licensing.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome
from tests.factories import make_events


def _stored_row(**changes) -> AuditEvent:
    values = {
        "seq": 42,
        "created_at": datetime(2025, 1, 31, 10, 5, 0, 123456, tzinfo=timezone(timedelta(hours=1))),
        "actor_id": 7,
        "actor_username": "mia.manager",
        "ip": "2001:db8::1",
        "user_agent": "Mozilla/5.0",
        "request_id": "req-1",
        "action": AuditAction.LICENSE_ASSIGN,
        "outcome": AuditOutcome.UNKNOWN,
        "customer_code": 1001,
        "assignment_id": None,
        "endpoint": "assign",
        "http_status": None,
        "duration_ms": 8000,
        "message": "Outcome unknown — timeout",
        "sent": '{"license_code": "FS-1"}',
        "answer": "",
        "prev_hash": "ab" * 32,
        "hash_version": hashing.UNKEYED,  # as stored before the chain was keyed
    }
    return AuditEvent(**{**values, **changes})


def test_the_hash_of_a_stored_row_is_what_it_always_was():
    # Pinned from the rule as first written: rows already in a trail must keep verifying.
    expected = "03b2ba881790575284f2fcdceb1f67348668f57632de47f3fa8bb1ca3ac94821"

    assert hashing.row_hash(_stored_row()) == expected
    assert _stored_row().compute_hash() == expected


def test_every_field_of_the_row_but_its_own_hash_is_hashed():
    fields = {f.attname for f in AuditEvent._meta.concrete_fields} - {"id", "hash"}

    assert set(hashing.HASHED_FIELDS) == fields


def test_export_columns_are_the_hashed_fields_then_the_hash():
    assert (*hashing.HASHED_FIELDS, "hash") == hashing.EXPORT_COLUMNS


def test_each_hashed_value_counts():
    base = hashing.row_hash(_stored_row())

    assert hashing.row_hash(_stored_row(prev_hash="cd" * 32)) != base
    assert hashing.row_hash(_stored_row(customer_code=None)) != base
    assert hashing.row_hash(_stored_row(created_at=datetime(2025, 1, 31, 9, 5, tzinfo=UTC))) != (
        base
    )


def test_the_same_moment_in_any_zone_hashes_alike():
    utc = datetime(2025, 1, 31, 9, 5, 0, 123456, tzinfo=UTC)

    assert hashing.row_hash(_stored_row(created_at=utc)) == hashing.row_hash(_stored_row())


@pytest.mark.django_db
def test_the_chain_head_starts_at_the_genesis_hash():
    field = AuditChainHead._meta.get_field("last_hash")
    assert field.default == hashing.GENESIS_HASH

    first = make_events(1)[0]
    assert first.prev_hash == hashing.GENESIS_HASH


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ip", "customer_code"),
    [("2001:DB8:0:0::1", 1001), ("", 1001), ("::FFFF:10.0.0.1", "1001"), (None, 1001)],
)
def test_values_the_database_normalises_still_verify(ip, customer_code):
    event = audit.record(
        meta=audit.RequestMeta(ip=ip),
        action=AuditAction.LOGIN,
        outcome=AuditOutcome.SUCCESS,
        customer_code=customer_code,
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert hashing.row_hash(stored) == event.hash
    assert audit.verify() == (1, None)


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 1, 999999])
def test_a_row_can_be_rehashed_from_its_exported_cells(monkeypatch, microsecond):
    # A whole second is stored without a fraction: the export must still write it in full.
    moment = datetime(2025, 3, 1, 23, 59, 59, microsecond, tzinfo=UTC)
    monkeypatch.setattr(django_timezone, "now", lambda: moment)
    audit.record(
        meta=audit.RequestMeta(ip="10.0.0.1", user_agent="Firefox"),
        action=AuditAction.LOGIN,
        outcome=AuditOutcome.SUCCESS,
        customer_code=1001,
        message="=1+1 ünïcode",
    )

    export = audit.exports.Export(
        meta=audit.RequestMeta(), events=AuditEvent.objects.all(), description="no filter"
    )
    text = b"".join(audit.exports.csv_chunks(export)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, row = rows[0], rows[1]

    cells = dict(zip(header, row, strict=True))
    assert cells["created_at"] == hashing.iso_utc(moment)
    assert audit.export_check.check_rows(iter(rows)).ok


# --- keyed rows -------------------------------------------------------------------------

KEY = "0123456789abcdef0123456789abcdef-test-key"


def test_a_keyed_row_is_an_hmac_of_its_content_with_the_key(settings):
    import hashlib
    import hmac
    import json

    settings.AUDIT_HMAC_KEY = KEY
    row = _stored_row(hash_version=hashing.KEYED)
    content = {n: hashing.canonical(k, getattr(row, n)) for n, k in hashing.HASHED_FIELDS.items()}
    text = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()

    assert hashing.row_hash(row) == hmac.new(KEY.encode(), text, hashlib.sha256).hexdigest()
    assert content["hash_version"] == 1


def test_a_keyed_hash_depends_on_the_key_and_an_unkeyed_one_does_not(settings):
    settings.AUDIT_HMAC_KEY = KEY
    keyed, unkeyed = hashing.row_hash(_stored_row(hash_version=1)), hashing.row_hash(_stored_row())
    settings.AUDIT_HMAC_KEY = KEY + "-other"

    assert hashing.row_hash(_stored_row(hash_version=1)) != keyed
    assert hashing.row_hash(_stored_row()) == unkeyed


def test_the_version_is_part_of_what_is_hashed(settings):
    settings.AUDIT_HMAC_KEY = KEY
    row = _stored_row(hash_version=hashing.KEYED)
    content = {n: hashing.canonical(k, getattr(row, n)) for n, k in hashing.HASHED_FIELDS.items()}

    assert hashing.digest(content) == hashing.row_hash(row)
    assert hashing.digest({**content, "hash_version": 0}) != hashing.row_hash(row)
    # An export from before the column existed: its rows are the unkeyed ones.
    legacy = {n: v for n, v in content.items() if n != "hash_version"}
    assert hashing.digest(legacy) == hashing.row_hash(_stored_row())


def test_an_unknown_version_matches_no_hash():
    content = dict.fromkeys(hashing.HASHED_FIELDS) | {"hash_version": 9}

    assert hashing.digest(content) == ""


def test_a_keyed_hash_without_a_key_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_HMAC_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY"):
        hashing.row_hash(_stored_row(hash_version=hashing.KEYED))
    assert hashing.row_hash(_stored_row())  # unkeyed rows need no key
