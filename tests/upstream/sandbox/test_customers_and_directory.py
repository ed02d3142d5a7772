"""The sandbox's customer, token and directory endpoints, and its authentication."""

import json
import urllib.parse

import pytest

from licensing.upstream.sandbox import SEED_CUSTOMERS
from licensing.upstream.sandbox.state import ENDPOINTS
from tests.upstream.sandbox.vendor_client import call, control

UNAUTHORIZED = {"message": "Invalid token or unauthorized admin"}


def new_customer(**overrides):
    body = {
        "email": "anna.verdi@verdi-impianti.example.it",
        "password": "correct horse battery",
        "customer_name": "Anna",
        "customer_surname": "Verdi",
        "country_code": "IT",
        "industry_code": 1,
        "company_name": "Verdi Impianti SNC",
        "lang": "it",
    }
    body.update(overrides)
    return body


# ----- authentication -----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_every_endpoint_answers_401_without_the_right_api_key(sandbox, endpoint, key):
    reply = call(sandbox, endpoint, {"customer_code": 1001}, key=key)

    assert reply.status == 401
    assert reply.json == UNAUTHORIZED


def test_a_rejected_call_changes_nothing(sandbox):
    body = {"customer_code": 1001, "license_code": "CL-Q-A005-M1", "license_info": "HQ"}

    call(sandbox, "assign", body, key="wrong-key")

    assert sandbox.state.assign_deductions == 0


def test_unknown_path_is_404_and_wrong_method_is_405_without_code(sandbox):
    assert call(sandbox, "/customerarea/licenses/nope").status == 404

    reply = call(sandbox, "assign", {}, method="GET")

    assert reply.status == 405
    assert "code" not in reply.json


# ----- customers/new ------------------------------------------------------------------


def test_new_customer_gets_a_code_usable_everywhere(sandbox):
    reply = call(sandbox, "customer_new", new_customer())

    assert reply.status == 200
    code = reply.json["content"]["customer_code"]
    assert isinstance(code, int)
    assert code not in {seed["customer_code"] for seed in SEED_CUSTOMERS}
    assert call(sandbox, "available", {"customer_code": code}).status == 200
    body = {"customer_code": code, "license_code": "CL-Q-A005-M1", "license_info": "Magazzino"}
    assigned = call(sandbox, "assign", body)
    assert assigned.json["content"]["customer"] == "Verdi Impianti SNC"
    assert call(sandbox, "auth_token", {"customer_code": str(code)}).status == 200


def test_family_customer_needs_no_company_name(sandbox):
    body = new_customer(industry_code=5, company_name=None)

    reply = call(sandbox, "customer_new", body)

    assert reply.status == 200


def test_new_customer_validation_errors(sandbox):
    body = {
        "email": "not-an-email",
        "password": "short",
        "country_code": "XX",
        "industry_code": 99,
        "lang": "fr",
    }

    reply = call(sandbox, "customer_new", body)

    assert reply.status == 500
    assert reply.json["errors"] == {
        "email": ["The email must be a valid email address."],
        "password": ["The password must be at least 8 characters."],
        "customer_name": ["The customer name field is required."],
        "country_code": ["The selected country code is invalid."],
        "industry_code": ["The selected industry code is invalid."],
        "company_name": ["The company name field is required unless industry code is in 5."],
        "lang": ["The lang must be one of the following types: en, it, es, de"],
    }


def test_new_customer_email_must_be_unique(sandbox):
    call(sandbox, "customer_new", new_customer())

    reply = call(sandbox, "customer_new", new_customer())

    assert reply.json["errors"] == {"email": ["The email has already been taken."]}


def test_the_password_is_never_kept(sandbox):
    call(sandbox, "customer_new", new_customer(password="Sup3r-Secret-Pa55"))

    state_text = control(sandbox, "state", method="GET").raw.decode()

    assert "Sup3r-Secret-Pa55" not in state_text
    assert "Sup3r-Secret-Pa55" not in repr(vars(sandbox.state))


# ----- auth/token ---------------------------------------------------------------------


def test_auth_token_is_already_url_encoded(sandbox):
    reply = call(sandbox, "auth_token", {"customer_code": "1001"})

    assert reply.status == 200
    content = reply.json["content"]
    assert content["expiration"] == "15 min"
    token = content["token"]
    assert "%3D" in token
    assert urllib.parse.quote(urllib.parse.unquote(token), safe="") == token


def test_auth_token_for_an_unknown_customer_is_a_validation_error(sandbox):
    reply = call(sandbox, "auth_token", {"customer_code": "7"})

    assert reply.status == 500
    assert reply.json["errors"] == {"customer_code": ["The selected customer code is invalid."]}


# ----- directory ----------------------------------------------------------------------


def test_directory_currencies(sandbox):
    content = call(sandbox, "currencies").json["content"]

    codes = {row["code"] for row in content}
    assert {"EUR", "USD", "CHF"} <= codes
    assert {"code": "EUR", "name": "Euro", "symbol": "€"} in content


def test_directory_versions(sandbox):
    content = call(sandbox, "versions").json["content"]

    assert [row["code"] for row in content] == [0, 1, 2]


def test_directory_countries_are_iso_3166_alpha_2(sandbox):
    content = call(sandbox, "countries").json["content"]

    assert len(content) == 249
    assert {"code": "CH", "name": "Switzerland"} in content
    assert all(len(row["code"]) == 2 and row["code"].isupper() for row in content)


def test_directory_industries_include_family(sandbox):
    content = call(sandbox, "industries").json["content"]

    assert {"code": 5, "name": "Family"} in content


# ----- seed customers -----------------------------------------------------------------


def test_seed_customers_are_known_to_the_sandbox(sandbox):
    assert [c["customer_code"] for c in SEED_CUSTOMERS] == list(range(1001, 1007))
    assert {c["lang"] for c in SEED_CUSTOMERS} == {"en", "it", "es", "de"}
    for seed in SEED_CUSTOMERS:
        assert set(seed) >= {"customer_code", "name", "email", "lang"}
        reply = call(sandbox, "available", {"customer_code": seed["customer_code"]})
        assert reply.status == 200


def test_answers_are_valid_json_with_non_ascii_names(sandbox):
    body = {"customer_code": 1002, "license_code": "CL-Q-A005-M1", "license_info": "Backstube"}

    reply = call(sandbox, "assign", body)

    assert json.loads(reply.raw)["content"]["customer"] == "Bäckerei Müller GmbH"
