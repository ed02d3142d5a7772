"""The client reads every way the real vendor may plausibly write its answers: each variant
switched on in the sandbox and read over real loopback HTTP.

(What the services then record is in tests/services/test_money_path.py.)
"""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from licensing import upstream
from licensing.upstream.sandbox import catalogue
from tests.upstream.sandbox.vendor_client import call, control

CUSTOMER = 1001
CODE = "CL-Q-A005-M1"  # 5.00 EUR, 0.5 points


@pytest.fixture
def client(sandbox):
    made = upstream.FlashStartClient(
        base_url=sandbox.url,
        api_key=sandbox.api_key,
        timeout=2.0,
        paths=settings.FLASHSTART_PATHS,
    )
    yield made
    made.close()


def lookup(client, **options):
    return client.licenses_available(customer_code=CUSTOMER, license_code=CODE, **options)


def buy(client, **options):
    return client.license_assign(
        customer_code=CUSTOMER, license_code=CODE, license_info="HQ", **options
    )


# --- the switches themselves ------------------------------------------------------------------


def test_variants_are_switched_over_http_and_cleared_by_a_reset(sandbox):
    reply = control(sandbox, "variants", {"single_object": True, "currency": "symbol"})

    assert reply.status == 200
    assert reply.json["variants"] == {"single_object": True, "currency": "symbol"}
    assert control(sandbox, "variants", {"currency": False}).json["variants"] == {
        "single_object": True
    }
    control(sandbox, "reset")
    assert control(sandbox, "variants", method="GET").json == {"variants": {}}


@pytest.mark.parametrize(
    "body", [{"nonsense": True}, {"currency": "dollars"}, {"http200": "yes"}, ["single_object"]]
)
def test_an_unknown_variant_is_refused_with_a_message(sandbox, body):
    reply = control(sandbox, "variants", body)

    assert reply.status == 400 or (reply.status == 200 and reply.json["variants"] == {})
    assert sandbox.state.variants == {}


# --- 1. a licence_code lookup, numbers, currencies, extra fields ------------------------------


def test_a_lookup_answered_with_one_object_is_read(sandbox, client):
    sandbox.set_variants(single_object=True)
    assert isinstance(
        call(sandbox, "available", {"customer_code": 1001, "license_code": CODE}).json["content"],
        dict,
    )

    (licence,) = lookup(client).licenses

    assert (licence.code, licence.amount, licence.currency) == (CODE, Decimal("5.00"), "EUR")


@pytest.mark.parametrize(
    ("variant", "raw"),
    [
        ({"numbers_as_strings": True}, "5.00"),
        ({"decimal_commas": True}, "5,00"),
    ],
)
def test_numbers_written_as_strings_are_read_exactly(sandbox, client, variant, raw):
    sandbox.set_variants(**variant)

    (licence,) = lookup(client).licenses
    result = buy(client)

    assert (
        call(sandbox, "available", {"customer_code": 1001, "license_code": CODE}).json["content"][
            0
        ]["license_amount"]
        == raw
    )
    assert licence.amount == Decimal("5.00") and licence.points == Decimal("0.5")
    assert result.deducted_amount == Decimal("5.00") and result.unread == ()


@pytest.mark.parametrize(
    ("spelling", "currency", "written"),
    [
        ("lower", "EUR", "eur"),
        ("code_symbol", "EUR", "EUR€"),
        ("symbol", "EUR", "€"),
        ("symbol", "USD", "$"),
        ("code_symbol", "GBP", "GBP£"),
    ],
)
def test_every_spelling_of_a_currency_is_its_iso_code(sandbox, client, spelling, currency, written):
    sandbox.set_variants(currency=spelling)
    sandbox.state.set_balances({currency: "100"})

    (licence,) = lookup(client, currency_code=currency).licenses
    result = buy(client, currency_code=currency)

    assert (licence.currency, licence.raw_currency) == (currency, written)
    assert result.currency == currency


def test_unknown_extra_fields_and_null_optional_fields_are_ignored(sandbox, client):
    sandbox.set_variants(extra_fields=True)

    (licence,) = lookup(client).licenses
    result = buy(client)
    demo = client.demo_assign(customer_code=CUSTOMER)

    assert licence.version == "" and licence.sellable
    assert result.license_id and result.unread == ()
    assert demo.license_id and demo.unread == ()


