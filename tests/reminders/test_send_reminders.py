"""manage.py send_reminders: who hears of what, on which day, and never twice."""

import smtplib
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.utils import timezone

from licensing import services
from licensing.formatting import day, money
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Profile,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Renewal,
)
from tests.factories import make_assignment, make_customer

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"mailbox unavailable")})


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=out)
    return out.getvalue()


def licence(owner, expiry: date, **fields):
    customer = fields.pop("customer", None) or make_customer(owner=owner)
    return make_assignment(customer, expiry_date=expiry, **fields)


def demo(owner, ends: date, **fields):
    customer = fields.pop("customer", None) or make_customer(owner=owner)
    return make_assignment(customer, kind=AssignmentKind.DEMO, expiry_date=ends, **fields)


def kinds() -> set[tuple[int, str, date]]:
    return set(Reminder.objects.values_list("assignment_id", "kind", "date"))


# --- exactly once ---------------------------------------------------------------------------


def test_each_reminder_is_sent_once_however_often_the_command_runs(clock, owner):
    clock(2027, 3, 1, 6)  # 07:00 in Rome: 1 March
    today = date(2027, 3, 1)
    in_19 = licence(owner, today + timedelta(days=19))
    in_4 = licence(owner, today + timedelta(days=4))
    ending = demo(owner, today + timedelta(days=2))

    for _ in range(3):
        run()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    assert kinds() == {
        (in_19.pk, ReminderKind.EXPIRY_30, in_19.expiry_date),
        (in_4.pk, ReminderKind.EXPIRY_7, in_4.expiry_date),
        (ending.pk, ReminderKind.DEMO_ENDING, ending.expiry_date),
    }
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}
    sent = AuditEvent.objects.filter(action=AuditAction.REMINDER_SEND)
    assert sent.count() == 3
    assert set(sent.values_list("actor_username", flat=True)) == {"system"}
    assert {e.assignment_id for e in sent} == {in_19.pk, in_4.pk, ending.pk}

    # Two weeks on, the first licence is within 7 days: one new reminder, once.
    clock(2027, 3, 14, 6)
    run()
    run()
    assert len(mail.outbox) == 2
    assert "1 licence of your customers expires soon" in mail.outbox[1].subject
    assert f"#assignment-{in_19.pk}" in mail.outbox[1].body
    assert f"#assignment-{in_4.pk}" not in mail.outbox[1].body
    assert Reminder.objects.count() == 4


def test_overlapping_runs_send_each_reminder_once(clock, owner, other_owner, monkeypatch):
    clock(2027, 3, 1, 6)
    licence(owner, date(2027, 3, 5))
    licence(other_owner, date(2027, 3, 6))
    second = []
    send = services.reminders.EmailMultiAlternatives.send

    def send_while_another_run_starts(message, *args, **kwargs):
        if not second:  # a second run starts while the first is sending its first e-mail
            second.append("started")
            second.append(services.reminders_send())
        return send(message, *args, **kwargs)

    monkeypatch.setattr(
        services.reminders.EmailMultiAlternatives, "send", send_while_another_run_starts
    )
    services.reminders_send()

    assert sorted(m.to[0] for m in mail.outbox) == ["olga@example.com", "sam@example.com"]
    assert second[1].unconfirmed == 1  # it saw the first run's claim and left it alone
    assert second[1].sent == 1  # and sent the other owner's, which the first run then skips
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 2


def test_a_refused_e_mail_is_audited_and_retried_by_the_next_run(clock, owner, settings):
    clock(2027, 3, 1, 6)
    settings.EMAIL_HOST_PASSWORD = "smtp-password-never-shown"
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.RefusingBackend"
    due = licence(owner, date(2027, 3, 5))

    with pytest.raises(CommandError, match="1 e-mail.s. not sent") as failed:
        run()

    reminder = Reminder.objects.get()
    assert reminder.status == ReminderStatus.FAILED
    assert "SMTPRecipientsRefused" in reminder.error
    event = AuditEvent.objects.get(action=AuditAction.REMINDER_SEND)
    assert event.outcome == AuditOutcome.ERROR and event.assignment_id == due.pk
    assert "to be retried" in event.message
    assert "smtp-password-never-shown" not in str(failed.value) + event.message

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run()
    run()
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and reminder.sent_at is not None
    outcomes = AuditEvent.objects.filter(action=AuditAction.REMINDER_SEND).order_by("seq")
    assert list(outcomes.values_list("outcome", flat=True)) == ["error", "success"]


