"""Assigning a paid licence and a demo: confirmation with a fresh price, one purchase per form."""

import re
from decimal import Decimal

import pytest

from licensing import formatting
from licensing.models import AssignmentStatus, Language, LicenseAssignment
from tests.factories import assignment_factory, customer_factory
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


def test_confirmation_in_another_currency_shows_the_price_in_that_currency(
    sales_client, customer, sandbox_settings
):
    page, _ = confirmation(sales_client, customer, currency="USD")

    assert f"Assign for {formatting.money(Decimal('54.25'), 'USD')}" in page


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


# --- a second purchase of the same licence ----------------------------------------------------


def buy(client, customer, **extra):
    _, form = confirmation(client, customer)
    return client.post(assign_url(customer), {**form, "license_info": "Headquarter", **extra})


def test_back_then_assign_again_asks_for_an_explicit_confirmation(
    sales_client, customer, sandbox_settings
):
    first = buy(sales_client, customer)
    assert first.status_code == 302
    calls = sandbox_settings.state.requests["assign"]

    # Back to the confirmation: a fresh page, a fresh token, and Assign again.
    page, form = confirmation(sales_client, customer)
    response = sales_client.post(assign_url(customer), {**form, "license_info": "Second office"})

    held = response.content.decode()
    earlier = LicenseAssignment.objects.get()
    assert response.status_code == 200
    assert sandbox_settings.state.requests["assign"] == calls
    assert "Rossi Ufficio SRL already has this licence" in held
    assert "sally bought Business Filter License for Rossi Ufficio SRL" in held
    assert "labelled “Headquarter”" in held
    assert "Confirming buys another licence" in held
    assert "Buy another for €50.00" in held
    assert hidden(held, "repeat_of") == str(earlier.pk)
    assert hidden(held, "token") == form["token"]

    confirmed = sales_client.post(
        assign_url(customer),
        {
            "token": hidden(held, "token"),
            "quote": hidden(held, "quote"),
            "license_info": hidden(held, "license_info"),
            "accept_notifications": "on",
            "repeat_of": hidden(held, "repeat_of"),
        },
    )

    assert confirmed.status_code == 302
    assert sandbox_settings.state.assign_deductions == 2
    assert LicenseAssignment.objects.filter(license_info="Second office").exists()


def test_the_repeat_confirmation_replaces_the_panel_for_htmx(
    sales_client, customer, sandbox_settings
):
    buy(sales_client, customer)
    _, form = confirmation(sales_client, customer)

    response = sales_client.post(
        assign_url(customer), {**form, "license_info": "Headquarter"}, **HTMX
    )

    page = response.content.decode()
    assert "<html" not in page and 'id="confirm-panel"' in page
    assert 'name="repeat_of"' in page and 'role="alert"' in page


def test_a_double_click_on_assign_is_still_one_purchase_without_a_question(
    sales_client, customer, sandbox_settings
):
    _, form = confirmation(sales_client, customer)
    data = {**form, "license_info": "Headquarter"}

    sales_client.post(assign_url(customer), data)
    second = sales_client.post(assign_url(customer), data, follow=True)

    assert "Already done" in second.content.decode()
    assert "already has this licence" not in second.content.decode()
    assert sandbox_settings.state.assign_deductions == 1


# --- the price confirmation belongs to one customer -------------------------------------------


def test_a_confirmation_made_for_another_customer_is_refused_without_a_purchase(
    sales_client, customer, sandbox_settings
):
    other = customer_factory(customer_code=1002, name="Bäckerei Müller GmbH")
    _, form = confirmation(sales_client, other)

    response = sales_client.post(assign_url(customer), {**form, "license_info": "Headquarter"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "confirmed for another customer, licence or currency" in page
    assert sandbox_settings.state.requests["assign"] == 0
    assert not LicenseAssignment.objects.exists()


def test_a_licence_whose_price_cannot_be_read_cannot_be_bought(
    sales_client, customer, sandbox_settings
):
    sandbox_settings.set_variants(unpriced_item=True)

    page = sales_client.get(assign_url(customer, code="CL-Q-A005-M1")).content.decode()

    assert "price for “Business Filter License” (CL-Q-A005-M1) cannot be read" in page
    assert 'name="token"' not in page


def test_a_single_object_answer_to_the_price_check_still_sells(
    sales_client, customer, sandbox_settings
):
    sandbox_settings.set_variants(single_object=True)

    assert buy(sales_client, customer).status_code == 302
    assert LicenseAssignment.objects.get().status == AssignmentStatus.ACTIVE


# --- notifications and the label --------------------------------------------------------------


def test_the_label_is_marked_required_and_notifications_are_on_by_default(
    sales_client, customer, sandbox_settings
):
    page, _ = confirmation(sales_client, customer)

    label = re.search(r'<label for="id_license_info">(.*?)</label>', page, re.S).group(1)
    assert "required-mark" in label
    checkbox = re.search(r'<input[^>]*name="accept_notifications"[^>]*>', page).group(0)
    assert "checked" in checkbox


def test_unticking_notifications_is_sent_and_stored(sales_client, customer, sandbox_settings):
    _, form = confirmation(sales_client, customer)

    sales_client.post(assign_url(customer), {**form, "license_info": "Headquarter"})

    sent = sandbox_settings.state.recent_requests[-1]["body"]
    assert sent["accept_notifications"] is False
    assert LicenseAssignment.objects.get().accept_notifications is False


# --- the demo page says what the demo is, and when there is none left -------------------------


def test_the_demo_page_names_the_demo_and_its_length(sales_client, customer):
    page = sales_client.get("/customers/1001/demo/").content.decode()

    assert "Internet Protection and Malware Mitigation Trial" in page
    assert "14 days from today" in page
    button = re.search(r'<button type="submit"[^>]*>[^<]*free demo</button>', page).group(0)
    assert "disabled" not in button


def test_at_the_demo_limit_the_button_is_disabled_with_the_reason(
    sales_client, customer, sandbox_settings
):
    for _ in range(2):
        assignment_factory(customer=customer, kind="demo", license_code="CL-DEMO")

    page = sales_client.get("/customers/1001/demo/").content.decode()

    button = re.search(r'<button type="submit"[^>]*>[^<]*free demo</button>', page).group(0)
    assert "disabled" in button and 'aria-describedby="demo-limit"' in button
    assert "has had 2 demos, FlashStart's limit of 2" in page


def test_a_demo_without_notifications(sales_client, customer, sandbox_settings):
    page = sales_client.get("/customers/1001/demo/").content.decode()

    sales_client.post("/customers/1001/demo/", {"token": hidden(page, "token"), "lang": "en"})

    assert sandbox_settings.state.recent_requests[-1]["body"]["accept_notifications"] is False
    assert LicenseAssignment.objects.get().accept_notifications is False
