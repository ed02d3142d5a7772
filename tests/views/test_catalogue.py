"""The catalogue: the vendor's licences, filters that refresh only the table, clear errors."""

import pytest

from licensing.upstream.sandbox import catalogue as sandbox_catalogue
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def url(customer, query=""):
    return f"/customers/{customer.customer_code}/catalogue/{query}"


def test_catalogue_lists_the_vendors_licences_with_prices_and_assign_links(
    sales_client, customer, sandbox_settings
):
    response = sales_client.get(url(customer))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert "Business Filter License" in page
    assert "€50.00" in page  # CL-Q-A005-M12: 5.00 a month, 12 months for the price of 10
    assert (
        f"/customers/{customer.customer_code}/assign/?license_code=CL-Q-A005-M12"
        "&amp;currency_code=EUR" in page
    )


def test_changing_a_filter_by_htmx_returns_only_the_table(sales_client, customer, sandbox_settings):
    response = sales_client.get(
        url(customer, "?lang=de&license_duration=12&currency_code=USD"), **HTMX
    )

    page = response.content.decode()
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="catalogue-results"')
    assert "Business-Filter-Lizenz" in page
    assert "US$54.25" in page  # 50.00 EUR at 1.0850
    assert "1 month<" not in page


def test_filter_form_also_works_as_a_plain_submit(sales_client, customer, sandbox_settings):
    response = sales_client.get(url(customer, "?lang=en&version_code=2&license_duration="))

    page = response.content.decode()
    assert "<html" in page
    assert "MSP Pro License" in page
    assert "Business Filter License" not in page


def test_bad_filter_values_give_a_clear_message_not_an_error(
    sales_client, customer, sandbox_settings
):
    response = sales_client.get(url(customer, "?license_duration=abc&lang=xx"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood" in page
    assert "Duration: Choose one of the listed options." in page
    assert "Language: Choose one of the listed options." in page
    assert sandbox_settings.state.requests["available"] == 0


def test_vendor_unavailable_shows_a_message_instead_of_the_table(
    sales_client, customer, vendor_down
):
    response = sales_client.get(url(customer))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The catalogue could not be loaded" in page
    assert "Try again" in page


def test_rejected_api_key_is_explained(sales_client, customer, sandbox_settings, settings):
    settings.FLASHSTART_API_KEY = "not-the-key"

    response = sales_client.get(url(customer))

    assert response.status_code == 200
    assert "The catalogue could not be loaded" in response.content.decode()


def test_vendor_licence_names_are_escaped(sales_client, customer, sandbox_settings, monkeypatch):
    monkeypatch.setitem(
        sandbox_catalogue._NAMES["business"], "en", "<script>alert('pwned')</script>"
    )

    page = sales_client.get(url(customer)).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page


def test_unknown_customer_has_no_catalogue(sales_client, sandbox_settings):
    assert sales_client.get("/customers/31337/catalogue/").status_code == 404


# --- grouped for a phone, money written one way ----------------------------------------


def test_licences_are_grouped_by_family_with_a_jump_list(sales_client, customer, sandbox_settings):
    response = sales_client.get(url(customer, "?license_duration=12"))

    groups = response.context["groups"]
    names = [group.name for group in groups]
    assert names == list(dict.fromkeys(lic.name for lic in response.context["licenses"]))
    assert len(names) == len(set(names)) > 1
    assert all(lic.name == group.name for group in groups for lic in group.licenses)
    assert sum(len(group.licenses) for group in groups) == len(response.context["licenses"])
    page = response.content.decode()
    for group in groups:
        assert f'href="#{group.anchor}"' in page
        assert f'id="{group.anchor}"' in page
    # Each family's heading comes before its licences.
    assert page.index(">Business Filter License") < page.index("CL-Q-A005-M12")


@pytest.mark.parametrize(
    ("currency", "price"),
    [("EUR", "€50.00"), ("USD", "US$54.25"), ("CHF", "CHF 47.13"), ("GBP", "£42.65")],
)
def test_prices_are_written_the_same_way_in_every_currency(
    sales_client, customer, sandbox_settings, currency, price
):
    page = sales_client.get(url(customer, f"?license_duration=12&currency_code={currency}"))

    assert price in page.content.decode()