def test_a_claim_a_crashed_run_left_is_not_sent_again(clock, owner):
    clock(2027, 3, 1, 6)
    due = licence(owner, date(2027, 3, 5))
    Reminder.objects.create(
        kind=ReminderKind.EXPIRY_7, date=due.expiry_date, assignment=due, email=owner.email
    )

    output = run()

    assert mail.outbox == []
    assert "being sent when an earlier run stopped" in output


def test_dry_run_prints_what_would_be_sent_and_changes_nothing(clock, owner, manager):
    clock(2027, 3, 1, 6)
    due = licence(owner, date(2027, 3, 20), amount=Decimal("49.90"))

    output = run("--dry-run", "--verbosity", "2")

    assert "To sam <sam@example.com>: 1 licence of your customers expires soon" in output
    assert "To mia <mia@example.com>: Managers' digest" in output
    assert due.customer.name in output and money("49.90", "EUR") in output
    assert "Dry run: nothing sent, nothing recorded." in output
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not get_user_model().objects.filter(username="system").exists()


# --- who hears of it ------------------------------------------------------------------------


def test_nothing_is_sent_to_someone_who_opted_out(clock, owner, manager):
    clock(2027, 3, 1, 6)
    licence(owner, date(2027, 3, 5))
    Profile.objects.create(user=owner, reminders_opt_out=True)
    Profile.objects.create(user=manager, reminders_opt_out=True)

    output = run()

    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert "Not sent (opted out): mia, sam" in output

    # Back in: what is still due reaches them.
    Profile.objects.filter(user=owner).update(reminders_opt_out=False)
    run()
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]


def test_owners_who_cannot_be_reached_are_named_and_get_nothing(clock, owner, other_owner):
    clock(2027, 3, 1, 6)
    licence(owner, date(2027, 3, 5))
    licence(other_owner, date(2027, 3, 5))
    owner.email = ""
    owner.save()
    other_owner.is_active = False
    other_owner.save()

    output = run()

    assert mail.outbox == []
    assert "Not sent (no e-mail address): sam" in output
    assert "Not sent (account inactive): olga" in output


def test_each_owner_hears_only_of_their_own_customers(clock, owner, other_owner):
    clock(2027, 3, 1, 6)
    mine = licence(owner, date(2027, 3, 5))
    theirs = licence(other_owner, date(2027, 3, 6))

    run()

    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert mine.customer.name in bodies["sam@example.com"]
    assert theirs.customer.name not in bodies["sam@example.com"]
    assert theirs.customer.name in bodies["olga@example.com"]


def test_licences_of_customers_without_an_owner_go_into_the_managers_digest(clock, manager):
    clock(2027, 3, 1, 6)
    make_assignment(make_customer(owner=None), expiry_date=date(2027, 3, 5))

    output = run()

    assert "1 reminder(s) concern customers with no owner" in output
    [digest] = mail.outbox
    assert digest.to == ["mia@example.com"]
    assert "1 reminder could not go to anyone" in digest.body


# --- what it says ---------------------------------------------------------------------------


