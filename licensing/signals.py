"""Logins, failed logins, lock-outs and logouts go to the audit trail (its messages in
English, translated when the trail is shown)."""

import dataclasses

from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.utils.translation import gettext_lazy

from licensing import audit, texts
from licensing.models import AuditAction, AuditOutcome


def _meta(request, user=None) -> audit.RequestMeta:
    """The request's audit details, acting as `user` when given (at log in and log out the
    request's own user is not, or no longer, the one to record)."""
    if request is None:
        return audit.RequestMeta(user=user)
    meta = audit.RequestMeta.from_request(request)
    return dataclasses.replace(meta, user=user) if user is not None else meta


@receiver(auth_signals.user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(meta=_meta(request, user), action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)


@receiver(auth_signals.user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    audit.record(meta=_meta(request, user), action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)


@receiver(auth_signals.user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username is kept: the password attempt never reaches the trail.
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        meta=_meta(request),
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.DENIED,
        message=texts.english(
            gettext_lazy("Failed log in as %(username)s"), username=repr(username)
        ),
    )


@receiver(user_locked_out)
def audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    audit.record(
        meta=_meta(request),
        action=AuditAction.LOGIN_LOCKED,
        outcome=AuditOutcome.DENIED,
        message=texts.english(
            gettext_lazy(
                "Locked out after repeated failures: user %(username)s, address %(address)s"
            ),
            username=repr(username),
            address=ip_address,
        ),
    )
