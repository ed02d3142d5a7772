"""The audit trail in words: in the page's language when shown, English when stored."""

import pytest
from django.utils import translation

from licensing.audit import words
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.reminders.catalogue import use_italian

ITALIAN = {
    ("@audit action", "Assign a paid licence"): "Assegnazione di una licenza a pagamento",
    ("@audit outcome", "Assigned"): "Assegnata",
    "Refused input": "Dati rifiutati",
    "Label for this licence": "Etichetta per questa licenza",
    "Currency": "Valuta",
    "Assignment #%(number)s.": "Assegnazione n. %(number)s.",
    "FlashStart (%(endpoint)s) answered %(status)s in %(ms)s ms.": (
        "FlashStart (%(endpoint)s) ha risposto %(status)s in %(ms)s ms."
    ),
}


@pytest.fixture
def italian(settings, tmp_path):
    use_italian(settings, tmp_path, ITALIAN)


def test_actions_and_outcomes_follow_the_active_language(italian):
    with translation.override("it"):
        assert (
            words.action_words(AuditAction.LICENSE_ASSIGN)
            == ITALIAN[("@audit action", "Assign a paid licence")]
        )
        assert words.outcome_words(AuditAction.LICENSE_ASSIGN, AuditOutcome.SUCCESS) == "Assegnata"
    with translation.override("en-gb"):
        assert words.action_words(AuditAction.LICENSE_ASSIGN) == "Assign a paid licence"
        assert words.outcome_words(AuditAction.LICENSE_ASSIGN, AuditOutcome.SUCCESS) == "Assigned"


def test_a_refusal_is_stored_in_english_whatever_the_page_language(italian):
    with translation.override("it"):
        text = words.refusal_text({"license_info": ["Required."], "__all__": ["Too late."]})

    assert text == "Label for this licence: Required. Too late."


@pytest.mark.parametrize(
    "stored",
    [
        "Refused input: Label for this licence: Required.; Currency: Unknown.",
        # A row written before the services named fields by their labels.
        "Refused input: license_info: Required.; currency_code: Unknown.",
    ],
)
def test_a_stored_refusal_is_shown_in_the_page_language(italian, stored):
    with translation.override("it"):
        shown = words.readable_message(stored)
    with translation.override("en-gb"):
        english = words.readable_message(stored)

    # The labels and the prefix are the page's; what the vendor or a form said is as stored.
    assert shown == "Dati rifiutati: Etichetta per questa licenza: Required. Valuta: Unknown."
    assert english == "Refused input: Label for this licence: Required. Currency: Unknown."


def test_the_vendor_call_and_assignment_are_told_in_the_page_language(italian):
    event = AuditEvent(message="", assignment_id=7, endpoint="assign", http_status=200)
    event.duration_ms = 1234

    with translation.override("it"):
        assert words.sentence(event) == (
            "Assegnazione n. 7. FlashStart (assign) ha risposto 200 in 1.234 ms."
        )
    with translation.override("en-gb"):
        assert (
            words.sentence(event) == "Assignment #7. FlashStart (assign) answered 200 in 1,234 ms."
        )
