"""The customer list, the customer page, registering customers and the dashboard link."""

import json

import pytest

from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer
from tests.factories import assignment_factory, customer_factory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


# --- the list ---------------------------------------------------------------------------


def test_customer_list_is_a_full_page_with_the_search_box(sales_client, customer):
    response = sales_client.get("/customers/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert "Rossi Ufficio SRL" in page


def test_search_by_htmx_returns_only_the_results_fragment(sales_client, customer):
    customer_factory(name="Bäckerei Müller GmbH", customer_code=1002)

    response = sales_client.get("/customers/?q=rossi", **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="results"')
    assert "Rossi Ufficio SRL" in page
    assert "Müller" not in page
    assert "HX-Request" in response["Vary"]


def test_search_by_customer_code_finds_the_customer(sales_client, customer):
    page = sales_client.get("/customers/?q=1001").content.decode()

    assert "Rossi Ufficio SRL" in page


@pytest.mark.parametrize("page_number", ["¹", "٣", "0", "99999999"])
def test_a_page_number_that_is_no_page_shows_the_first(sales_client, customer, page_number):
    response = sales_client.get("/customers/", {"page": page_number})

    assert response.status_code == 200
    assert "Rossi Ufficio SRL" in response.content.decode()


def test_search_without_match_says_what_to_do_next(sales_client, customer):
    page = sales_client.get("/customers/?q=zzz").content.decode()

    assert "No customer matches “zzz”" in page
    assert 'href="/customers/new/"' in page


def test_empty_portal_invites_to_register_the_first_customer(sales_client):
    page = sales_client.get("/customers/").content.decode()

    assert "No customers yet" in page
    assert "Register one" in page


def test_long_lists_are_paginated_with_links_that_keep_the_search(sales_client):
    for number in range(30):
        customer_factory(name=f"Acme {number:02d}")

    first = sales_client.get("/customers/?q=acme").content.decode()
    second = sales_client.get("/customers/?q=acme&page=2").content.decode()

    assert first.count('data-label="Code"') == 25
    assert "Page 1 of 2" in first
    assert 'href="?q=acme&amp;page=2"' in first
    assert second.count('data-label="Code"') == 5


def test_a_silly_page_number_shows_the_first_page(sales_client, customer):
    response = sales_client.get("/customers/?page=abc")

    assert response.status_code == 200
    assert "Rossi Ufficio SRL" in response.content.decode()


# --- the customer page ------------------------------------------------------------------


def test_unknown_customer_code_gets_a_friendly_not_found_page(sales_client):
    response = sales_client.get("/customers/424242/")

    assert response.status_code == 404
    assert "No customer with code 424242 is registered" in response.content.decode()


def test_customer_page_shows_assignments_with_badges_dates_and_money(sales_client, customer):
    assignment_factory(
        customer=customer,
        license_name="Business Filter License",
        amount="50.00",
        currency="EUR",
        renewal="suspended",
    )
    assignment_factory(customer=customer, status="unknown", license_name="Pending thing")
    assignment_factory(
        customer=customer, kind="demo", license_code="CL-DEMO", amount=None, license_name="Trial"
    )

    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert "Business Filter License" in page
    assert ">Active<" in page
    assert ">Renewal suspended<" in page
    assert ">Outcome unknown<" in page
    assert "Do not assign again — a manager will check." in page
    assert ">Demo<" in page
    assert "€50.00" in page
    assert "Resume renewal" in page


def test_sales_do_not_see_resolve_but_managers_do(client, sales_user, manager_user, customer):
    assignment_factory(customer=customer, status="unknown")
    url = f"/customers/{customer.customer_code}/"

    client.force_login(sales_user)
    assert "Resolve" not in client.get(url).content.decode()
    client.force_login(manager_user)
    assert ">Resolve<" in client.get(url).content.decode()


def test_licence_names_from_the_vendor_are_escaped(sales_client, customer):
    assignment_factory(customer=customer, license_name="<script>alert('x')</script>")

    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_timeline_is_paginated_and_its_pages_come_as_fragments(sales_client, customer):
    for _ in range(25):
        assignment_factory(customer=customer)
    url = f"/customers/{customer.customer_code}/"

    first = sales_client.get(url).content.decode()
    older = sales_client.get(url + "?page=2&part=timeline", **HTMX).content.decode()

    assert "Older →" in first
    assert "<html" not in older
    assert older.lstrip().startswith('<section id="timeline"')
    assert "← Newer" in older


def test_customer_without_assignments_says_how_to_start(sales_client, customer):
    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert "No licences yet" in page
    assert f"/customers/{customer.customer_code}/catalogue/" in page


# --- registering ----------------------------------------------------------------------


def test_new_customer_page_offers_both_ways(sales_client):
    page = sales_client.get("/customers/new/").content.decode()

    assert "Link an existing FlashStart customer" in page
    assert "Create a new customer at FlashStart" in page
    assert 'name="customer_code"' in page


def test_linking_a_customer_the_vendor_knows(sales_client, sandbox_settings):
    response = sales_client.post(
        "/customers/new/",
        {"mode": "link", "customer_code": "1002", "name": "Bäckerei Müller", "language": "de"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/customers/1002/"
    assert Customer.objects.get(customer_code=1002).name == "Bäckerei Müller"
    page = sales_client.get("/customers/1002/").content.decode()
    assert "Linked Bäckerei Müller (FlashStart code 1002)." in page


def test_linking_a_code_the_vendor_does_not_know_is_refused_with_its_reason(
    sales_client, sandbox_settings
):
    response = sales_client.post(
        "/customers/new/",
        {"mode": "link", "customer_code": "777777", "name": "Ghost Ltd", "language": "en"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "FlashStart does not know customer code 777777" in page
    assert 'aria-invalid="true"' in page
    assert not Customer.objects.filter(customer_code=777777).exists()


def test_linking_with_htmx_redirects_the_browser_to_the_new_customer(
    sales_client, sandbox_settings
):
    response = sales_client.post(
        "/customers/new/",
        {"mode": "link", "customer_code": "1003", "name": "Clínica Sol", "language": "es"},
        **HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/customers/1003/"


def test_creating_a_customer_at_the_vendor_never_keeps_the_password(sales_client, sandbox_settings):
    secret = "Sup3r-secret-pass"
    form = {
        "mode": "create",
        "customer_name": "Anna",
        "customer_surname": "Verdi",
        "company_name": "Verdi Consulting",
        "email": "anna@verdi.example.com",
        "password": secret,
        "country_code": "IT",
        "industry_code": "1",
        "lang": "it",
    }

    response = sales_client.post("/customers/new/?mode=create", form)

    assert response.status_code == 302
    customer = Customer.objects.get(name="Verdi Consulting")
    assert response["Location"] == f"/customers/{customer.customer_code}/"
    assert AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CREATE).exists()
    for event in AuditEvent.objects.all():
        assert secret not in json.dumps([event.message, event.sent, event.answer])


def test_create_form_with_errors_never_shows_the_password_again(sales_client, sandbox_settings):
    secret = "Sup3r-secret-pass"
    response = sales_client.post(
        "/customers/new/?mode=create",
        {"mode": "create", "customer_name": "", "email": "not-an-email", "password": secret},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert secret not in page
    assert "Enter a valid email address." in page


# --- the dashboard ---------------------------------------------------------------------


def test_dashboard_button_redirects_to_a_one_time_link_in_a_new_tab(
    sales_client, customer, sandbox_settings, settings
):
    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()
    assert 'target="_blank"' in page

    response = sales_client.post(f"/customers/{customer.customer_code}/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith(settings.FLASHSTART_DASHBOARD_URL)
    event = AuditEvent.objects.get(action=AuditAction.DASHBOARD_OPEN)
    token = response["Location"].removeprefix(settings.FLASHSTART_DASHBOARD_URL)
    assert token and token not in json.dumps([event.message, event.sent, event.answer])


def test_dashboard_when_the_vendor_is_down_goes_back_with_a_message(
    sales_client, customer, vendor_down
):
    response = sales_client.post(f"/customers/{customer.customer_code}/dashboard/", follow=True)

    assert response.status_code == 200
    assert "FlashStart gave no login link" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.DASHBOARD_OPEN, outcome=AuditOutcome.ERROR
    ).exists()


def test_the_pages_policy_lets_only_the_dashboard_button_leave_for_the_vendor(
    sales_client, customer, settings
):
    settings.FLASHSTART_DASHBOARD_URL = "https://cloud.flashstart.com/?auth_token="

    policy = sales_client.get(f"/customers/{customer.customer_code}/")["Content-Security-Policy"]

    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["form-action"] == ["'self'", "https://cloud.flashstart.com"]
    assert directives["default-src"] == ["'self'"] and directives["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "dashboard_url",
    ["", "javascript:alert(1)", "https://*.example.com/?t=", "https://a b/", "https://u@x.com/"],
)
def test_a_strange_dashboard_setting_never_widens_the_policy(
    sales_client, customer, settings, dashboard_url
):
    settings.FLASHSTART_DASHBOARD_URL = dashboard_url

    policy = sales_client.get(f"/customers/{customer.customer_code}/")["Content-Security-Policy"]

    assert "form-action 'self';" in policy


def test_the_dashboard_row_says_a_link_was_issued_and_keeps_no_token(
    manager_client, customer, sandbox_settings, settings
):
    response = manager_client.post(f"/customers/{customer.customer_code}/dashboard/")

    token = response["Location"].removeprefix(settings.FLASHSTART_DASHBOARD_URL)
    event = AuditEvent.objects.get(action=AuditAction.DASHBOARD_OPEN)
    assert "link to the customer's FlashStart dashboard issued" in event.message
    audit_page = manager_client.get("/audit/").content.decode()
    assert "Link issued" in audit_page
    assert token not in audit_page


# --- forms that help ----------------------------------------------------------------------


def test_create_form_reports_every_mistake_in_one_round(sales_client, sandbox_settings):
    response = sales_client.post(
        "/customers/new/?mode=create",
        {
            "mode": "create",
            "customer_name": "",
            "email": "not-an-email",
            "password": "short",
            "country_code": "",
            "industry_code": "1",  # Business: a company name is needed
            "company_name": "",
            "phone": "call me maybe",
            "lang": "en",
        },
    )

    errors = response.context["form"].errors
    assert set(errors) == {
        "customer_name",
        "email",
        "password",
        "country_code",
        "company_name",
        "phone",
    }
    assert "only families may leave it empty" in errors["company_name"][0]
    assert sandbox_settings.state.requests["customer_new"] == 0


def test_link_form_says_the_code_is_taken_together_with_the_other_mistakes(
    sales_client, customer, sandbox_settings
):
    response = sales_client.post(
        "/customers/new/",
        {"mode": "link", "customer_code": "1001", "name": "", "email": "nope", "language": "en"},
    )

    errors = response.context["form"].errors
    assert set(errors) == {"customer_code", "name", "email"}
    assert "already registered as “Rossi Ufficio SRL”" in errors["customer_code"][0]


def test_countries_are_listed_by_name(sales_client, sandbox_settings):
    form = sales_client.get("/customers/new/?mode=create").context["form"]

    names = [label for value, label in form.fields["country_code"].choices if value]
    assert len(names) > 200
    assert names.index("Czechia") < names.index("Denmark") < names.index("Germany")
    assert names.index("Åland Islands") < names.index("Albania")
    assert names.index("Côte d'Ivoire") < names.index("Croatia")


def test_required_fields_are_marked_and_optional_ones_say_so(sales_client):
    page = sales_client.get("/customers/new/?mode=link").content.decode()

    def label(field):
        start = page.index(f'<label for="id_{field}"')
        return page[start : page.index("</label>", start)]

    assert "(required)" in label("customer_code") and "required-mark" in label("name")
    assert "(optional)" in label("email") and "required-mark" not in label("email")
    assert "required-mark" in page[: page.index('<label for="id_customer_code"')]  # the key


# --- pages that tell the truth -----------------------------------------------------------


def test_timeline_shows_each_events_outcome_then_not_todays_badges(sales_client, customer):
    from licensing import audit

    licence = assignment_factory(customer=customer, renewal="suspended")
    audit.record(
        meta=None,
        action=AuditAction.LICENSE_ASSIGN,
        outcome=AuditOutcome.SUCCESS,
        customer_code=customer.customer_code,
        assignment=licence,
        message="Assigned Business Filter License",
    )

    url = f"/customers/{customer.customer_code}/?part=timeline"
    timeline = sales_client.get(url, **HTMX).content.decode()

    assert ">Assigned<" in timeline
    assert "Renewal suspended" not in timeline  # today's state, not the state back then
    assert "Renewal suspended" in sales_client.get(url.split("?")[0]).content.decode()


@pytest.mark.parametrize(
    ("fields", "badge"),
    [
        ({"renewal": "on"}, False),  # a licence that renews by itself does not end
        ({"renewal": "suspended"}, True),
        ({"kind": "demo", "license_code": "CL-DEMO", "amount": None}, True),
    ],
)
def test_expires_soon_only_for_licences_that_will_not_renew(sales_client, customer, fields, badge):
    from datetime import timedelta

    from django.utils import timezone

    assignment_factory(
        customer=customer, expiry_date=timezone.localdate() + timedelta(days=10), **fields
    )

    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert ("Expires soon" in page) is badge
