"""Writing the append-only, hash-chained audit trail.

Every row is hashed with the chain's current rule (`hashing.CURRENT_VERSION`: an HMAC
keyed with AUDIT_HMAC_KEY). Once a day, after a row is committed, a checkpoint is taken
(see `licensing.audit.checkpoints`).
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from licensing.audit import hashing
from licensing.models import AuditAction, AuditChainHead, AuditEvent

ANSWER_LIMIT = 4000
_SECRET_KEYS = {"password", "api_key", "x-api-key", "token", "auth_token"}


@dataclass(frozen=True)
class RequestMeta:
    """Who acts and from where: what every audit row records about the request."""

    user: Any = None
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "") or ""

    @classmethod
    def from_request(cls, request) -> "RequestMeta":
        user = getattr(request, "user", None)
        return cls(
            user=user if user is not None and user.is_authenticated else None,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
            request_id=getattr(request, "request_id", ""),
        )


def client_ip(request) -> str | None:
    """The client address as django-axes sees it (honours the configured proxy count)."""
    from axes.helpers import get_client_ip_address

    try:
        return get_client_ip_address(request) or None
    except Exception:  # noqa: BLE001 - an odd header must not break auditing
        return request.META.get("REMOTE_ADDR") or None


def scrub(value: Any) -> Any:
    """A copy of `value` with secrets (passwords, keys, tokens) replaced."""
    if isinstance(value, dict):
        return {
            k: "[redacted]" if str(k).lower() in _SECRET_KEYS else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def record(
    *,
    meta: RequestMeta | None,
    action: str,
    outcome: str,
    customer_code: int | None = None,
    assignment=None,
    message: str = "",
    call=None,
    sent: dict | None = None,
) -> AuditEvent:
    """Append one row to the audit trail and return it.

    `call` is an upstream CallRecord (endpoint, status, duration, sent, answer). The row is
    chained under a lock on the chain head, so concurrent writers never fork the chain.
    Runs in its own transaction, or joins the caller's (to settle and audit atomically).
    """
    meta = meta or RequestMeta()
    if call is not None and sent is None:
        sent = call.sent
    event = AuditEvent(
        created_at=timezone.now(),
        actor=meta.user,
        actor_username=meta.username,
        ip=meta.ip,
        user_agent=(meta.user_agent or "")[:300],
        request_id=(meta.request_id or "")[:64],
        action=action,
        outcome=outcome,
        customer_code=customer_code,
        assignment=assignment,
        message=message[:2000],
        sent=json.dumps(scrub(sent), sort_keys=True, default=str) if sent else "",
        endpoint=getattr(call, "endpoint", "") or "",
        http_status=getattr(call, "status", None),
        duration_ms=getattr(call, "duration_ms", None),
        answer=(getattr(call, "answer", "") or "")[:ANSWER_LIMIT],
    )
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_seq": 0, "last_hash": hashing.GENESIS_HASH}
        )
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.hash_version = hashing.CURRENT_VERSION
        event.hash = hashing.row_hash(event)
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
        if action != AuditAction.AUDIT_CHECKPOINT:
            transaction.on_commit(_checkpoint_if_due)
    return event


def _checkpoint_if_due() -> None:
    # Imported here: checkpoints writes its rows through `record`.
    from licensing.audit import checkpoints

    try:
        checkpoints.checkpoint_if_due()
    except Exception:  # noqa: BLE001 - the row is written; a missed checkpoint is retried
        logging.getLogger("licensing.audit").exception("audit: the daily checkpoint failed")
