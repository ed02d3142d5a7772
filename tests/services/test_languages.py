"""Staff read the services' messages in their own language; the audit trail and the notes
kept on an assignment stay in English, and are translated again when shown.

The Italian is the project's catalogue (with i18n_core's fragment first, while it is still
a fragment), compiled into a locale directory of the test's own: never into locale/.
"""

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from licensing import services, texts, upstream
from licensing.models import AssignmentStatus, AuditEvent, LicenseAssignment, Renewal
from licensing.services import settling

SOURCES = (Path(django_settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po",)


@pytest.fixture
def italian(tmp_path, settings):
    """The Italian catalogue as the only project catalogue, active for the test."""
    sources = [str(path) for path in SOURCES if path.exists()]
    if not sources or shutil.which("msgcat") is None or shutil.which("msgfmt") is None:
        pytest.skip("no Italian catalogue (or no gettext tools) to compile")
    messages = tmp_path / "it" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    merged = tmp_path / "django.po"
    subprocess.run(["msgcat", "--use-first", "-o", str(merged), *sources], check=True)
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(messages / "django.mo"), str(merged)], check=True
    )
    settings.LOCALE_PATHS = [tmp_path]
    with translation.override("it"):
        yield


@pytest.fixture
def licence(sandbox_settings, sales_meta, customer):
    return services.license_assign(
        meta=sales_meta,
        customer=customer,
        token=uuid.uuid4(),
        license_code="CL-Q-A010-M12",
        license_info="Main office",
    ).assignment


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


def test_a_renewal_suspended_in_italian_is_audited_in_english(italian, licence, sales_meta):
    outcome = services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Troppo caro")

    assert outcome.ok and licence.renewal == Renewal.SUSPENDED
    assert outcome.message.startswith("Rinnovo sospeso: la licenza resta attiva")
    kept = last_event().message
    assert kept == (
        "Renewal suspended: the licence stays active until its expiry, then stops. "
        "Reason: Troppo caro"
    )
    # Shown again in Italian: each sentence it was made of, what staff typed as it was.
    assert texts.translated(kept) == (
        "Rinnovo sospeso: la licenza resta attiva fino alla scadenza, poi termina. "
        "Motivo: Troppo caro"
    )


def test_a_refusal_in_italian_is_audited_in_english(italian, licence, sales_meta):
    with pytest.raises(services.InputInvalid) as refused:
        services.renewal_suspend(meta=sales_meta, assignment=licence, reason="no")

    assert refused.value.errors == {
        "reason": ["Spiega perché sospendi il rinnovo (bastano poche parole)."]
    }
    assert last_event().message == (
        "Refused input: Say why renewal is being suspended (a few words)."
    )


def test_a_failed_sale_keeps_its_failure_in_english_and_shows_it_in_italian(
    italian, sandbox_settings, sales_meta, customer
):
    sandbox_settings.reset(balances={"EUR": "0.00", "USD": "0", "CHF": "0"})
    token = uuid.uuid4()
    outcome = services.license_assign(
        meta=sales_meta,
        customer=customer,
        token=token,
        license_code="CL-Q-A010-M12",
        license_info="Main office",
    )

    assignment = LicenseAssignment.objects.get(token=token)
    assert assignment.status == AssignmentStatus.FAILED
    assert outcome.message.startswith("FlashStart ha rifiutato la richiesta: ")
    assert assignment.failure_message.startswith("FlashStart refused the request: ")
    assert last_event().message == assignment.failure_message
    # A second submit of the same form shows the kept failure in the page's language.
    again = services.license_assign(
        meta=sales_meta,
        customer=customer,
        token=token,
        license_code="CL-Q-A010-M12",
        license_info="Main office",
    )
    assert again.duplicate
    assert again.message.startswith(
        "Questa richiesta non era andata a buon fine: FlashStart ha rifiutato la richiesta: "
    )


def test_an_unclear_answer_is_worded_in_the_language_it_is_written_in(italian):
    exc = upstream.Unavailable(
        texts.message(upstream.BREAKER_MESSAGE), endpoint="assign", may_have_taken_effect=True
    )
    verdict = settling.judge(exc, settling.ASSIGN)

    assert str(verdict.message).startswith("Esito sconosciuto: FlashStart non ha dato")
    assert texts.english(verdict.message) == settling.UNKNOWN_MESSAGE
    # The vendor error itself: Italian on the page, English for a record.
    assert str(exc) == "Il fornitore non risponde; riprova tra un minuto."
    assert texts.english(exc.text) == upstream.BREAKER_MESSAGE


