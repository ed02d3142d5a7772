"""Assigning a paid licence and a demo: confirmation with a fresh price, one purchase per form."""

import re

import pytest

from licensing.models import AssignmentStatus, Language, LicenseAssignment
from tests.factories import assignment_factory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db

CODE = "CL-Q-A005-M12"  # 50.00 EUR in the sandbox


def assign_url(customer, code=CODE, currency="EUR"):
    return (
        f"/customers/{customer.customer_code}/assign/?license_code={code}&currency_code={currency}"
    )


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1)


def confirmation(client, customer, **kwargs):
    page = client.get(assign_url(customer, **kwargs)).content.decode()
    return page, {"token": hidden(page, "token"), "quote": hidden(page, "quote")}


def test_confirmation_shows_the_fresh_price_and_names_the_action(
    sales_client, customer, sandbox_settings
):
    page, _ = confirmation(sales_client, customer)

    assert "Rossi Ufficio SRL" in page
    assert "Business Filter License" in page
    assert "12 months" in page
    assert "Assign for €50.00" in page
    assert 'name="license_info"' in page
    assert sandbox_settings.state.requests["available"] == 1


def test_confirmation_in_another_currency_shows_the_code_after_the_amount(
    sales_client, customer, sandbox_settings
):
    page, _ = confirmation(sales_client, customer, currency="USD")

    assert "Assign for 54.25 USD" in page


def test_confirmation_warns_about_an_existing_demo(sales_client, customer, sandbox_settings):
    assignment_factory(customer=customer, kind="demo", license_code="CL-DEMO")

    page, _ = confirmation(sales_client, customer)

    assert "already has a demo licence" in page


def test_assigning_buys_the_licence_and_returns_to_the_customer(
    sales_client, customer, sandbox_settings
):
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(assign_url(customer), {**form, "license_info": "Headquarter"})

    assignment = LicenseAssignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/customers/1001/#assignment-{assignment.pk}"
    assert assignment.status == AssignmentStatus.ACTIVE
    assert assignment.license_info == "Headquarter"
    assert str(assignment.quoted_amount) == "50.00"
    assert sandbox_settings.state.assign_deductions == 1
    page = sales_client.get("/customers/1001/").content.decode()
    assert "Assigned Business Filter License to Rossi Ufficio SRL" in page
    assert "message-success" in page


def test_submitting_the_same_form_twice_buys_once(sales_client, customer, sandbox_settings):
    _, form = confirmation(sales_client, customer)
    data = {**form, "license_info": "Headquarter"}

    first = sales_client.post(assign_url(customer), data)
    second = sales_client.post(assign_url(customer), data, follow=True)

    assert first.status_code == 302
    assert "Already done" in second.content.decode()
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1


def test_assigning_by_htmx_redirects_the_browser(sales_client, customer, sandbox_settings):
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(
        assign_url(customer), {**form, "license_info": "Headquarter"}, **HTMX
    )

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/customers/1001/")


def test_a_bad_label_is_shown_next_to_the_field_and_nothing_is_bought(
    sales_client, customer, sandbox_settings
):
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(assign_url(customer), {**form, "license_info": "HQ <b>!"}, **HTMX)

    page = response.content.decode()
    assert "<html" not in page
    assert 'id="id_license_info_error"' in page
    assert "Use only letters, numbers, dashes and spaces" in page
    assert hidden(page, "token") == form["token"]
    assert sandbox_settings.state.assign_deductions == 0


def test_refused_assignment_offers_a_fresh_form_to_try_again(
    sales_client, customer, sandbox_settings
):
    sandbox_settings.add_fault("assign", "status401")
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(assign_url(customer), {**form, "license_info": "Headquarter"})

    page = response.content.decode()
    assert "rejected the portal&#x27;s API key" in page
    assert "Try again: assign for €50.00" in page
    assert hidden(page, "token") != form["token"]
    assert LicenseAssignment.objects.get().status == AssignmentStatus.FAILED


def test_unknown_outcome_shows_the_amber_badge_and_no_retry(
    sales_client, customer, sandbox_settings
):
    sandbox_settings.add_fault("assign", "reset_after")
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(assign_url(customer), {**form, "license_info": "Headquarter"})

    page = response.content.decode()
    assert "Outcome unknown — do not assign again; a manager will check" in page
    assert 'name="token"' not in page
    assert "Try again" not in page
    assert LicenseAssignment.objects.get().status == AssignmentStatus.UNKNOWN


def test_a_tampered_price_is_not_accepted(sales_client, customer, sandbox_settings):
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(
        assign_url(customer), {**form, "quote": form["quote"] + "x", "license_info": "HQ"}
    )

    page = response.content.decode()
    assert "could not be read" in page
    assert "Assign for €50.00" in page
    assert sandbox_settings.state.assign_deductions == 0


def test_unknown_licence_code_is_explained(sales_client, customer, sandbox_settings):
    page = sales_client.get(assign_url(customer, code="CL-NOPE")).content.decode()

    assert "does not offer a licence with code “CL-NOPE”" in page
    assert 'name="token"' not in page


def test_vendor_unavailable_on_the_price_check_is_explained(sales_client, customer, vendor_down):
    response = sales_client.get(assign_url(customer))

    assert response.status_code == 200
    assert "The price could not be checked" in response.content.decode()


# --- demos ----------------------------------------------------------------------------


def test_demo_confirmation_and_assignment(sales_client, customer, sandbox_settings):
    page = sales_client.get("/customers/1001/demo/").content.decode()
    assert "Assign free demo" in page
    assert "0 of 2 allowed" in page

    response = sales_client.post(
        "/customers/1001/demo/", {"token": hidden(page, "token"), "lang": "it"}
    )

    assert response.status_code == 302
    demo = LicenseAssignment.objects.get()
    assert demo.kind == "demo"
    assert demo.status == AssignmentStatus.ACTIVE
    assert sandbox_settings.state.demo_counts == {1001: 1}


def test_demo_offers_the_portals_languages(sales_client, customer):
    page = sales_client.get("/customers/1001/demo/").content.decode()

    offered = re.findall(r'<option value="([a-z]{2})"', page)
    assert offered == Language.values


def test_demo_language_must_be_one_of_the_listed(sales_client, customer, sandbox_settings):
    page = sales_client.get("/customers/1001/demo/").content.decode()

    response = sales_client.post(
        "/customers/1001/demo/", {"token": hidden(page, "token"), "lang": "xx"}
    )

    assert response.status_code == 200
    assert "Choose one of the listed options." in response.content.decode()
    assert not LicenseAssignment.objects.exists()
