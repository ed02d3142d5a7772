"""E-mails about approval requests: to the managers when one is made, to the requester
and the other managers when one is decided or expires. One e-mail per person, in that
person's language (their profile's, else the portal's default); a failure to send is
logged and never undoes what was decided."""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from licensing import formatting, language, roles
from licensing.models import ApprovalRequest

log = logging.getLogger("licensing.approvals")


def managers():
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.select_related("portal_profile")  # each one's language, for the e-mail
    return users.filter(Q(is_superuser=True) | Q(groups__name=roles.MANAGERS)).distinct()


def people(approval: ApprovalRequest, meta) -> list:
    """Who hears of a decision: the requester, and the managers other than the decider."""
    actor = getattr(getattr(meta, "user", None), "pk", None)
    people = list(managers().exclude(pk=actor))
    requester = approval.requested_by
    if requester is not None and requester.email and requester not in people:
        people.append(requester)
    return people


def notify(approval: ApprovalRequest, event: str, recipients) -> None:
    """One e-mail per recipient, in their language; a failure is logged, never undoes the
    decision. The mail server unreachable: the rest are not tried, so a request waits for
    one connection timeout, not one per manager."""
    addressed = [user for user in recipients if user.email]
    connection = get_connection()
    for number, user in enumerate(addressed):
        # Money, dates and words all follow the recipient's language, not the sender's.
        with translation.override(language.of_user(user)):
            reachable = _send(approval, event, user, connection)
        if not reachable:
            log.warning(
                "approval e-mails not sent: the mail server cannot be reached",
                extra={"approval": approval.pk, "event": event, "left": len(addressed) - number},
            )
            return


def _send(approval: ApprovalRequest, event: str, user, connection) -> bool:
    """Render and send one e-mail to `user`, in the active language. False when the mail
    server could not be reached (a refused address is logged and counts as reached)."""
    base = settings.PORTAL_URL.rstrip("/")
    context = {
        "approval": approval,
        "recipient": user,
        "is_requester": user.pk == approval.requested_by_id,
        "amount": formatting.money(approval.amount, approval.currency),
        "approved_amount": (
            formatting.money(approval.approved_amount, approval.currency)
            if approval.approved_amount is not None
            else ""
        ),
        "detail_url": base + reverse("approval_detail", args=[approval.pk]),
        "customer_url": base + reverse("customer_detail", args=[approval.customer.customer_code]),
    }
    template = f"emails/approval_{event}"
    try:
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject,
            render_to_string(f"{template}.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            connection=connection,
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
        log.warning(
            "approval e-mail not sent",
            extra={"approval": approval.pk, "event": event, "recipient": user.pk},
        )
    except OSError:  # connection refused, timed out, dropped (smtplib's errors too)
        return False
    except Exception:  # noqa: BLE001 - any backend's failure: the decision stands
        log.warning(
            "approval e-mail not sent",
            extra={"approval": approval.pk, "event": event, "recipient": user.pk},
        )
    return True
