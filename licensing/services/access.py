"""Permission checks that audit every refusal."""

from collections.abc import Callable

from licensing import audit, roles
from licensing.models import AuditAction, AuditOutcome
from licensing.services.outcomes import PermissionRefused


def access_refuse(
    *,
    meta: audit.RequestMeta,
    what: str,
    customer_code: int | None = None,
    action: str = AuditAction.ACCESS_DENIED,
) -> PermissionRefused:
    """Audit a refusal and return the exception for the caller to raise."""
    audit.record(
        meta=meta,
        action=action,
        outcome=AuditOutcome.DENIED,
        customer_code=customer_code,
        message=f"Refused: {what}",
    )
    return PermissionRefused(f"You do not have permission to {what}.")


def require(
    check: Callable[[object], bool],
    *,
    meta: audit.RequestMeta,
    what: str,
    action: str,
    customer_code: int | None = None,
) -> None:
    """Raise (audited) PermissionRefused unless `check(meta.user)` holds."""
    if not check(meta.user):
        raise access_refuse(meta=meta, what=what, customer_code=customer_code, action=action)


def require_sales(
    *, meta: audit.RequestMeta, what: str, action: str, customer_code: int | None = None
) -> None:
    require(roles.is_sales, meta=meta, what=what, action=action, customer_code=customer_code)


def require_manager(
    *, meta: audit.RequestMeta, what: str, action: str, customer_code: int | None = None
) -> None:
    require(roles.is_manager, meta=meta, what=what, action=action, customer_code=customer_code)
