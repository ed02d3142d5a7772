"""Walking the audit chain to prove nothing was changed, removed or reordered."""

from collections.abc import Iterator
from dataclasses import dataclass

from licensing.audit import hashing
from licensing.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    reason: str


def verify(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order. Returns (rows checked, first break or None)."""
    expected_prev = hashing.GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in _iter_in_order(batch_size):
        if event.seq != expected_seq:
            return checked, ChainBreak(
                event.seq, f"row #{expected_seq} is missing (found #{event.seq} next)"
            )
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(
                event.seq, "its link to the previous row is broken (row removed or reordered)"
            )
        if hashing.row_hash(event) != event.hash:
            return checked, ChainBreak(event.seq, "its content was changed after it was written")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return checked, ChainBreak(
            head.last_seq, f"the trail ends at #{checked} but row #{head.last_seq} was written"
        )
    return checked, None


def _iter_in_order(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
