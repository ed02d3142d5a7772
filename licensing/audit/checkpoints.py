"""Checkpoints of the audit chain: (sequence number, head hash, time), kept outside the
database.

The keyed chain stops anyone without AUDIT_HMAC_KEY from rewriting the trail unnoticed.
A checkpoint bounds what even a key holder can do: once a checkpoint has left the
database (in the log, which the log collector keeps elsewhere, or in an exported file),
rewriting any row up to it changes the hash at the checkpoint's row, and
`manage.py verify_audit --checkpoints FILE` names it.

A checkpoint is itself a row of the trail (action `audit_checkpoint`), appended through
`chain.record`; the checkpoint is that row's own seq, hash and time, so it covers every
row before it and itself. Each one is written to the log as one line:

    {"message": "audit checkpoint", "checkpoint_seq": 1234, "checkpoint_hash": "...",
     "checkpoint_at": "2025-01-31T09:05:00.000000+00:00", ...}

They are taken on demand (`manage.py audit_checkpoint`, e.g. from cron) and daily: after
a row is committed, if the newest checkpoint (or, before the first one, the first row) is
older than CHECKPOINT_EVERY. A day without rows needs none: nothing changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from licensing.audit import chain, hashing
from licensing.models import AuditAction, AuditEvent, AuditOutcome

log = logging.getLogger("licensing.audit")

CHECKPOINT_EVERY = timedelta(days=1)
# When this process next looks for a due checkpoint (it asks the database at most then).
_next_look: datetime | None = None


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime | None = None

    def as_json(self) -> str:
        """One line of an exported checkpoint file."""
        at = hashing.iso_utc(self.at) if self.at is not None else None
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": at}, sort_keys=True)


def checkpoint_take(
    *, meta: chain.RequestMeta | None = None, reason: str = "on demand"
) -> Checkpoint:
    """Append a checkpoint row, log it once committed, and return it."""
    event = chain.record(
        meta=meta,
        action=AuditAction.AUDIT_CHECKPOINT,
        outcome=AuditOutcome.SUCCESS,
        message=f"Checkpoint of the audit chain ({reason}): this row's number, hash and time "
        "were written to the log",
    )
    checkpoint = Checkpoint(seq=event.seq, hash=event.hash, at=event.created_at)
    transaction.on_commit(lambda: _log(checkpoint))
    return checkpoint


def _log(checkpoint: Checkpoint) -> None:
    log.info(
        "audit checkpoint",
        extra={
            "checkpoint_seq": checkpoint.seq,
            "checkpoint_hash": checkpoint.hash,
            "checkpoint_at": hashing.iso_utc(checkpoint.at) if checkpoint.at else None,
        },
    )


def checkpoint_if_due(*, now: datetime | None = None) -> Checkpoint | None:
    """Take the daily checkpoint if it is due; return it, or None."""
    global _next_look
    now = now or timezone.now()
    if _next_look is not None and now < _next_look:
        return None
    last = (
        AuditEvent.objects.filter(action=AuditAction.AUDIT_CHECKPOINT)
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    ) or AuditEvent.objects.order_by("seq").values_list("created_at", flat=True).first()
    if last is None:
        return None
    if now < last + CHECKPOINT_EVERY:
        _next_look = last + CHECKPOINT_EVERY
        return None
    checkpoint = checkpoint_take(meta=chain.RequestMeta(user_agent="daily"), reason="daily")
    _next_look = now + CHECKPOINT_EVERY
    return checkpoint


def checkpoint_list() -> Iterator[Checkpoint]:
    """Every checkpoint row in the trail, oldest first."""
    rows = (
        AuditEvent.objects.filter(action=AuditAction.AUDIT_CHECKPOINT)
        .order_by("seq")
        .values_list("seq", "hash", "created_at")
    )
    for seq, row_hash, at in rows.iterator(chunk_size=1000):
        yield Checkpoint(seq=seq, hash=row_hash, at=at)


class CheckpointFileInvalid(ValueError):
    """A checkpoint file's line is neither an exported checkpoint nor a log record of one."""


def checkpoints_read(lines: Iterable[str]) -> list[Checkpoint]:
    """Checkpoints from a file: lines written by `manage.py audit_checkpoint --list`, or
    the portal's JSON log (lines that are not checkpoints are skipped there).

    Raises CheckpointFileInvalid naming the first line that looks like a checkpoint but
    is not a valid one.
    """
    found = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or not text.startswith("{"):
            continue
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        seq = record.get("seq", record.get("checkpoint_seq"))
        value = record.get("hash", record.get("checkpoint_hash"))
        if seq is None and value is None:
            continue  # another log record
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or not _is_hash(value):
            raise CheckpointFileInvalid(f"line {number} is not a valid checkpoint: {text[:200]}")
        found.append(Checkpoint(seq=seq, hash=str(value)))
    return found


def _is_hash(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )
