"""Reminders by e-mail, meant to run once a day (`manage.py send_reminders`).

Each customer's owner hears of their paid licences expiring within 30 days and again
within 7 (split into "will renew, costing about X" and "will lapse"), and of their demos
ending within 3 days with no paid licence since; each manager gets a digest with the
renewal forecast and the outcomes waiting to be resolved. Days are counted in the
portal's time zone.

Sent once each: a `Reminder` row (licence, kind, expiry date; or manager, digest, day) is
claimed under a unique constraint before its e-mail goes out, then marked sent with one
audit row each, by the system actor. A run that finds the row claimed sends nothing for
it, so repeated or overlapping runs send nothing twice. A failed send (the mail server
refused it) is retried by the next run; a claim never confirmed (the run died while
sending) is reported and left alone, because the e-mail may have gone. Each e-mail is in
its recipient's language (profile, else the default); the audit rows stay in English.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from licensing import audit, formatting, language, roles, selectors, texts
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditOutcome,
    LicenseAssignment,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Renewal,
)
from licensing.services import profiles

SYSTEM_USERNAME = "system"
WINDOWS = ((ReminderKind.EXPIRY_7, 7), (ReminderKind.EXPIRY_30, 30))  # soonest first
DEMO_DAYS = 3
DIGEST_LIST_LIMIT = 20


@dataclass(frozen=True)
class Due:
    """One licence to remind its owner of."""

    kind: str
    assignment: LicenseAssignment
    days_left: int

    @property
    def date(self) -> date:
        return self.assignment.expiry_date  # type: ignore[return-value]


@dataclass
class Mail:
    recipient: Any
    kind: str  # "reminders" or "digest"
    subject: str
    text: str
    html: str
    dues: list[Due] = field(default_factory=list)


@dataclass
class Run:
    """What a run did (or, dry, would do)."""

    today: date
    dry_run: bool
    mails: list[Mail] = field(default_factory=list)
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    already_sent: int = 0
    unconfirmed: int = 0
    unowned: int = 0


def reminders_send(*, today: date | None = None, dry_run: bool = False) -> Run:
    """Plan today's reminders and digests and, unless `dry_run`, send each not yet sent."""
    today = today or timezone.localdate()
    run = Run(today=today, dry_run=dry_run)
    dues = _due(today)
    done = _claimed(dues)
    run.already_sent = sum(1 for d in dues if done.get(_key(d)) == ReminderStatus.SENT)
    run.unconfirmed = sum(1 for d in dues if done.get(_key(d)) == ReminderStatus.PENDING)
    dues = [d for d in dues if _key(d) not in done]
    run.unowned = sum(1 for d in dues if d.assignment.customer.owner is None)

    by_owner: dict[Any, list[Due]] = defaultdict(list)
    for due in dues:
        if due.assignment.customer.owner is not None:
            by_owner[due.assignment.customer.owner].append(due)
    managers = list(_managers())
    quiet = profiles.opted_out(u.pk for u in itertools.chain(by_owner, managers))
    for owner, owned in sorted(by_owner.items(), key=lambda item: item[0].get_username()):
        if _reachable(run, owner, quiet):
            run.mails.append(_reminder_mail(owner, owned, today))
    digest_done = set(
        Reminder.objects.filter(
            kind=ReminderKind.DIGEST, date=today, status__in=_SETTLED_OR_SENDING
        ).values_list("recipient_id", flat=True)
    )
    managers = [m for m in managers if m.pk not in digest_done and _reachable(run, m, quiet)]
    if managers:
        digest = _digest_context(today, unowned=run.unowned)
        if digest is not None:
            run.mails += [_digest_mail(manager, digest) for manager in managers]

    if not dry_run and run.mails:
        meta = system_meta(today)
        for mail in run.mails:
            _deliver(run, mail, today=today, meta=meta)
    return run


def system_meta(today: date) -> audit.RequestMeta:
    """The audit trail's actor for what the portal does by itself: an inactive account
    that cannot sign in, created the first time it is needed."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "password": make_password(None)}
    )
    if user.is_active or user.has_usable_password():
        raise ImproperlyConfigured(
            f"The account “{SYSTEM_USERNAME}” is a person's: the portal's system actor needs it."
        )
    return audit.RequestMeta(
        user=user, user_agent="manage.py send_reminders", request_id=f"reminders-{today}"
    )


# --- what is due --------------------------------------------------------------------------

_SETTLED_OR_SENDING = (ReminderStatus.SENT, ReminderStatus.PENDING)


def _due(today: date) -> list[Due]:
    related = ("customer", "customer__owner", "customer__owner__portal_profile")
    expiring = LicenseAssignment.objects.filter(
        kind=AssignmentKind.PAID,
        status=AssignmentStatus.ACTIVE,
        expiry_date__gte=today,
        expiry_date__lte=today + timedelta(days=WINDOWS[-1][1]),
    ).select_related(*related)
    dues = []
    for assignment in expiring.order_by("expiry_date", "id"):
        days = _days_left(assignment, today)
        kind = next(kind for kind, limit in WINDOWS if days <= limit)
        dues.append(Due(kind=kind, assignment=assignment, days_left=days))
    demos = selectors.home.demos_unfollowed(start=today, end=today + timedelta(days=DEMO_DAYS))
    for assignment in demos.select_related(*related):
        days = _days_left(assignment, today)
        dues.append(Due(kind=ReminderKind.DEMO_ENDING, assignment=assignment, days_left=days))
    return dues


def _days_left(assignment: LicenseAssignment, today: date) -> int:
    assert assignment.expiry_date is not None  # the queries filter on it
    return (assignment.expiry_date - today).days


def _key(due: Due) -> tuple[int, str, date]:
    return (due.assignment.pk, due.kind, due.date)


def _claimed(dues: list[Due]) -> dict[tuple[int, str, date], str]:
    """The status of the reminders already claimed for these dues (one query)."""
    rows = Reminder.objects.filter(
        assignment_id__in=[d.assignment.pk for d in dues], status__in=_SETTLED_OR_SENDING
    ).values_list("assignment_id", "kind", "date", "status")
    return {(pk, kind, day): status for pk, kind, day, status in rows}


def _managers():
    staff = Q(is_superuser=True) | Q(groups__name=roles.MANAGERS)
    users = get_user_model().objects.filter(staff, is_active=True).distinct()
    users = users.select_related("portal_profile")  # each one's language
    return users.exclude(username=SYSTEM_USERNAME).order_by("username")


def _reachable(run: Run, user, quiet: set[int]) -> bool:
    name = user.get_username()
    if not user.is_active:
        run.skipped["account inactive"].append(name)
    elif user.pk in quiet:
        run.skipped["opted out"].append(name)
    elif not user.email:
        run.skipped["no e-mail address"].append(name)
    else:
        return True
    return False


# --- the e-mails --------------------------------------------------------------------------


def _url(name: str, *args) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse(name, args=args)


def _line(due: Due) -> dict:
    a = due.assignment
    return {
        "assignment": a,
        "customer": a.customer,
        "days_left": due.days_left,
        "price": formatting.money(_price(a), a.currency),
        "url": _url("customer_detail", a.customer.customer_code) + f"#assignment-{a.pk}",
    }


def _price(assignment: LicenseAssignment):
    """What the licence cost last time: what was deducted, else what was quoted."""
    return assignment.amount if assignment.amount is not None else assignment.quoted_amount


def _totals(dues: list[Due]) -> str:
    sums: dict[str, Any] = defaultdict(int)
    for due in dues:
        price = _price(due.assignment)
        if price is not None:
            sums[due.assignment.currency] += price
    return " + ".join(formatting.money(sums[c], c) for c in sorted(sums)) or formatting.EMPTY


def _reminder_mail(owner, dues: list[Due], today: date) -> Mail:
    # Prices, dates and words in the owner's language: the context is formatted inside.
    with translation.override(language.of_user(owner)):
        sections = []
        for kind, limit in WINDOWS:
            these = [d for d in dues if d.kind == kind]
            renewing = [d for d in these if d.assignment.renewal == Renewal.ON]
            lapsing = [d for d in these if d.assignment.renewal != Renewal.ON]
            if these:
                sections.append(
                    {
                        "days": limit,
                        "renewing": [_line(d) for d in renewing],
                        "renewing_total": _totals(renewing),
                        "lapsing": [_line(d) for d in lapsing],
                    }
                )
        demos = [_line(d) for d in dues if d.kind == ReminderKind.DEMO_ENDING]
        licences = sum(1 for d in dues if d.kind != ReminderKind.DEMO_ENDING)
        context = {
            "recipient": owner,
            "today": today,
            "sections": sections,
            "demos": demos,
            "demo_days": DEMO_DAYS,
            "licences": licences,
            "home_url": _url("home"),
            "profile_url": _url("profile"),
        }
        return _render(owner, "reminders", "emails/reminder", context, dues=dues)


def _digest_context(today: date, *, unowned: int) -> dict | None:
    forecast = selectors.forecast.renewal_forecast(today=today)
    waiting = selectors.home.unresolved().select_related("customer", "created_by")
    waiting_list = list(waiting[:DIGEST_LIST_LIMIT])
    waiting_count = waiting.count() if len(waiting_list) == DIGEST_LIST_LIMIT else len(waiting_list)
    if forecast.is_empty and not waiting_count and not unowned:
        return None
    return {
        "today": today,
        "forecast": forecast,
        "waiting": [
            {"assignment": a, "url": _url("assignment_resolve", a.pk)} for a in waiting_list
        ],
        "waiting_count": waiting_count,
        "unowned": unowned,
        "reports_url": _url("reports"),
        "home_url": _url("home"),
    }


def _digest_mail(manager, context: dict) -> Mail:
    context = {**context, "recipient": manager, "profile_url": _url("profile")}
    with translation.override(language.of_user(manager)):
        return _render(manager, "digest", "emails/digest", context)


def _render(user, kind: str, template: str, context: dict, dues=None) -> Mail:
    return Mail(
        recipient=user,
        kind=kind,
        subject=" ".join(render_to_string(f"{template}_subject.txt", context).split()),
        text=render_to_string(f"{template}.txt", context),
        html=render_to_string(f"{template}.html", context),
        dues=dues or [],
    )


# --- claim, send, settle ------------------------------------------------------------------


def _deliver(run: Run, mail: Mail, *, today: date, meta: audit.RequestMeta) -> None:
    claims = _claim(mail, today)
    if not claims:
        return  # another run got there first
    if mail.kind == "reminders":
        claimed_pks = {c.assignment_id for c in claims}
        mail = _reminder_mail(
            mail.recipient, [d for d in mail.dues if d.assignment.pk in claimed_pks], today
        )
    message = EmailMultiAlternatives(
        mail.subject, mail.text, settings.DEFAULT_FROM_EMAIL, [mail.recipient.email]
    )
    message.attach_alternative(mail.html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any backend's failure: not sent, retried next run
        error = f"{type(exc).__name__}: {exc}"[:300]
        _settle(claims, mail, meta=meta, error=error)
        run.failed.append(f"{mail.recipient.get_username()}: {error}")
    else:
        _settle(claims, mail, meta=meta, error="")
        run.sent += 1


def _claim(mail: Mail, today: date) -> list[Reminder]:
    """Claim each reminder of `mail` (a new row, or one whose sending failed before);
    return those claimed by this run."""
    now = timezone.now()
    wanted: list[tuple[LicenseAssignment | None, str, date]] = [
        (d.assignment, d.kind, d.date) for d in mail.dues
    ] or [(None, ReminderKind.DIGEST, today)]
    claims = []
    for assignment, kind, day in wanted:
        values = {"recipient": mail.recipient, "email": mail.recipient.email, "claimed_at": now}
        try:
            with transaction.atomic():
                claims.append(
                    Reminder.objects.create(kind=kind, date=day, assignment=assignment, **values)
                )
            continue
        except IntegrityError:
            pass
        failed = Reminder.objects.filter(kind=kind, date=day, status=ReminderStatus.FAILED)
        if assignment is None:
            failed = failed.filter(assignment__isnull=True, recipient=mail.recipient)
        else:
            failed = failed.filter(assignment=assignment)
        pk = failed.values_list("pk", flat=True).first()
        if pk is None:
            continue  # sent, or being sent, by another run
        # A conditional update: of two runs retrying the same failure, one wins.
        retry = Reminder.objects.filter(pk=pk, status=ReminderStatus.FAILED)
        if retry.update(status=ReminderStatus.PENDING, error="", **values):
            claims.append(Reminder.objects.get(pk=pk))
    return claims


def _settle(claims: list[Reminder], mail: Mail, *, meta: audit.RequestMeta, error: str) -> None:
    now = timezone.now()
    outcome = AuditOutcome.ERROR if error else AuditOutcome.SUCCESS
    to = mail.recipient.get_username()
    # The trail is in English whoever the e-mail was for (and whatever language is active).
    with translation.override(texts.STORED_LANGUAGE), transaction.atomic():
        Reminder.objects.filter(pk__in=[c.pk for c in claims]).update(
            status=ReminderStatus.FAILED if error else ReminderStatus.SENT,
            sent_at=None if error else now,
            error=error,
        )
        licences = {d.assignment.pk: d.assignment for d in mail.dues}
        for claim in claims:
            assignment = licences.get(claim.assignment_id or 0)
            if assignment is None:
                what = "Managers' digest"
            else:
                what = (
                    f"{ReminderKind(claim.kind).label}: "
                    f"{assignment.license_name or assignment.license_code or 'demo'} "
                    f"expires {formatting.day(claim.date)}"
                )
            audit.record(
                meta=meta,
                action=AuditAction.REMINDER_SEND,
                outcome=outcome,
                customer_code=assignment.customer.customer_code if assignment else None,
                assignment=assignment,
                message=f"{what}; e-mail to {to} "
                + (f"failed ({error}), to be retried." if error else "sent."),
            )
