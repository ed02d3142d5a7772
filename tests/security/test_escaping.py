"""Text from the vendor is shown as text wherever it appears: licence names and quantities
in the catalogue, a demo's licence name (stored, then shown on the customer page, the
audit page and the admin), the vendor's refusal messages and field errors, and the
directory lists behind the forms."""

import re

import pytest

from licensing import roles
from licensing.upstream.sandbox import endpoints
from licensing.upstream.sandbox.catalogue import ITEMS
from tests.factories import customer_factory, user_factory

SCRIPT = '<script>alert("vendor")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert(", "<img src=x onerror")


@pytest.fixture
def hostile_vendor(sandbox_settings, monkeypatch):
    def available(state, data):
        item = ITEMS["CL-Q-A005-M12"].as_vendor_json("en", "EUR")
        return endpoints.ok([{**item, "license_name": SCRIPT, "license_quantity": ATTRIBUTE}])

    def demo(state, data):
        status, payload = endpoints.HANDLERS_ORIGINAL["demo"](state, data)
        payload["content"]["license"] = f"Trial {SCRIPT}"
        return status, payload

    def refuse(state, data):
        return endpoints.refused(f"No. {SCRIPT} {ATTRIBUTE}")

    def invalid(state, data):
        return endpoints.invalid({"email": [f"Bad {SCRIPT}"], ATTRIBUTE: [f"odd {ATTRIBUTE}"]})

    def directory(state, data):
        return endpoints.ok(
            [{"code": "IT", "name": f"Italy {SCRIPT}"}, {"code": "1", "name": ATTRIBUTE}]
        )

    monkeypatch.setattr(endpoints, "HANDLERS_ORIGINAL", dict(endpoints.HANDLERS), raising=False)
    monkeypatch.setitem(endpoints.HANDLERS, "available", available)
    monkeypatch.setitem(endpoints.HANDLERS, "demo", demo)
    monkeypatch.setitem(endpoints.HANDLERS, "assign", refuse)
    monkeypatch.setitem(endpoints.HANDLERS, "customer_new", invalid)
    for name in ("countries", "industries"):
        monkeypatch.setitem(endpoints.HANDLERS, name, directory)
    return sandbox_settings


@pytest.fixture
def staff(client, db):
    client.force_login(user_factory(groups=[roles.SALES, roles.MANAGERS], username="escaper"))
    return client


def assert_text_only(response) -> str:
    page = response.content.decode()
    for raw in RAW:
        assert raw not in page, f"unescaped vendor markup: {raw}"
    return page


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def test_vendor_strings_render_as_text_everywhere(hostile_vendor, staff):
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")

    catalogue = assert_text_only(staff.get("/customers/1001/catalogue/"))
    assert "&lt;script&gt;alert(" in catalogue

    url = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
    page = assert_text_only(staff.get(url))
    refused = assert_text_only(
        staff.post(
            url,
            {"token": hidden(page, "token"), "quote": hidden(page, "quote"), "license_info": "HQ"},
        )
    )
    assert "No. &lt;script&gt;" in refused

    page = assert_text_only(staff.get("/customers/1001/demo/"))
    staff.post("/customers/1001/demo/", {"token": hidden(page, "token"), "lang": "en"})
    detail = assert_text_only(staff.get("/customers/1001/"))
    assert "Trial &lt;script&gt;" in detail

    form = assert_text_only(staff.get("/customers/new/?mode=create"))
    created = assert_text_only(
        staff.post(
            "/customers/new/?mode=create",
            {
                "mode": "create",
                "customer_name": "Nuovo",
                "company_name": "Nuovo SRL",
                "email": "nuovo@example.com",
                "password": "Escape-Pw-0001",
                "country_code": "IT",
                "industry_code": "1",
                "lang": "en",
            },
        )
    )
    assert "Italy &lt;script&gt;" in form
    assert "Bad &lt;script&gt;" in created

    for path in ("/audit/", "/admin/licensing/licenseassignment/", "/admin/licensing/auditevent/"):
        assert_text_only(staff.get(path))
