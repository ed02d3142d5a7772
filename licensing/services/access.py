"""Permission checks that audit every refusal, without letting refusals flood the trail.

Anyone with a login (a user in no group, say) can be refused as often as they can send a
request. One audit row per refusal would let them grow the trail at will, so refusals are
recorded once per user and object per window (REFUSAL_WINDOW_SECONDS): the first one in
the window writes a row; the repeats are counted, and the next row written for that user
says how many refusals were counted since their previous row. A user also gets at most
REFUSAL_ROWS_PER_WINDOW rows per window over all objects (walking customer codes does not
get round it). Every refusal is still refused, and logged.

The counters live in the shared cache. If it fails, each refusal is recorded as before:
an audit trail that grows is better than refusals that go unrecorded.

`what` is refused ("assign licences", lazily translated): the person reads it in their
language, the audit row and the counters have it in English.
"""

import hashlib
import logging
from collections.abc import Callable

from axes.models import AccessAttempt
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from licensing import audit, roles, texts
from licensing.models import AuditAction, AuditOutcome
from licensing.services.outcomes import PermissionRefused

log = logging.getLogger("licensing.access")

REFUSAL_WINDOW_SECONDS = 600
REFUSAL_ROWS_PER_WINDOW = 20
# Counts not yet written into a row outlive many windows (a user refused again next day
# still gets the count of the day before).
_PENDING_SECONDS = 7 * 24 * 3600


def access_refuse(
    *,
    meta: audit.RequestMeta,
    what: texts.StrOrPromise,
    customer_code: int | None = None,
    action: str = AuditAction.ACCESS_DENIED,
) -> PermissionRefused:
    """Audit a refusal (or count it, see the module's docstring) and return the exception
    for the caller to raise. `what` completes "You do not have permission to …"."""
    who = _who(meta)
    refused = texts.english(what)
    try:
        recorded = _first_in_window(who, action, refused, customer_code)
        counted = _take_counted(who) if recorded else 0
    except Exception:  # noqa: BLE001 - no cache: record every refusal
        log.warning("access: cache unavailable, recording every refusal")
        recorded, counted = True, 0
    if recorded:
        message = texts.message(gettext_lazy("Refused: %(what)s"), what=what)
        if counted:
            message = texts.message(
                gettext_lazy(
                    "%(message)s (%(count)s more refusal(s) of this user since their previous "
                    "refusal row were counted, not recorded one by one)"
                ),
                message=message,
                count=counted,
            )
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.DENIED,
            customer_code=customer_code,
            message=texts.english(message),
        )
    else:
        log.info(
            "access refused (counted, not audited again in this window)",
            extra={"refused": refused, "customer_code": customer_code, "actor": who},
        )
    return PermissionRefused(
        str(texts.message(gettext_lazy("You do not have permission to %(what)s."), what=what))
    )


def _who(meta: audit.RequestMeta) -> str:
    user = meta.user
    if user is not None and getattr(user, "pk", None) is not None:
        return f"user:{user.pk}"
    return f"ip:{meta.ip or '-'}"


def _key(*parts: object) -> str:
    text = "|".join(str(part) for part in parts)
    return "access:refused:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _first_in_window(who: str, action: str, what: str, customer_code: int | None) -> bool:
    """Whether this refusal gets its own row; if not, it is added to the user's count."""
    window = REFUSAL_WINDOW_SECONDS
    first = cache.add(_key("object", who, action, what, customer_code), 1, timeout=window)
    if first:
        cache.add(_key("rows", who), 0, timeout=window)
        first = cache.incr(_key("rows", who)) <= REFUSAL_ROWS_PER_WINDOW
    if not first:
        pending = _key("counted", who)
        cache.add(pending, 0, timeout=_PENDING_SECONDS)
        cache.incr(pending)
    return first


def _take_counted(who: str) -> int:
    """The refusals counted for `who` since their last row, reset (atomically: repeats
    counted meanwhile by other processes stay for the next row)."""
    pending = _key("counted", who)
    counted = int(cache.get(pending) or 0)
    if counted:
        cache.decr(pending, counted)
    return counted


def login_unlock(*, meta: audit.RequestMeta, attempts: QuerySet[AccessAttempt]) -> int:
    """Forget the failed logins in `attempts` (django-axes' records), which lifts their
    lock-outs; one audit row per username and address unlocked. Managers only.

    Returns how many were unlocked. Raises PermissionRefused (audited) for anyone else.
    """
    require_manager(
        meta=meta,
        what=gettext_lazy("unlock logins (managers only)"),
        action=AuditAction.LOGIN_UNLOCK,
    )
    unlocked = 0
    with transaction.atomic():
        for attempt in attempts.select_for_update():
            audit.record(
                meta=meta,
                action=AuditAction.LOGIN_UNLOCK,
                outcome=AuditOutcome.SUCCESS,
                message=texts.english(
                    gettext_lazy(
                        "Unlocked log in as %(username)s from %(address)s (%(count)s failed "
                        "attempt(s) forgotten)"
                    ),
                    username=repr(attempt.username),
                    address=attempt.ip_address,
                    count=attempt.failures_since_start,
                ),
            )
            attempt.delete()
            unlocked += 1
    return unlocked


def require(
    check: Callable[[object], bool],
    *,
    meta: audit.RequestMeta,
    what: texts.StrOrPromise,
    action: str,
    customer_code: int | None = None,
) -> None:
    """Raise (audited) PermissionRefused unless `check(meta.user)` holds."""
    if not check(meta.user):
        raise access_refuse(meta=meta, what=what, customer_code=customer_code, action=action)


def require_sales(
    *,
    meta: audit.RequestMeta,
    what: texts.StrOrPromise,
    action: str,
    customer_code: int | None = None,
) -> None:
    require(roles.is_sales, meta=meta, what=what, action=action, customer_code=customer_code)


def require_manager(
    *,
    meta: audit.RequestMeta,
    what: texts.StrOrPromise,
    action: str,
    customer_code: int | None = None,
) -> None:
    require(roles.is_manager, meta=meta, what=what, action=action, customer_code=customer_code)
