"""Every client method over real loopback HTTP against the sandbox (the vendor stand-in).

The fault server tests pin down each fault in isolation; these check that the client and
the sandbox agree on the vendor's paths, shapes and quirks, and that the sandbox's
faults map as they should (including whether the vendor really acted).
"""

import time
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from licensing import upstream

CUSTOMER = 1001  # a seed customer of the sandbox
DASHBOARD = "https://cloud.flashstart.com/?auth_token="


@pytest.fixture
def client(sandbox):
    made = upstream.FlashStartClient(
        base_url=sandbox.url,
        api_key=sandbox.api_key,
        timeout=2.0,
        paths=settings.FLASHSTART_PATHS,
        fallbacks=settings.FLASHSTART_FALLBACKS,
        dashboard_url=DASHBOARD,
    )
    yield made
    made.close()


@pytest.fixture
def quick_client(sandbox):
    """A client with a short budget, for faults that stall."""
    made = upstream.FlashStartClient(
        base_url=sandbox.url,
        api_key=sandbox.api_key,
        timeout=0.4,
        paths=settings.FLASHSTART_PATHS,
    )
    yield made
    made.close()


def assign(client, **overrides):
    options = {"customer_code": CUSTOMER, "license_code": "CL-Q-A005-M1", "license_info": "HQ"}
    options.update(overrides)
    return client.license_assign(**options)


# --- reads --------------------------------------------------------------------------------


def test_available_licenses_are_typed_and_normalised(client):
    result = client.licenses_available(customer_code=CUSTOMER)

    by_code = {lic.code: lic for lic in result.licenses}
    assert len(by_code) > 2
    quirky = by_code["CL-Q-A010-M1"]
    assert quirky.raw_currency == "EUR€"
    assert quirky.currency == "EUR"
    assert all(isinstance(lic.amount, Decimal) for lic in result.licenses)
    assert all(isinstance(lic.points, Decimal) for lic in result.licenses)
    assert all(isinstance(lic.duration_months, int) for lic in result.licenses)
    assert result.call.status == 200


def test_available_filters_reach_the_sandbox(client):
    one = client.licenses_available(customer_code=CUSTOMER, license_code="CL-Q-A005-M1")
    in_usd = client.licenses_available(customer_code=CUSTOMER, currency_code="USD")
    by_version = client.licenses_available(customer_code=CUSTOMER, version_code=0)
    yearly = client.licenses_available(customer_code=CUSTOMER, license_duration=12)

    assert [lic.code for lic in one.licenses] == ["CL-Q-A005-M1"]
    assert yearly.licenses and {lic.duration_months for lic in yearly.licenses} == {12}
    assert {lic.currency for lic in in_usd.licenses} == {"USD"}
    assert {lic.version for lic in by_version.licenses} == {"0"}


def test_available_with_a_bad_language_is_a_field_error(client):
    with pytest.raises(upstream.ValidationFailed) as caught:
        client.licenses_available(customer_code=CUSTOMER, lang="fr")

    assert "lang" in caught.value.field_errors


def test_directories_come_from_the_sandbox_not_the_fallback(client):
    assert upstream.Choice("EUR", "Euro") in client.currencies()
    assert upstream.Choice("0", "Standard") in client.versions()
    assert upstream.Choice("IT", "Italy") in client.countries()
    industries = client.industries()
    assert industries and all(choice.value.isdigit() for choice in industries)
    assert len(client.countries()) > len(settings.FLASHSTART_FALLBACKS["countries"])


def test_wrong_key_is_rejected(sandbox):
    client = upstream.FlashStartClient(
        base_url=sandbox.url, api_key="not-the-key", timeout=2.0, paths=settings.FLASHSTART_PATHS
    )

    with pytest.raises(upstream.KeyRejected):
        client.licenses_available(customer_code=CUSTOMER)


# --- writes -------------------------------------------------------------------------------


def test_assign_deducts_exactly_the_amount_it_reports(client, sandbox):
    before = sandbox.state.balances["EUR"]

    result = assign(client)

    assert result.license_id.isdigit()
    assert isinstance(result.start_date, date) and result.expiry_date > result.start_date
    assert result.currency == "EUR"
    assert sandbox.state.balances["EUR"] == before - result.deducted_amount
    assert sandbox.state.assign_deductions == 1


def test_assign_with_an_invalid_label_is_a_field_error_and_costs_nothing(client, sandbox):
    with pytest.raises(upstream.ValidationFailed) as caught:
        assign(client, license_info="Head/quarter!")

    assert "license_info" in caught.value.field_errors
    assert caught.value.may_have_taken_effect is False
    assert sandbox.state.assign_deductions == 0


def test_assign_without_credit_is_refused(client, sandbox):
    sandbox.state.set_balances({"EUR": "0.00"})

    with pytest.raises(upstream.Refused) as caught:
        assign(client)

    assert caught.value.message == "Insufficient credit."


