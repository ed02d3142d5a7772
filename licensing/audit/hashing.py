"""The rule of the audit chain's hash, in one place.

A row's hash covers one JSON object: every field in `HASHED_FIELDS`, each value in the
canonical form of its kind, keys sorted, no spaces, non-ASCII escaped. `prev_hash` is one
of the fields: that is what chains a row to the one before it (the first row to
`GENESIS_HASH`).

How the JSON is hashed is the row's `hash_version` (also a hashed field):

- `KEYED` (1, every row written now): HMAC-SHA256 with `settings.AUDIT_HMAC_KEY`, a key
  kept outside the database. Without the key nobody can make a row's hash, so a rewrite
  of any row (and all that follow it) does not verify.
- `UNKEYED` (0, rows written before the chain was keyed): plain SHA-256 of the JSON
  without `hash_version`, exactly as those rows were hashed when written, so they keep
  verifying. The verifier accepts them only before the first keyed row, and never as the
  newest row (see `licensing.audit.verify` and docs/audit.md).

`digest(content)` applies the rule to a row's canonical values, from the database or
from an export's cells alike. Everything else derives from here: `AuditEvent.compute_hash`,
the chain's writer and verifier, the export's columns (the hashed fields, then the hash),
the text the database writes for `created_at` in an export, and which exported cells are
text.

A value is canonicalised as the database gives it back, so a row hashed when written
verifies when read: an IPv6 address in the form Django stores, a code typed as text as
the number it is stored as.
"""

import enum
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import CharField, Func
from django.utils.ipv6 import clean_ipv6_address

if TYPE_CHECKING:
    from licensing.models import AuditEvent

GENESIS_HASH = "0" * 64
UNKEYED = 0  # plain SHA-256: rows written before the chain was keyed
KEYED = 1  # HMAC-SHA256 with settings.AUDIT_HMAC_KEY
CURRENT_VERSION = KEYED  # what the chain's writer uses


class Kind(enum.Enum):
    """How a hashed field's value is written in the hashed JSON (and in an export)."""

    NUMBER = "number"  # an integer, or null
    TEXT = "text"  # free text ("" when empty)
    IP = "ip"  # an IP address as Django stores it, or null
    TIME = "time"  # an aware datetime as ISO 8601 in UTC with microseconds
    HASH = "hash"  # 64 hex digits


# In export column order. Adding a field to AuditEvent means adding it here (a test checks
# that every field but the row's own hash is listed), which changes every new hash.
HASHED_FIELDS: Mapping[str, Kind] = {
    "seq": Kind.NUMBER,
    "created_at": Kind.TIME,
    "actor_id": Kind.NUMBER,
    "actor_username": Kind.TEXT,
    "ip": Kind.IP,
    "user_agent": Kind.TEXT,
    "request_id": Kind.TEXT,
    "action": Kind.TEXT,
    "outcome": Kind.TEXT,
    "customer_code": Kind.NUMBER,
    "assignment_id": Kind.NUMBER,
    "endpoint": Kind.TEXT,
    "http_status": Kind.NUMBER,
    "duration_ms": Kind.NUMBER,
    "message": Kind.TEXT,
    "sent": Kind.TEXT,
    "answer": Kind.TEXT,
    "prev_hash": Kind.HASH,
    "hash_version": Kind.NUMBER,
}

# An export: every hashed field, then the row's hash, so an auditor can recompute the
# chain from the file alone.
EXPORT_COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, "hash")


def canonical(kind: Kind, value: Any) -> str | int | None:
    """`value` as the hashed JSON holds it for a field of `kind`."""
    if kind is Kind.NUMBER:
        return None if value is None else int(value)
    if kind is Kind.TIME:
        return iso_utc(value)
    if kind is Kind.IP:
        return _stored_ip(value)
    return "" if value is None else str(value)


def iso_utc(moment: datetime) -> str:
    """“2025-01-31T09:05:00.000000+00:00”: the text of a time in the hash and in exports."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def digest(content: Mapping[str, str | int | None]) -> str:
    """The hash of the canonical values of one row's hashed fields, by the row's own
    `hash_version` (absent: UNKEYED, as in files exported before there was one).

    A version this code does not know gives "", which matches no stored hash.
    """
    version = content.get("hash_version") or UNKEYED
    if version == UNKEYED:
        legacy = {name: value for name, value in content.items() if name != "hash_version"}
        return hashlib.sha256(_json(legacy)).hexdigest()
    if version == KEYED:
        return hmac.new(_key(), _json(content), hashlib.sha256).hexdigest()
    return ""


def _json(content: Mapping[str, str | int | None]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def _key() -> bytes:
    key = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if not key:
        raise ImproperlyConfigured("Set the AUDIT_HMAC_KEY environment variable")
    return key.encode()


def row_hash(event: "AuditEvent") -> str:
    """The hash `event` must carry, given its content and `prev_hash`."""
    return digest(
        {name: canonical(kind, getattr(event, name)) for name, kind in HASHED_FIELDS.items()}
    )


def _stored_ip(value: Any) -> str | None:
    # What GenericIPAddressField saves: an empty address as NULL, IPv6 in its short form.
    if not value:
        return None
    text = str(value).strip()
    if ":" in text:
        try:
            return clean_ipv6_address(text)
        except ValidationError:
            pass
    return text


class IsoUtc(Func):
    """`iso_utc` of a timestamp column, written by the database: the same text the hash
    covers, at a fraction of the cost of building a datetime per row in Python."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]" (no fraction when it is zero).
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(REPLACE({column}, ' ', 'T') "
            f"|| CASE WHEN LENGTH({column}) = 19 THEN '.000000' ELSE '' END || '+00:00')"
        )
        return sql, params * 3

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"""TO_CHAR({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
        return sql, params
