"""Walking the audit chain to prove nothing was changed, removed or reordered.

What a walk checks (docs/audit.md says what each rule defends against):

1. Rows are numbered 1, 2, 3, ... without a gap, each linked to the one before it
   (`prev_hash`), each carrying the hash of its own content (`hashing.digest`).
2. Rows written before the chain was keyed (`hash_version` 0, plain SHA-256) come first:
   once a keyed row appears, every later row is keyed. Without the key, an unkeyed hash is
   the only kind anyone can make, so this rule is what stops a rewrite "as old rows".
3. The newest row is keyed: a trail rewritten entirely as unkeyed rows does not verify.
   (Upgrading writes a keyed checkpoint row after the old rows: migration 0006.)
4. The chain head (the row writers lock) names the newest row and its hash.
5. Given checkpoints from outside the database (`checkpoints_read`), the row at each
   checkpoint's number exists and still has the checkpoint's hash: what even the key's
   holder could rewrite is limited to the rows after the newest checkpoint.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from licensing.audit import hashing
from licensing.audit.checkpoints import Checkpoint
from licensing.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    reason: str


def verify(
    batch_size: int = 5000, *, checkpoints: Iterable[Checkpoint] = ()
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order. Returns (rows checked, first break or None)."""
    expected = {point.seq: point.hash for point in checkpoints}
    expected_prev = hashing.GENESIS_HASH
    expected_seq = 1
    checked = 0
    keyed_from: int | None = None
    last_version = hashing.UNKEYED
    for event in _iter_in_order(batch_size):
        broken = _check_row(event, expected_seq, expected_prev, keyed_from)
        if broken is not None:
            return checked, broken
        if event.seq in expected and expected.pop(event.seq) != event.hash:
            return checked, ChainBreak(
                event.seq,
                "its hash is not the one its checkpoint recorded: the rows up to it were "
                "rewritten (by someone holding the key)",
            )
        if keyed_from is None and event.hash_version != hashing.UNKEYED:
            keyed_from = event.seq
        last_version = event.hash_version
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    if checked and last_version == hashing.UNKEYED:
        return checked, ChainBreak(
            checked,
            "the newest row is not keyed: the trail may have been rewritten without the key "
            "(every row written since the chain was keyed carries an HMAC)",
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return checked, ChainBreak(
            head.last_seq, f"the trail ends at #{checked} but row #{head.last_seq} was written"
        )
    if expected:
        missing = min(expected)
        return checked, ChainBreak(
            missing,
            f"row #{missing} is recorded by a checkpoint but the trail ends at #{checked}: "
            "rows were removed from its end",
        )
    return checked, None


def _check_row(
    event: AuditEvent, expected_seq: int, expected_prev: str, keyed_from: int | None
) -> ChainBreak | None:
    if event.seq != expected_seq:
        return ChainBreak(event.seq, f"row #{expected_seq} is missing (found #{event.seq} next)")
    if event.prev_hash != expected_prev:
        return ChainBreak(
            event.seq, "its link to the previous row is broken (row removed or reordered)"
        )
    if event.hash_version not in (hashing.UNKEYED, hashing.KEYED):
        return ChainBreak(event.seq, f"its hash version {event.hash_version} is unknown")
    if keyed_from is not None and event.hash_version == hashing.UNKEYED:
        return ChainBreak(
            event.seq,
            f"it is not keyed, but the chain is keyed from row #{keyed_from} on: rows were "
            "rewritten without the key",
        )
    if hashing.row_hash(event) != event.hash:
        if keyed_from is None and event.hash_version == hashing.KEYED:
            return ChainBreak(
                event.seq,
                "its content was changed after it was written, or AUDIT_HMAC_KEY is not "
                "the key the trail was written with (this is its first keyed row)",
            )
        return ChainBreak(event.seq, "its content was changed after it was written")
    return None


def _iter_in_order(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
