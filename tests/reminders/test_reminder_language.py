"""Reminders and digests are written in each recipient's language (their profile's, else the
portal's default, whatever language happens to be active); the audit rows stay English."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from licensing.models import AuditAction, AuditEvent, Profile
from tests.factories import make_assignment, make_customer
from tests.reminders.catalogue import use_italian

pytestmark = pytest.mark.django_db

ITALIAN = {
    (
        "%(counter)s licence of your customers expires soon",
        "%(counter)s licences of your customers expire soon",
    ): (
        "%(counter)s licenza dei tuoi clienti scade a breve",
        "%(counter)s licenze dei tuoi clienti scadono a breve",
    ),
    "Hello %(name)s,": "Buongiorno %(name)s,",
    "Will renew, costing about %(total)s (an estimate from the last purchase):": (
        "Si rinnoveranno, con un costo di circa %(total)s (stima basata sull'ultimo acquisto):"
    ),
    "Managers' digest for %(day)s": "Riepilogo per i responsabili, %(day)s",
    "Managers' digest": "Riepilogo per i responsabili",
}


def test_an_italian_owner_reads_italian_and_a_manager_without_a_choice_the_default(
    clock, owner, manager, settings, tmp_path
):
    use_italian(settings, tmp_path, ITALIAN)
    Profile.objects.create(user=owner, language="it")
    clock(2027, 3, 1, 6)
    customer = make_customer(owner=owner)
    make_assignment(customer, expiry_date=date(2027, 3, 5), amount=Decimal("1490.00"))
    make_assignment(make_customer(owner=None), expiry_date=date(2027, 3, 6))  # for the digest

    # Whatever language is active where the command runs, each e-mail is the recipient's.
    with translation.override("it"):
        call_command("send_reminders", stdout=StringIO())

    sent = {message.to[0]: message for message in mail.outbox}
    italian = sent["sam@example.com"]
    assert italian.subject == "1 licenza dei tuoi clienti scade a breve"
    assert "Buongiorno Sam," in italian.body
    # Prices are formatted for the recipient too, not only the words around them.
    assert "Si rinnoveranno, con un costo di circa 1.490,00 €" in italian.body
    [(html, _kind)] = italian.alternatives
    assert '<html lang="it">' in html and "1.490,00 €" in html

    english = sent["mia@example.com"]
    assert english.subject == "Managers' digest for 1 Mar 2027"
    assert "Hello mia," in english.body and "Buongiorno" not in english.body
    [(html, _kind)] = english.alternatives
    assert '<html lang="en-gb">' in html and "<title>Managers' digest</title>" in html

    # The trail is English whoever the e-mail was for.
    row = AuditEvent.objects.get(
        action=AuditAction.REMINDER_SEND, customer_code=customer.customer_code
    )
    assert row.message.endswith("expires 5 Mar 2027; e-mail to sam sent.")