def test_renewing_and_lapsing_licences_are_told_apart_with_what_renewals_cost(
    clock, owner, settings
):
    settings.PORTAL_URL = "https://portal.example.com"
    clock(2027, 3, 1, 6)
    customer = make_customer(owner=owner, name="Rossi Ufficio SRL")
    licence(owner, date(2027, 3, 4), customer=customer, amount=Decimal("50.00"))
    licence(owner, date(2027, 3, 6), amount=Decimal("12.50"))
    licence(owner, date(2027, 3, 7), amount=Decimal("20.00"), currency="USD")
    lapsing = licence(owner, date(2027, 3, 5), amount=Decimal("99.00"), renewal=Renewal.SUSPENDED)

    run()

    [message] = mail.outbox
    assert message.subject == "4 licences of your customers expire soon"
    text = message.body
    assert "EXPIRING WITHIN 7 DAYS" in text
    costs = f"Will renew, costing about {money('62.50', 'EUR')} + {money('20.00', 'USD')}"
    assert costs in text
    renew_part, lapse_part = text.split("Will lapse (renewal suspended):")
    assert lapsing.customer.name in lapse_part and lapsing.customer.name not in renew_part
    assert "Rossi Ufficio SRL" in renew_part
    assert (
        f"https://portal.example.com/customers/{lapsing.customer.customer_code}/"
        f"#assignment-{lapsing.pk}" in lapse_part
    )
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert costs in html
    assert "<script" not in html and "https://portal.example.com/profile/" in html


def test_a_demo_followed_by_a_paid_licence_needs_no_reminder(clock, owner):
    clock(2027, 3, 1, 6)
    customer = make_customer(owner=owner)
    demo(owner, date(2027, 3, 3), customer=customer, created_at=timezone.now() - timedelta(27))
    # A licence asked for since the demo (whatever came of it): someone followed it up.
    make_assignment(customer, status=AssignmentStatus.UNKNOWN, created_at=timezone.now())
    unfollowed = demo(owner, date(2027, 3, 3), created_at=timezone.now() - timedelta(27))

    run()

    assert kinds() == {(unfollowed.pk, ReminderKind.DEMO_ENDING, date(2027, 3, 3))}
    assert "1 demo ends without a sale" in mail.outbox[0].subject


def test_managers_get_one_digest_a_day_with_the_forecast_and_outcomes_to_resolve(
    clock, owner, manager
):
    clock(2027, 3, 1, 6)
    licence(owner, date(2027, 3, 20), amount=Decimal("50.00"))
    licence(owner, date(2027, 5, 10), amount=Decimal("30.00"), license_code="CL-Q-A005-M1")
    unknown = make_assignment(make_customer(owner=owner), status=AssignmentStatus.UNKNOWN)

    run()
    run()

    [digest] = [m for m in mail.outbox if m.to == ["mia@example.com"]]
    assert digest.subject == f"Managers' digest for {day(date(2027, 3, 1))}: 1 outcome to resolve"
    eur = {n: money(amount, "EUR") for n, amount in (("50", "50.00"), ("80", "80.00"))}
    assert f"EUR: next 30 days {eur['50']} (1 renewal); next 60 days {eur['50']}" in digest.body
    # The monthly licence renews on 10 May only within 90 days (next: 10 June).
    assert f"next 90 days {eur['80']} (2 renewals)" in digest.body
    assert f"/assignments/{unknown.pk}/resolve/" in digest.body
    assert Reminder.objects.filter(kind=ReminderKind.DIGEST, recipient=manager).count() == 1

    clock(2027, 3, 2, 6)
    run()
    assert len([m for m in mail.outbox if m.to == ["mia@example.com"]]) == 2


# --- the system actor -----------------------------------------------------------------------


def test_the_system_actor_cannot_sign_in(clock, owner):
    clock(2027, 3, 1, 6)
    licence(owner, date(2027, 3, 5))
    run()
    system = get_user_model().objects.get(username="system")
    assert not system.is_active and not system.has_usable_password()
    assert not system.groups.exists()


def test_a_person_called_system_is_never_used_as_the_system_actor(clock, owner):
    clock(2027, 3, 1, 6)
    licence(owner, date(2027, 3, 5))
    get_user_model().objects.create_user(username="system", password="a-real-password-1")

    with pytest.raises(ImproperlyConfigured, match="is a person's"):
        run()
    assert mail.outbox == [] and not Reminder.objects.exists()
