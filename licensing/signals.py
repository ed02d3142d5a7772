"""Logins, failed logins, lock-outs and logouts go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from licensing import audit
from licensing.models import AuditAction, AuditOutcome


@receiver(auth_signals.user_logged_in)
def audit_login(sender, request, user, **kwargs):
    meta = audit.RequestMeta.from_request(request)
    meta = audit.RequestMeta(
        user=user, ip=meta.ip, user_agent=meta.user_agent, request_id=meta.request_id
    )
    audit.record(meta=meta, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)


@receiver(auth_signals.user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    meta = audit.RequestMeta.from_request(request)
    meta = audit.RequestMeta(
        user=user, ip=meta.ip, user_agent=meta.user_agent, request_id=meta.request_id
    )
    audit.record(meta=meta, action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)


@receiver(auth_signals.user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username is kept: the password attempt never reaches the trail.
    meta = audit.RequestMeta.from_request(request) if request is not None else None
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        meta=meta,
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.DENIED,
        message=f"Failed log in as {username!r}",
    )


@receiver(user_locked_out)
def audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    meta = audit.RequestMeta.from_request(request) if request is not None else None
    audit.record(
        meta=meta,
        action=AuditAction.LOGIN_LOCKED,
        outcome=AuditOutcome.DENIED,
        message=f"Locked out after repeated failures: user {username!r}, address {ip_address}",
    )
