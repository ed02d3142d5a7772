"""Words the sales pages choose at run time, in the reader's language.

A small Italian catalogue is written for each test under tmp_path (LOCALE_PATHS points
there), so these tests depend on neither locale/ nor its compiled state: they check that
the code asks for the right message in the right language, and that what is kept stays
English.
"""

from datetime import timedelta
from decimal import Decimal

import polib
import pytest
from django.utils import translation

from licensing.models import AuditAction, AuditEvent
from licensing.templatetags import portal
from licensing.views import reports
from tests.factories import assignment_factory

ITALIAN = {"HTTP_ACCEPT_LANGUAGE": "it-IT,it;q=0.9"}

COUNTRIES = [
    ("Denmark", "Danimarca"),
    ("Sweden", "Svezia"),
    ("United Kingdom", "Regno Unito"),
    ("Åland Islands", "Isole Åland"),
    ("Cayman Islands", "Isole Cayman"),
]


@pytest.fixture
def italian(tmp_path, settings):
    """Writes the given (msgctxt, msgid, msgstr) entries as the only Italian catalogue."""

    def write(entries):
        po = polib.POFile()
        po.metadata = {
            "Content-Type": "text/plain; charset=UTF-8",
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
        }
        for context, msgid, msgstr in entries:
            if isinstance(msgstr, tuple):
                po.append(
                    polib.POEntry(
                        msgctxt=context,
                        msgid=msgid[0],
                        msgid_plural=msgid[1],
                        msgstr_plural={0: msgstr[0], 1: msgstr[1]},
                    )
                )
            else:
                po.append(polib.POEntry(msgctxt=context, msgid=msgid, msgstr=msgstr))
        folder = tmp_path / "it" / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        po.save_as_mofile(str(folder / "django.mo"))
        settings.LOCALE_PATHS = [str(tmp_path)]  # resets Django's loaded catalogues

    return write


def _country_names(client, **headers) -> list[str]:
    form = client.get("/customers/new/?mode=create", **headers).context["form"]
    return [label for value, label in form.fields["country_code"].choices if value]


def test_the_country_list_is_named_and_sorted_in_the_readers_language(
    sales_client, sandbox_settings, italian
):
    italian([("country", english, name) for english, name in COUNTRIES])

    names = _country_names(sales_client, **ITALIAN)

    assert "Denmark" not in names and "Danimarca" in names
    # By the Italian names: Regno Unito (GB) now comes before Svezia (SE).
    assert names.index("Danimarca") < names.index("Regno Unito") < names.index("Svezia")
    # Accents ignored: Å sorts as A, before C (by code point it would come after Z).
    assert names.index("Isole Åland") < names.index("Isole Cayman")
    # A name the catalogue does not translate stays in English, in its place.
    assert names.index("Germany") < names.index("Isole Åland")
    assert len(names) > 200


def test_the_country_list_stays_english_for_an_english_reader(
    sales_client, sandbox_settings, italian
):
    italian([("country", english, name) for english, name in COUNTRIES])

    names = _country_names(sales_client, HTTP_ACCEPT_LANGUAGE="en-GB,en")

    assert "Danimarca" not in names
    assert names.index("Denmark") < names.index("Sweden") < names.index("United Kingdom")


def test_a_managers_only_refusal_is_read_in_italian_and_audited_in_english(sales_client, italian):
    italian(
        [
            (None, "You do not have permission to %(what)s.", "Non hai il permesso di %(what)s."),
            (None, "%(what)s (managers only)", "%(what)s (solo responsabili)"),
            (None, "view the audit trail", "vedere il registro attività"),
        ]
    )

    response = sales_client.get("/audit/", **ITALIAN)

    assert response.status_code == 403
    page = response.content.decode()
    assert "Non hai il permesso di vedere il registro attività (solo responsabili)." in page
    refusal = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert refusal.message == "Refused: view the audit trail (managers only)"


def test_a_linked_customer_is_announced_in_the_readers_language(
    sales_client, sandbox_settings, italian
):
    italian(
        [
            (
                None,
                "Linked %(name)s (FlashStart code %(code)s).",
                "Cliente %(name)s collegato (codice FlashStart %(code)s).",
            )
        ]
    )

    response = sales_client.post(
        "/customers/new/?mode=link",
        {"mode": "link", "customer_code": "1001", "name": "Rossi Ufficio SRL", "language": "it"},
        follow=True,
        **ITALIAN,
    )

    assert "Cliente Rossi Ufficio SRL collegato (codice FlashStart 1001)." in (
        response.content.decode()
    )


def test_a_failed_licences_kept_english_message_is_shown_in_italian(
    sales_client, customer, italian
):
    italian(
        [
            (
                None,
                "FlashStart refused the assignment: %(reason)s",
                "FlashStart ha rifiutato l'assegnazione: %(reason)s",
            )
        ]
    )
    kept = "FlashStart refused the assignment: Not enough credit."
    failed = assignment_factory(customer=customer, status="failed", failure_message=kept)

    italian_page = sales_client.get("/customers/1001/", **ITALIAN).content.decode()
    english_page = sales_client.get("/customers/1001/").content.decode()

    # The vendor's own words stay as they came; the portal's sentence is translated.
    assert "FlashStart ha rifiutato l&#x27;assegnazione: Not enough credit." in italian_page
    assert kept in english_page
    failed.refresh_from_db()
    assert failed.failure_message == kept


def test_durations_and_numbers_follow_the_active_language(italian):
    italian(
        [
            (
                None,
                ("%(count)s minute", "%(count)s minutes"),
                ("%(count)s minuto", "%(count)s minuti"),
            ),
            (None, ("%(count)s hour", "%(count)s hours"), ("%(count)s ora", "%(count)s ore")),
        ]
    )

    with translation.override("it"):
        assert portal.duration_words(timedelta(minutes=15)) == "15 minuti"
        assert portal.duration_words(timedelta(hours=1)) == "1 ora"
        assert portal.points(Decimal("2.50")) == "2,5"
        assert reports.short_amount(Decimal("1234.5")) == "1,2k"
    with translation.override("en-gb"):
        assert portal.duration_words(timedelta(minutes=15)) == "15 minutes"
        assert portal.points(Decimal("2.50")) == "2.5"
        assert reports.short_amount(Decimal("1234.5")) == "1.2k"
        assert reports.short_amount(Decimal("2500000")) == "2.5M"