def test_licence_ids_are_strings_whichever_type_each_endpoint_uses(sandbox, client):
    sandbox.set_variants(id_types_swapped=True)
    wire_paid = call(
        sandbox, "assign", {"customer_code": 1001, "license_code": CODE, "license_info": "X"}
    )
    wire_demo = call(sandbox, "demo", {"customer_code": 1001})

    paid = buy(client)
    demo = client.demo_assign(customer_code=CUSTOMER)

    assert isinstance(wire_paid.json["content"]["license_id"], int)
    assert isinstance(wire_demo.json["content"]["license_id"], str)
    assert isinstance(paid.license_id, str) and isinstance(demo.license_id, str)
    assert int(demo.license_id) == int(paid.license_id) + 1


def test_a_sale_with_odd_details_is_still_a_sale(sandbox, client):
    sandbox.set_variants(odd_details=True)

    result = buy(client)

    assert result.license_id == sandbox.state.licenses[0].license_id
    assert result.start_date is None and result.deducted_amount is None
    assert result.expiry_date == date.fromisoformat(sandbox.state.licenses[0].expiry_date)
    assert result.unread == ("start_date", "deducted_amount")
    assert "/" in result.raw["start_date"]


# --- the body's code against HTTP ---------------------------------------------------------------


def test_http_200_with_code_405_in_the_body_is_a_refusal(sandbox, client):
    sandbox.set_variants(http200=True)
    sandbox.state.set_balances({"EUR": "0"})

    with pytest.raises(upstream.Refused) as caught:
        buy(client)

    assert caught.value.status == 405 and caught.value.call.status == 200
    assert caught.value.business and caught.value.may_have_taken_effect is False


def test_http_200_with_code_500_and_errors_is_a_validation_failure(sandbox, client):
    sandbox.set_variants(http200=True)

    with pytest.raises(upstream.ValidationFailed) as caught:
        client.license_assign(customer_code=CUSTOMER, license_code="CL-NOPE", license_info="HQ")

    assert "license_code" in caught.value.field_errors and caught.value.call.status == 200


def test_http_200_with_code_405_on_suspend_is_already_suspended(sandbox, client):
    sandbox.set_variants(http200=True)
    license_id = buy(client).license_id
    client.renewal_suspend(customer_code=CUSTOMER, license_id=license_id)

    again = client.renewal_suspend(customer_code=CUSTOMER, license_id=license_id)

    assert again.already and again.call.status == 200


# --- catalogue items that cannot be read --------------------------------------------------------


def test_one_unreadable_catalogue_item_is_skipped_not_the_catalogue(sandbox, client):
    sandbox.set_variants(unreadable_item=True)

    result = client.licenses_available(customer_code=CUSTOMER)

    assert len(result.licenses) == len(catalogue.ITEMS) and result.skipped == 1


def test_an_item_whose_price_cannot_be_read_is_shown_but_not_for_sale(sandbox, client):
    sandbox.set_variants(unpriced_item=True)

    first, *rest = client.licenses_available(customer_code=CUSTOMER).licenses

    assert first.code == next(iter(catalogue.ITEMS)) and first.amount is None
    assert not first.sellable and all(item.sellable for item in rest)


# --- 2. a 405 from something that is not the vendor -------------------------------------------


@pytest.mark.parametrize("endpoint", ["suspend", "enable"])
def test_a_proxys_405_is_a_refusal_and_nothing_changed(sandbox, client, endpoint):
    license_id = buy(client).license_id
    sandbox.add_fault(endpoint, "proxy405")

    with pytest.raises(upstream.Refused) as caught:
        getattr(client, f"renewal_{'suspend' if endpoint == 'suspend' else 'enable'}")(
            customer_code=CUSTOMER, license_id=license_id
        )

    assert caught.value.status == 405 and not caught.value.business
    assert sandbox.state.license(license_id).renewal == "enabled"


# --- 3. demos numbered apart from paid licences -------------------------------------------------


def test_a_demo_may_get_the_id_of_an_earlier_paid_licence(sandbox, client):
    sandbox.set_variants(ids_per_kind=True)

    paid = buy(client)
    demo = client.demo_assign(customer_code=CUSTOMER)

    assert demo.license_id == paid.license_id
    assert sandbox.state.license(paid.license_id).kind == "paid"
    assert sandbox.state.license(demo.license_id, kind="demo").kind == "demo"


def test_a_surcharge_is_what_the_vendor_says_it_deducted(sandbox, client):
    sandbox.set_variants(surcharge=True)

    result = buy(client)

    assert result.deducted_amount == Decimal("6.00")
    assert sandbox.state.balances["EUR"] == Decimal("994.00")
