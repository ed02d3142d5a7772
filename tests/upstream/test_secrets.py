"""The API key, the customer's password and the dashboard token never leak."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from licensing import upstream
from tests.upstream import faultserver as fs
from tests.upstream.conftest import API_KEY

PASSWORD = "Tr0ub4dor&3-customer-password"
TOKEN = "tok%2Bsecret%2Fdashboard%3D"


def everything_visible(caplog, *objects) -> str:
    """Every log line (with its structured fields) and every object's str and repr."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(repr(vars(record)))
    for obj in objects:
        parts += [str(obj), repr(obj)]
    return "\n".join(parts)


def test_api_key_is_sent_as_header(fault, make_client):
    fault.script(fs.ok([]))

    make_client().licenses_available(customer_code=1)

    assert fault.last().headers["X-API-KEY"] == API_KEY
    assert API_KEY not in fault.last().body.decode()


@pytest.mark.parametrize(
    "action",
    [
        fs.reply(401, {"message": "Invalid token or unauthorized admin"}),
        # A vendor that echoes the key back must not get it into our messages or audit.
        fs.reply(405, {"code": 405, "message": f"Key {API_KEY} may not do this", "error": []}),
        fs.reply(500, {"code": 500, "message": "x", "errors": {"k": [f"bad key {API_KEY}"]}}),
        fs.reply(200, f"not json {API_KEY}"),
        fs.html(502),
        fs.stall(2.0),
        fs.reset(),
    ],
    ids=["401", "405 echo", "500 echo", "200 echo", "502", "timeout", "reset"],
)
def test_api_key_never_appears_in_logs_errors_or_audit(fault, make_client, caplog, action):
    caplog.set_level(logging.DEBUG)
    fault.script(action)
    client = make_client()

    with pytest.raises(upstream.UpstreamError) as caught:
        client.license_assign(customer_code=1, license_code="X", license_info="HQ")

    error = caught.value
    visible = everything_visible(
        caplog, error, error.call, client, getattr(error, "field_errors", "")
    )
    assert API_KEY not in visible
    assert API_KEY not in str(error.call.sent)
    assert API_KEY not in error.call.answer


def test_client_repr_does_not_show_the_key(make_client):
    client = make_client()

    assert API_KEY not in repr(client)
    assert API_KEY not in str(client)


def test_password_reaches_the_vendor_but_not_the_audit_or_logs(fault, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    fault.script(fs.ok({"customer_code": 5}))

    result = make_client().customer_create(
        email="a@example.com",
        password=PASSWORD,
        customer_name="A",
        country_code="IT",
        industry_code=1,
        company_name="ACME",
    )

    assert fault.last().json["password"] == PASSWORD
    assert result.call.sent["password"] == "[redacted]"
    assert result.call.sent["company_name"] == "ACME"
    assert PASSWORD not in everything_visible(caplog, result, result.call)


def test_password_is_redacted_when_the_call_fails_too(fault, make_client):
    fault.script(fs.reply(500, {"message": "x", "errors": {"email": ["Taken."]}}))

    with pytest.raises(upstream.ValidationFailed) as caught:
        make_client().customer_create(
            email="a@example.com",
            password=PASSWORD,
            customer_name="A",
            country_code="IT",
            industry_code=1,
        )

    assert caught.value.call.sent["password"] == "[redacted]"
    assert PASSWORD not in repr(caught.value.call)


def test_dashboard_token_is_redacted_from_audit_logs_and_repr(fault, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    fault.script(fs.ok({"token": TOKEN, "expiration": "15 min"}))

    link = make_client().dashboard_token(customer_code=42)

    assert link.url.endswith(TOKEN)
    assert TOKEN not in link.call.answer
    assert "[redacted]" in link.call.answer
    assert "15 min" in link.call.answer
    assert TOKEN not in everything_visible(caplog, link, link.call)


def test_dashboard_token_in_an_unreadable_answer_is_withheld(fault, make_client):
    fault.script(fs.reply(200, f'{{"code": 200, "content": {{"token": "{TOKEN}"'))

    with pytest.raises(upstream.UnreadableAnswer) as caught:
        make_client().dashboard_token(customer_code=42)

    assert TOKEN not in caught.value.call.answer
    assert TOKEN not in str(caught.value)


def test_client_without_a_key_is_refused_at_construction(make_client):
    with pytest.raises(ImproperlyConfigured, match="API key"):
        make_client(api_key="")