def test_demo_gives_a_string_id_and_is_refused_after_the_limit(client):
    first = client.demo_assign(customer_code=CUSTOMER)
    client.demo_assign(customer_code=CUSTOMER)

    with pytest.raises(upstream.Refused) as caught:
        client.demo_assign(customer_code=CUSTOMER)

    assert isinstance(first.license_id, str) and first.license_id.isdigit()
    assert isinstance(first.expiry_date, date)
    assert "Maximum" in caught.value.message


def test_suspend_twice_reports_already_suspended(client):
    license_id = assign(client).license_id

    first = client.renewal_suspend(customer_code=CUSTOMER, license_id=license_id)
    again = client.renewal_suspend(customer_code=CUSTOMER, license_id=license_id)
    enabled = client.renewal_enable(customer_code=CUSTOMER, license_id=license_id)

    assert (first.already, again.already, enabled.already) == (False, True, False)
    assert first.message == "License suspended successfully."
    assert again.message == "License already suspended."


def test_enable_twice_is_a_refusal_not_proof_that_renewal_is_on(client):
    license_id = assign(client).license_id

    # The vendor documents suspend's 405 body for enable too: it proves nothing.
    with pytest.raises(upstream.Refused) as caught:
        client.renewal_enable(customer_code=CUSTOMER, license_id=license_id)

    assert caught.value.status == 405 and caught.value.business
    assert caught.value.message == "License already suspended."


def test_renewal_of_an_unknown_licence_is_a_field_error(client):
    with pytest.raises(upstream.ValidationFailed) as caught:
        client.renewal_suspend(customer_code=CUSTOMER, license_id="999999")

    assert "license_id" in caught.value.field_errors


def test_customer_create_returns_a_new_code_and_rejects_a_duplicate_email(client):
    fields = {
        "email": "new.customer@example.com",
        "password": "long-enough-password",
        "customer_name": "Nuovo Cliente",
        "country_code": "IT",
        "industry_code": 1,
        "company_name": "Nuovo SRL",
    }

    created = client.customer_create(**fields)
    with pytest.raises(upstream.ValidationFailed) as caught:
        client.customer_create(**fields)

    assert created.customer_code > CUSTOMER
    assert created.call.sent["password"] == "[redacted]"
    assert "email" in caught.value.field_errors


def test_dashboard_link_keeps_the_tokens_encoding_and_hides_it(client):
    link = client.dashboard_token(customer_code=CUSTOMER)

    token = link.url.removeprefix(DASHBOARD)
    assert link.url.startswith(DASHBOARD)
    assert "%3D" in token and "%25" not in token  # encoded once, not twice
    assert token not in link.call.answer
    assert link.expiration == "15 min"


# --- the sandbox's faults -----------------------------------------------------------------


def test_assign_reset_after_processing_is_unknown_and_really_charged(quick_client, sandbox):
    sandbox.add_fault("assign", "reset_after")

    with pytest.raises(upstream.Unavailable) as caught:
        assign(quick_client)

    assert caught.value.may_have_taken_effect is True
    assert sandbox.state.assign_deductions == 1
    assert sandbox.state.requests["assign"] == 1


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        ("timeout_after", upstream.Unavailable),
        ("slow", upstream.Unavailable),
        ("invalid_json", upstream.UnreadableAnswer),
    ],
)
def test_assign_faults_after_processing_may_have_taken_effect(
    quick_client, sandbox, fault, error_class
):
    sandbox.add_fault("assign", fault, seconds=5)

    started = time.monotonic()
    with pytest.raises(error_class) as caught:
        assign(quick_client)

    # The client gave up at its own read timeout (0.4 s), long before the vendor's 5 s
    # answer: bounded generously, so a loaded machine cannot fail it.
    assert time.monotonic() - started < 3
    assert caught.value.may_have_taken_effect is True
    assert sandbox.state.assign_deductions == 1
    assert sandbox.state.requests["assign"] == 1


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        ("html502", upstream.Unavailable),
        ("retry_after", upstream.Unavailable),
        ("status500", upstream.Unavailable),
        ("status401", upstream.KeyRejected),
    ],
)
def test_assign_faults_before_processing_are_sent_once_and_charge_nothing(
    quick_client, sandbox, fault, error_class
):
    sandbox.add_fault("assign", fault)

    with pytest.raises(error_class):
        assign(quick_client)

    assert sandbox.state.requests["assign"] == 1
    assert sandbox.state.assign_deductions == 0


def test_available_retries_past_a_502(client, sandbox):
    sandbox.add_fault("available", "html502")

    result = client.licenses_available(customer_code=CUSTOMER)

    assert result.licenses
    assert sandbox.state.requests["available"] == 2


def test_a_dropped_get_body_shows_as_a_field_error_not_as_wrong_data(client, sandbox):
    sandbox.add_fault("available", "drop_body")

    with pytest.raises(upstream.ValidationFailed) as caught:
        client.licenses_available(customer_code=CUSTOMER)

    assert "customer_code" in caught.value.field_errors


def test_directories_fall_back_when_the_sandbox_fails(client, sandbox):
    sandbox.add_fault("currencies", "status500")

    assert client.currencies() == [
        upstream.Choice(code, label) for code, label in settings.FLASHSTART_FALLBACKS["currencies"]
    ]
