"""Approval e-mails are written in each recipient's language, not the sender's."""

import pytest
from django.core import mail

from licensing.models import Profile
from tests.approvals.conftest import OVER
from tests.approvals.helpers import request_approval
from tests.reminders.catalogue import use_italian

pytestmark = pytest.mark.django_db

ITALIAN = {
    "Approval needed: %(code)s for %(customer)s (%(amount)s)": (
        "Approvazione richiesta: %(code)s per %(customer)s (%(amount)s)"
    ),
    "Hello %(name)s,": "Buongiorno %(name)s,",
    "Decide on the request": "Decidi sulla richiesta",
}


def test_each_manager_hears_of_a_request_in_their_own_language(
    limits, seller_client, boss, other_boss, customer, sandbox_settings, settings, tmp_path
):
    use_italian(settings, tmp_path, ITALIAN)
    Profile.objects.create(user=boss, language="it")
    seller_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "it"  # the seller works in Italian

    assert request_approval(seller_client, customer, OVER).status_code == 302

    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"margo@example.com", "otto@example.com"}
    italian = sent["margo@example.com"]
    assert (
        italian.subject == "Approvazione richiesta: CL-Q-A050-M12 per Rossi Ufficio SRL (429,00 €)"
    )
    assert italian.body.startswith("Buongiorno margo,")
    [(html, _kind)] = italian.alternatives
    assert '<html lang="it">' in html and "Decidi sulla richiesta" in html
    # Otto chose no language: the portal's default, whatever the seller's browser speaks.
    english = sent["otto@example.com"]
    assert english.subject == "Approval needed: CL-Q-A050-M12 for Rossi Ufficio SRL (€429.00)"
    assert english.body.startswith("Hello otto,")
    [(html, _kind)] = english.alternatives
    assert '<html lang="en-gb">' in html and "Decide on the request" in html