def test_a_vendor_error_is_read_in_italian_and_audited_in_english(
    italian, sandbox_settings, sales_meta, customer
):
    sandbox_settings.add_fault("auth_token", "html502")
    with pytest.raises(services.InputInvalid) as refused:
        services.dashboard_link(meta=sales_meta, customer=customer)

    assert refused.value.errors == {
        "__all__": [
            "FlashStart non ha fornito un link di accesso: Il fornitore ha segnalato un "
            "errore interno (HTTP 502)."
        ]
    }
    assert last_event().message == (
        "Refused: FlashStart gave no login link: The vendor reported an internal error (HTTP 502)."
    )


def test_a_permission_refusal_is_read_in_italian_and_counted_in_english(italian, nobody_meta):
    with pytest.raises(services.PermissionRefused) as refused:
        raise services.access_refuse(meta=nobody_meta, what=gettext_lazy("assign licences"))
    assert str(refused.value) == "Non hai il permesso di assegnare licenze."
    assert last_event().message == "Refused: assign licences"


def test_kept_text_not_made_from_a_message_is_shown_as_it_is(italian):
    assert texts.translated("The customer's own words.") == "The customer's own words."
    assert texts.translated("") == ""


@pytest.mark.parametrize(
    ("kept", "typed"),
    [
        (
            "Renewal suspended: the licence stays active until its expiry, then stops. "
            "Reason: customer asked.",
            "customer asked.",
        ),
        (
            "Renewal suspended: the licence stays active until its expiry, then stops. "
            "Reason: Customer: Demo. Licence: Active.",
            "Customer: Demo. Licence: Active.",
        ),
        (
            "Resolved as not assigned (failed). Note: customer confirmed by phone",
            "customer confirmed by phone",
        ),
    ],
)
def test_what_someone_typed_into_a_kept_message_is_shown_as_typed(italian, kept, typed):
    shown = texts.translated(kept)
    assert shown.endswith(" " + typed)  # "Customer" is not "Cliente" inside a note
    assert shown.startswith(("Rinnovo sospeso", "Risolta"))


def test_kept_text_stays_english_on_an_english_page(italian):
    kept = "Renewal resumed: the licence will renew at its expiry."
    assert texts.translated(kept) == "Rinnovo riattivato: la licenza si rinnoverà alla scadenza."
    with translation.override("en-gb"):
        assert texts.translated(kept) == kept


def test_model_labels_follow_the_page_language(italian):
    assert str(AssignmentStatus.ACTIVE.label) == "Attiva"
    assert str(LicenseAssignment._meta.get_field("expiry_date").verbose_name) == (
        "data di scadenza"
    )
    with translation.override("en-gb"):
        assert str(AssignmentStatus.ACTIVE.label) == "Active"
        assert str(LicenseAssignment._meta.verbose_name_plural) == "licence assignments"


def test_kept_text_of_several_messages_is_translated_piece_by_piece(italian):
    kept = (
        "Assigned Business Filter License to Rossi Ufficio SRL: €1,490.00 deducted, valid "
        "until 31 Jan 2027. A manager will check it: FlashStart's answer had no readable "
        "start date (“2027-13-01”); an amount the portal cannot store (“1e99”)."
    )
    assert texts.translated(kept) == (
        "Business Filter License assegnata a Rossi Ufficio SRL: addebitati 1.490,00 €, "
        "valida fino al 31 gen 2027. Un responsabile la verificherà: La risposta di "
        "FlashStart presentava: nessuna data di inizio leggibile (“2027-13-01”); un importo "
        "che il portale non può memorizzare (“1e99”)."
    )


def test_a_model_validation_error_is_read_in_italian_and_audited_in_english(italian, sales_meta):
    with pytest.raises(services.InputInvalid) as refused:
        services.customer_register(
            meta=sales_meta, customer_code=424242, name="Bianchi", email="not-an-address"
        )

    assert refused.value.errors == {"email": ["Inserisci un indirizzo email valido."]}
    assert last_event().message == "Refused: E-mail: Enter a valid email address."
