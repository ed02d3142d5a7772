"""The vendor's quirks are normalised at the client: Decimal money, str ids, ISO currencies."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from licensing import upstream
from tests.upstream import faultserver as fs

VENDOR_EXAMPLE = [
    {
        "license_code": "CL-Q-A005-M1",
        "license_name": "Business Filter License",
        "license_duration_months": "1",
        "license_version": "0",
        "license_quantity": "5 users",
        "license_points": 0.5,
        "license_amount": 5,
        "license_amount_currency": "EUR",
    },
    {
        "license_code": "CL-Q-A010-M1",
        "license_name": "Business Filter License",
        "license_duration_months": "1",
        "license_version": "0",
        "license_quantity": "10 users",
        "license_points": 1,
        "license_amount": 10,
        "license_amount_currency": "EUR€",
    },
]


def test_available_licenses_normalise_the_vendors_example(fault, make_client):
    fault.script(fs.ok(VENDOR_EXAMPLE))

    result = make_client().licenses_available(customer_code=42)

    first, second = result.licenses
    assert first == upstream.License(
        code="CL-Q-A005-M1",
        name="Business Filter License",
        duration_months=1,
        version="0",
        quantity="5 users",
        points=Decimal("0.5"),
        amount=Decimal("5"),
        currency="EUR",
        raw_currency="EUR",
    )
    assert second.currency == "EUR"
    assert second.raw_currency == "EUR€"
    assert second.points == Decimal("1")
    assert isinstance(result.licenses, tuple)
    assert result.call.endpoint == "available"
    assert result.call.method == "GET"
    assert result.call.path == "customerarea/licenses/available"
    assert result.call.sent == {"customer_code": 42, "lang": "en", "currency_code": "EUR"}
    assert "CL-Q-A010-M1" in result.call.answer


def test_fractional_amounts_stay_exact(fault, make_client):
    fault.script(fs.ok([dict(VENDOR_EXAMPLE[0], license_amount=4.1, license_points="0.5")]))

    (license,) = make_client().licenses_available(customer_code=42).licenses

    assert license.amount == Decimal("4.1")  # not 4.0999999999999996447...
    assert license.points == Decimal("0.5")


@pytest.mark.parametrize(
    ("raw", "iso"), [("EUR€", "EUR"), ("eur", "EUR"), ("€", "EUR"), (" USD ", "USD")]
)
def test_currency_is_normalised_to_its_iso_code(fault, make_client, raw, iso):
    fault.script(fs.ok([dict(VENDOR_EXAMPLE[0], license_amount_currency=raw)]))

    (license,) = make_client().licenses_available(customer_code=42).licenses

    assert license.currency == iso
    assert license.raw_currency == raw


@pytest.mark.parametrize(
    "change",
    [{"license_amount_currency": "¤"}, {"license_amount": "NaN"}, {"license_amount": True}],
    ids=["unknown currency", "nan", "bool"],
)
def test_a_licence_whose_price_cannot_be_read_is_shown_but_not_for_sale(fault, make_client, change):
    fault.script(fs.ok([dict(VENDOR_EXAMPLE[0], **change)]))

    (license,) = make_client().licenses_available(customer_code=42).licenses

    assert license.code == "CL-Q-A005-M1" and license.name == "Business Filter License"
    assert license.amount is None and license.currency == ""
    assert not license.sellable


def test_a_licence_without_points_can_still_be_sold(fault, make_client):
    fault.script(fs.ok([dict(VENDOR_EXAMPLE[0], license_points=None)]))

    (license,) = make_client().licenses_available(customer_code=42).licenses

    assert license.points is None and license.sellable


@pytest.mark.parametrize(
    "change",
    [{"license_duration_months": "1.5"}, {"license_code": None}, {"license_name": ["x"]}],
    ids=["fractional months", "no code", "name not a text"],
)
def test_an_unreadable_catalogue_item_is_skipped_not_the_whole_list(fault, make_client, change):
    fault.script(fs.ok([dict(VENDOR_EXAMPLE[0], **change), VENDOR_EXAMPLE[1]]))

    result = make_client().licenses_available(customer_code=42)

    assert [item.code for item in result.licenses] == ["CL-Q-A010-M1"]
    assert result.skipped == 1


def test_a_catalogue_of_nothing_but_unreadable_items_is_an_unreadable_answer(fault, make_client):
    fault.script(fs.ok([dict(VENDOR_EXAMPLE[0], license_code=None), "junk"]))

    with pytest.raises(upstream.UnreadableAnswer) as caught:
        make_client().licenses_available(customer_code=42)

    assert caught.value.call.status == 200


def test_demo_license_id_number_becomes_a_string(fault, make_client):
    fault.script(
        fs.ok(
            {
                "customer": "fsdev8080",
                "version": "CL-DEMO",
                "license": "Internet Protection and Malware Mitigation Trial DEMO inserted by API",
                "expiry_date": "2022-01-12",
                "license_id": 108501,
            }
        )
    )

    result = make_client().demo_assign(customer_code=42, lang="it", accept_notifications=False)

    assert result.license_id == "108501"
    assert result.expiry_date == date(2022, 1, 12)
    assert result.customer == "fsdev8080"
    assert result.version == "CL-DEMO"
    assert result.license_name.startswith("Internet Protection")
    assert fault.last().json == {"customer_code": 42, "lang": "it", "accept_notifications": False}


def test_assign_returns_typed_result_and_sends_customer_code_as_number(fault, make_client):
    fault.script(
        fs.ok(
            {
                "customer": "The customer name",
                "license_id": "13343",
                "start_date": "2022-01-18",
                "expiry_date": "2022-01-31",
                "deducted_amount": 4.99,
                "currency_code": "EUR€",
            }
        )
    )

    result = make_client().license_assign(
        customer_code="42", license_code="CL-Q-A005-M1", license_info="Headquarter"
    )

    assert result == upstream.AssignResult(
        customer_name="The customer name",
        license_id="13343",
        start_date=date(2022, 1, 18),
        expiry_date=date(2022, 1, 31),
        deducted_amount=Decimal("4.99"),
        currency="EUR",
        call=result.call,
    )
    assert fault.last().json == {
        "customer_code": 42,
        "license_code": "CL-Q-A005-M1",
        "license_info": "Headquarter",
        "accept_notifications": True,
        "currency_code": "EUR",
    }


def test_assign_without_a_currency_in_the_answer_uses_the_one_asked_for(fault, make_client):
    fault.script(
        fs.ok(
            {
                "customer": "C",
                "license_id": 7,
                "start_date": "2022-01-18",
                "expiry_date": "2022-01-31",
                "deducted_amount": "5",
            }
        )
    )

    result = make_client().license_assign(
        customer_code=1, license_code="X", license_info="HQ", currency_code="USD"
    )

    assert result.currency == "USD"
    assert result.license_id == "7"


def test_assign_with_odd_details_is_a_sale_with_those_details_flagged(fault, make_client):
    fault.script(
        fs.ok(
            {
                "customer": "C",
                "license_id": "1",
                "start_date": "18/01/2022",
                "expiry_date": "2022-01-31",
                "deducted_amount": "five",
            }
        )
    )

    result = make_client().license_assign(customer_code=1, license_code="X", license_info="HQ")

    assert result.license_id == "1"
    assert result.start_date is None and result.deducted_amount is None
    assert result.expiry_date == date(2022, 1, 31)
    assert result.unread == ("start_date", "deducted_amount")
    assert result.raw["start_date"] == "18/01/2022" and result.raw["deducted_amount"] == "five"


def test_assign_without_a_licence_id_is_unreadable_and_may_have_charged(fault, make_client):
    fault.script(fs.ok({"customer": "C", "start_date": "2022-01-18", "deducted_amount": 5}))

    with pytest.raises(upstream.UnreadableAnswer) as caught:
        make_client().license_assign(customer_code=1, license_code="X", license_info="HQ")

    assert caught.value.may_have_taken_effect is True
    assert "may have been carried out" in str(caught.value)


@pytest.mark.parametrize("method", ["renewal_suspend", "renewal_enable"])
def test_renewal_change_sends_strings_and_reports_success(fault, make_client, method):
    fault.script(fs.ok("License suspended successfully."))

    result = getattr(make_client(), method)(customer_code=42, license_id=13343)

    assert result.message == "License suspended successfully."
    assert result.already is False
    assert fault.last().json == {"license_id": "13343", "customer_code": "42"}


def test_suspend_already_suspended_is_not_an_error(fault, make_client):
    fault.script(fs.reply(405, {"code": 405, "message": "License already suspended.", "error": []}))

    result = make_client().renewal_suspend(customer_code=42, license_id="13343")

    assert result.already is True
    assert result.message == "License already suspended."
    assert result.call.status == 405


def test_enable_answered_already_suspended_is_a_refusal(fault, make_client):
    fault.script(fs.reply(405, {"code": 405, "message": "License already suspended.", "error": []}))

    with pytest.raises(upstream.Refused) as caught:
        make_client().renewal_enable(customer_code=42, license_id="13343")

    assert caught.value.business and caught.value.status == 405


@pytest.mark.parametrize(
    "answer",
    [
        fs.html(405, "<html><center><h1>405 Not Allowed</h1></center>nginx</html>"),
        fs.reply(405, {"message": "The POST method is not supported for this route."}),
        fs.reply(405, {"code": 405, "message": "License cannot be suspended now.", "error": []}),
    ],
    ids=["proxy page", "framework's method not allowed", "another business refusal"],
)
def test_suspend_refused_otherwise_is_not_already_suspended(fault, make_client, answer):
    fault.script(answer)

    with pytest.raises(upstream.Refused) as caught:
        make_client().renewal_suspend(customer_code=42, license_id="13343")

    assert caught.value.status == 405


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_renewal_other_refusals_still_raise(fault, make_client, status):
    fault.script(fs.reply(status, {"message": "Nope."}))

    with pytest.raises(upstream.Refused) as caught:
        make_client().renewal_suspend(customer_code=42, license_id="1")

    assert caught.value.status == status
    assert caught.value.may_have_taken_effect is False


def test_renewal_answer_that_is_not_a_message_is_unreadable(fault, make_client):
    fault.script(fs.ok({"unexpected": True}))

    with pytest.raises(upstream.UnreadableAnswer):
        make_client().renewal_enable(customer_code=42, license_id="1")


def test_customer_create_returns_the_code_and_omits_unset_fields(fault, make_client):
    fault.script(fs.ok({"customer_code": "17"}))

    result = make_client().customer_create(
        email="anna@example.com",
        password="s3cret-Passw0rd",
        customer_name="Anna",
        country_code="IT",
        industry_code="5",
        phone="+39 055 000000",
    )

    assert result.customer_code == 17
    assert fault.last().json == {
        "email": "anna@example.com",
        "password": "s3cret-Passw0rd",
        "customer_name": "Anna",
        "country_code": "IT",
        "industry_code": 5,
        "phone": "+39 055 000000",
        "lang": "en",
    }


def test_dashboard_link_appends_the_token_without_encoding_it_again(fault, make_client):
    fault.script(fs.ok({"token": "abc%2Bdef%3D%3D", "expiration": "15 min"}))

    link = make_client(dashboard_url="https://cloud.flashstart.com/?auth_token=").dashboard_token(
        customer_code=42
    )

    assert link.url == "https://cloud.flashstart.com/?auth_token=abc%2Bdef%3D%3D"
    assert link.expiration == "15 min"
    assert fault.last().json == {"customer_code": "42"}
    assert fault.last().method == "GET"


@pytest.mark.parametrize("token", ["", "abc def", 'x"><script>', None, 123])
def test_dashboard_token_that_could_break_the_link_is_unreadable(fault, make_client, token):
    fault.script(fs.ok({"token": token, "expiration": "15 min"}))

    with pytest.raises(upstream.UnreadableAnswer):
        make_client().dashboard_token(customer_code=42)


def test_results_are_frozen(fault, make_client):
    fault.script(fs.ok({"customer_code": 1}))
    result = make_client().customer_create(
        email="a@example.com", password="p", customer_name="A", country_code="IT", industry_code=1
    )

    with pytest.raises(AttributeError):
        result.customer_code = 2


def test_json_is_read_as_utf8_whatever_the_content_type_says(fault, make_client):
    body = json.dumps({"code": 200, "content": VENDOR_EXAMPLE[1:]}, ensure_ascii=False)
    fault.script(fs.reply(200, body.encode("utf-8"), content_type="text/plain"))

    (license,) = make_client().licenses_available(customer_code=42).licenses

    assert license.raw_currency == "EUR€"


def test_absurdly_nested_json_is_an_unreadable_answer(fault, make_client):
    fault.script(fs.reply(200, "[" * 100_000 + "]" * 100_000))

    with pytest.raises(upstream.UnreadableAnswer):
        make_client().licenses_available(customer_code=42)


@pytest.mark.parametrize("customer_code", [1.5, True, "abc"])
def test_a_bad_customer_code_is_our_bug_and_nothing_is_sent(fault, make_client, customer_code):
    with pytest.raises(ValueError):
        make_client().license_assign(
            customer_code=customer_code, license_code="X", license_info="HQ"
        )

    assert fault.count() == 0


def test_a_missing_licence_path_is_a_configuration_error(make_client):
    paths = {k: v for k, v in settings.FLASHSTART_PATHS.items() if k != "assign"}

    with pytest.raises(ImproperlyConfigured, match="assign"):
        make_client(paths=paths)
