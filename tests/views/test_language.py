"""Which language a person gets, and the switch in the header (no catalogue needed here:
the response's Content-Language says which language Django activated)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from licensing import formatting, language
from licensing.models import AuditEvent, Profile
from tests.factories import PASSWORD, user_factory

pytestmark = pytest.mark.django_db


def test_the_browser_language_is_used_when_nothing_was_chosen(sales_client):
    response = sales_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "it"
    assert '<html lang="it">' in response.content.decode()


def test_an_unknown_browser_language_falls_back_to_english(sales_client):
    response = sales_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr")
    assert response["Content-Language"] == "en-gb"


def test_english_browsers_of_any_region_get_english(sales_client):
    response = sales_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")
    assert response["Content-Language"] == "en-gb"


def test_the_header_switch_saves_the_choice_and_returns_to_the_page(sales_client, sales_user):
    response = sales_client.post("/language/", {"language": "it", "next": "/customers/?q=x"})
    assert response.status_code == 302
    assert response["Location"] == "/customers/?q=x"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert Profile.objects.get(user=sales_user).language == "it"
    row = AuditEvent.objects.filter(action="profile_update").latest("id")
    assert "it" in row.message
    # The profile's choice beats an English browser from now on.
    page = sales_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page["Content-Language"] == "it"


def test_the_profile_choice_follows_the_person_to_a_new_browser(client):
    person = user_factory(username="lia")
    Profile.objects.create(user=person, language="it")
    signed_in = client.post("/accounts/login/", {"username": "lia", "password": PASSWORD})
    assert signed_in.status_code == 302
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page["Content-Language"] == "it"


def test_the_profile_page_saves_the_language_with_the_reminders(sales_client, sales_user):
    sales_client.post("/profile/", {"language": "it"})
    profile = Profile.objects.get(user=sales_user)
    assert (profile.language, profile.reminders_opt_out) == ("it", False)
    sales_client.post("/profile/", {"language": "", "reminders_opt_out": "on"})
    profile.refresh_from_db()
    assert (profile.language, profile.reminders_opt_out) == ("", True)
    page = sales_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page["Content-Language"] == "en-gb"


@pytest.mark.parametrize("code", ["fr", "xx" * 100, "it\x00", "../it", ""])
def test_a_language_the_portal_does_not_speak_changes_nothing(sales_client, sales_user, code):
    response = sales_client.post("/language/", {"language": code, "next": "/customers/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert not Profile.objects.filter(user=sales_user).exclude(language="").exists()
    assert sales_client.post("/profile/", {"language": code}).status_code == 302
    assert not Profile.objects.filter(user=sales_user).exclude(language="").exists()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "x", "0", "²"],
)
def test_the_switch_never_sends_anyone_off_the_portal(sales_client, target):
    response = sales_client.post("/language/", {"language": "it", "next": target})
    assert response["Location"] == "/"


def test_the_sign_in_page_has_the_switch_and_remembers_it_in_a_cookie(client):
    page = client.get("/accounts/login/")
    assert 'action="/language/"' in page.content.decode()
    response = client.post("/language/", {"language": "it", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert client.get("/accounts/login/")["Content-Language"] == "it"


def test_the_switch_is_a_post_with_a_csrf_token(client):
    client = type(client)(enforce_csrf_checks=True)
    assert client.get("/language/").status_code in (302, 405)
    assert client.post("/language/", {"language": "it"}).status_code == 403


def test_vendor_lang_follows_the_active_language_and_falls_back_to_english():
    with translation.override("it"):
        assert language.vendor_lang() == "it"
    with translation.override("en-gb"):
        assert language.vendor_lang() == "en"
    assert language.vendor_lang("fr") == "en"
    assert language.vendor_lang("de-at") == "de"


def test_e_mail_language_is_the_profile_choice_else_the_default(sales_user):
    assert language.of_user(sales_user) == settings.LANGUAGE_CODE
    Profile.objects.create(user=sales_user, language="it")
    sales_user.refresh_from_db()
    assert language.of_user(sales_user) == "it"


@pytest.mark.parametrize(
    ("code", "amount", "currency", "expected"),
    [
        ("en-gb", Decimal("1490"), "EUR", "€1,490.00"),
        ("it", Decimal("1490"), "EUR", "1.490,00 €"),
        ("it", Decimal("-1234567.5"), "EUR", "-1.234.567,50 €"),
        ("it", "161.666", "USD", "161,67 USD"),
        ("it", "4.71", "chf", "4,71 CHF"),
        ("it", "42.65", "GBP", "42,65 £"),
        ("en-gb", "4.71", "CHF", "CHF 4.71"),
        ("it", "-0.001", "EUR", "0,00 €"),
        ("it", None, "EUR", "—"),
    ],
)
def test_money_is_written_the_way_the_language_writes_it(code, amount, currency, expected):
    with translation.override(code):
        assert formatting.money(amount, currency) == expected


def test_dates_are_day_first_in_both_languages():
    from datetime import date

    with translation.override("en-gb"):
        assert formatting.day(date(2027, 1, 31)) == "31 Jan 2027"
    with translation.override("it"):
        assert formatting.day(date(2027, 1, 31)) == "31 gen 2027"


def test_the_switch_names_each_language_in_itself_and_marks_the_current_one(sales_client):
    page = sales_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert ">English</button>" in page
    assert 'aria-current="true" disabled>Italiano</button>' in page
