"""The sandbox's licence endpoints, over real loopback HTTP."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest

from licensing.upstream.sandbox import catalogue
from licensing.upstream.sandbox.state import add_months
from tests.upstream.sandbox.vendor_client import call

INVALID = "The given data was invalid."


def assign_body(**overrides):
    body = {
        "customer_code": 1001,
        "license_code": "CL-Q-A005-M1",
        "license_info": "Headquarter",
    }
    body.update(overrides)
    return body


def errors_of(reply):
    assert reply.status == 500
    assert reply.json["code"] == 500
    assert reply.json["message"] == INVALID
    return reply.json["errors"]


# ----- licenses/available -------------------------------------------------------------


def test_available_lists_the_catalogue_with_the_vendors_string_typed_numbers(sandbox):
    reply = call(sandbox, "available", {"customer_code": 1001})

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json
    assert body["code"] == 200
    items = body["content"]
    assert len(items) == len(catalogue.ITEMS)
    first = items[0]
    assert first == {
        "license_code": "CL-Q-A005-M1",
        "license_name": "Business Filter License",
        "license_duration_months": "1",
        "license_version": "0",
        "license_quantity": "5 users",
        "license_points": 0.5,
        "license_amount": 5,
        "license_amount_currency": "EUR",
    }
    assert {item["license_duration_months"] for item in items} == {"1", "12", "24", "36"}
    assert {item["license_version"] for item in items} == {"0", "1", "2"}
    assert any(isinstance(item["license_amount"], float) for item in items)


def test_available_reproduces_the_eur_euro_sign_currency_label(sandbox):
    items = call(sandbox, "available", {"customer_code": 1001}).json["content"]

    labels = {item["license_code"]: item["license_amount_currency"] for item in items}
    assert labels["CL-Q-A010-M1"] == "EUR€"
    assert labels["CL-Q-A005-M1"] == "EUR"


def test_available_reads_the_json_body_of_a_get_request(sandbox):
    reply = call(sandbox, "available", {"customer_code": 1001, "license_duration": "12"})

    assert reply.status == 200
    assert {i["license_duration_months"] for i in reply.json["content"]} == {"12"}


def test_available_ignores_a_body_not_sent_as_json(sandbox):
    reply = call(sandbox, "available", {"customer_code": 1001}, content_type="text/plain")

    assert reply.status == 500
    assert reply.json["errors"] == {"customer_code": ["The customer code field is required."]}


def test_available_accepts_query_parameters_under_the_json_body(sandbox):
    reply = call(
        sandbox, "available", {"customer_code": 1001}, query="license_duration=36&customer_code=9"
    )

    assert reply.status == 200
    assert {i["license_duration_months"] for i in reply.json["content"]} == {"36"}


@pytest.mark.parametrize(
    ("lang", "name"),
    [
        ("en", "Business Filter License"),
        ("it", "Licenza Business Filter"),
        ("es", "Licencia Business Filter"),
        ("de", "Business-Filter-Lizenz"),
    ],
)
def test_available_translates_licence_names(sandbox, lang, name):
    body = {"customer_code": 1001, "lang": lang, "license_code": "CL-Q-A005-M1"}

    [item] = call(sandbox, "available", body).json["content"]

    assert item["license_name"] == name


def test_available_filters_by_version_and_duration(sandbox):
    body = {"customer_code": 1001, "version_code": 1, "license_duration": "24"}

    items = call(sandbox, "available", body).json["content"]

    assert [i["license_code"] for i in items] == ["CL-Q-B025-M24"]
    assert items[0]["license_version"] == "1"


def test_available_prices_in_the_requested_currency_rounded_to_cents(sandbox):
    body = {"customer_code": 1001, "license_code": "CL-Q-A005-M1", "currency_code": "USD"}

    [item] = call(sandbox, "available", body).json["content"]

    assert item["license_amount_currency"] == "USD"
    assert Decimal(str(item["license_amount"])) == Decimal("5.43")  # 5.00 x 1.085, half up


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "customer_code", "The customer code field is required."),
        ({"customer_code": 999}, "customer_code", "The selected customer code is invalid."),
        (
            {"customer_code": 1001, "lang": "fr"},
            "lang",
            "The lang must be one of the following types: en, it, es, de",
        ),
        (
            {"customer_code": 1001, "license_code": "CL-NOPE"},
            "license_code",
            "The selected license code is invalid.",
        ),
        (
            {"customer_code": 1001, "currency_code": "JPY"},
            "currency_code",
            "The selected currency code is invalid.",
        ),
    ],
)
def test_available_validation_errors_are_http_500_with_field_errors(sandbox, body, field, message):
    errors = errors_of(call(sandbox, "available", body))

    assert errors == {field: [message]}


# ----- licenses/assign ----------------------------------------------------------------


def test_assign_deducts_the_price_and_answers_the_vendors_shape(sandbox):
    reply = call(sandbox, "assign", assign_body(license_code="CL-Q-A005-M12"))

    assert reply.status == 200
    content = reply.json["content"]
    today = sandbox.state.today()
    assert content == {
        "customer": "Rossi Ufficio SRL",
        "license_id": content["license_id"],
        "start_date": today.isoformat(),
        "expiry_date": add_months(today, 12).isoformat(),
        "deducted_amount": 50,
        "currency_code": "EUR",
    }
    assert isinstance(content["license_id"], str)
    assert sandbox.state.balances["EUR"] == Decimal("950.00")
    assert sandbox.state.assign_deductions == 1
    [lic] = sandbox.state.licenses
    assert (lic.license_id, lic.customer_code, lic.renewal) == (
        content["license_id"],
        1001,
        "enabled",
    )


def test_assign_deducts_from_the_credit_of_the_requested_currency(sandbox):
    reply = call(sandbox, "assign", assign_body(license_code="CL-Q-F005-M1", currency_code="CHF"))

    assert reply.json["content"]["deducted_amount"] == 2.82  # 2.99 x 0.9425, half up
    assert reply.json["content"]["currency_code"] == "CHF"
    balances = sandbox.state.balances
    assert balances["CHF"] == Decimal("297.18")
    assert balances["EUR"] == Decimal("1000.00")


def test_assign_with_too_little_credit_is_refused_and_deducts_nothing(sandbox):
    sandbox.reset(balances={"EUR": "4.99"})

    reply = call(sandbox, "assign", assign_body())

    assert reply.status == 405
    assert reply.json == {"code": 405, "message": "Insufficient credit.", "error": []}
    assert sandbox.state.balances["EUR"] == Decimal("4.99")
    assert sandbox.state.assign_deductions == 0
    assert sandbox.state.licenses == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"license_info": "Head_office!"},
            "license_info",
            "The license info may only contain letters, numbers, dashes and whitespace.",
        ),
        ({"license_info": "   "}, "license_info", "The license info field is required."),
        ({"license_code": None}, "license_code", "The license code field is required."),
        ({"license_code": "CL-Q-X"}, "license_code", "The selected license code is invalid."),
        ({"customer_code": 4242}, "customer_code", "The selected customer code is invalid."),
        ({"currency_code": "XXX"}, "currency_code", "The selected currency code is invalid."),
    ],
)
def test_assign_validation_errors_deduct_nothing(sandbox, overrides, field, message):
    errors = errors_of(call(sandbox, "assign", assign_body(**overrides)))

    assert errors == {field: [message]}
    assert sandbox.state.assign_deductions == 0
    assert sandbox.state.balances["EUR"] == Decimal("1000.00")


def test_assign_accepts_accented_letters_dashes_and_spaces_in_license_info(sandbox):
    reply = call(sandbox, "assign", assign_body(license_info="Filiale Zürich - Büro 2"))

    assert reply.status == 200


def test_fifty_concurrent_assigns_make_fifty_deductions(sandbox):
    replies = []
    barrier = threading.Barrier(50)

    def buy():
        barrier.wait()
        replies.append(call(sandbox, "assign", assign_body(), timeout=15))

    threads = [threading.Thread(target=buy) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status for r in replies] == [200] * 50
    assert sandbox.state.assign_deductions == 50
    assert sandbox.state.balances["EUR"] == Decimal("1000.00") - 50 * Decimal("5.00")
    ids = {r.json["content"]["license_id"] for r in replies}
    assert len(ids) == 50


def test_concurrent_assigns_never_overdraw_the_credit(sandbox):
    sandbox.reset(balances={"EUR": "52.00"})  # enough for 10 at 5.00
    replies = []

    def buy():
        replies.append(call(sandbox, "assign", assign_body(), timeout=15))

    threads = [threading.Thread(target=buy) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status for r in replies) == [200] * 10 + [405] * 10
    assert sandbox.state.balances["EUR"] == Decimal("2.00")
    assert sandbox.state.assign_deductions == 10


# ----- licenses/demo ------------------------------------------------------------------


def test_demo_answers_a_numeric_license_id_and_a_fourteen_day_expiry(sandbox):
    reply = call(sandbox, "demo", {"customer_code": 1002, "lang": "de"})

    assert reply.status == 200
    content = reply.json["content"]
    assert isinstance(content["license_id"], int)
    assert content["version"] == "CL-DEMO"
    assert content["license"] == catalogue.DEMO_NAME
    assert content["customer"] == "fs1002"
    assert content["expiry_date"] == (sandbox.state.today() + timedelta(days=14)).isoformat()
    assert sandbox.state.demo_counts == {1002: 1}
    assert sandbox.state.balances["EUR"] == Decimal("1000.00")


def test_third_demo_for_a_customer_is_refused(sandbox):
    for _ in range(2):
        assert call(sandbox, "demo", {"customer_code": 1003}).status == 200

    reply = call(sandbox, "demo", {"customer_code": 1003})

    assert reply.status == 405
    assert reply.json == {
        "code": 405,
        "message": "Maximum number of demo licenses reached.",
        "error": [],
    }
    assert call(sandbox, "demo", {"customer_code": 1004}).status == 200


def test_demo_validates_lang(sandbox):
    errors = errors_of(call(sandbox, "demo", {"customer_code": 1002, "lang": "pt"}))

    assert errors == {"lang": ["The lang must be one of the following types: en, it, es, de"]}
    assert sandbox.state.demo_counts == {}


# ----- licenses/suspend and licenses/enable -------------------------------------------


@pytest.fixture
def license_id(sandbox):
    return call(sandbox, "assign", assign_body()).json["content"]["license_id"]


def test_suspend_then_enable(sandbox, license_id):
    body = {"license_id": license_id, "customer_code": "1001"}

    suspended = call(sandbox, "suspend", body)
    assert suspended.status == 200
    assert suspended.json == {"code": 200, "content": "License suspended successfully."}
    assert sandbox.state.license(license_id).renewal == "suspended"

    enabled = call(sandbox, "enable", body)
    assert enabled.status == 200
    assert enabled.json == {"code": 200, "content": "License enabled successfully."}
    assert sandbox.state.license(license_id).renewal == "enabled"


def test_suspending_twice_is_refused_with_405(sandbox, license_id):
    body = {"license_id": license_id, "customer_code": "1001"}
    call(sandbox, "suspend", body)

    reply = call(sandbox, "suspend", body)

    assert reply.status == 405
    assert reply.json == {"code": 405, "message": "License already suspended.", "error": []}


def test_enabling_an_enabled_licence_gives_the_vendors_copy_pasted_405(sandbox, license_id):
    reply = call(sandbox, "enable", {"license_id": license_id, "customer_code": "1001"})

    assert reply.status == 405
    assert reply.json == {"code": 405, "message": "License already suspended.", "error": []}


def test_suspend_of_an_unknown_licence_is_a_validation_error(sandbox, license_id):
    errors = errors_of(call(sandbox, "suspend", {"license_id": "999999", "customer_code": "1001"}))

    assert errors == {"license_id": ["The selected license id is invalid."]}


def test_suspend_of_another_customers_licence_is_a_validation_error(sandbox, license_id):
    body = {"license_id": license_id, "customer_code": "1002"}

    errors = errors_of(call(sandbox, "suspend", body))

    assert errors == {"license_id": ["The selected license id is invalid."]}
    assert sandbox.state.license(license_id).renewal == "enabled"


def test_suspend_documents_license_id_as_a_string(sandbox, license_id):
    errors = errors_of(
        call(sandbox, "suspend", {"license_id": int(license_id), "customer_code": "1001"})
    )

    assert errors == {"license_id": ["The license id must be a string."]}


def test_demo_licences_can_be_suspended_too(sandbox):
    demo_id = call(sandbox, "demo", {"customer_code": 1005}).json["content"]["license_id"]

    reply = call(sandbox, "suspend", {"license_id": str(demo_id), "customer_code": "1005"})

    assert reply.status == 200
