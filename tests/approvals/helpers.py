"""Walking the assign confirmation to a request, as a browser would."""

import re


def assign_url(customer, code, currency="EUR"):
    return (
        f"/customers/{customer.customer_code}/assign/?license_code={code}&currency_code={currency}"
    )


def request_url(customer, code, currency="EUR"):
    return (
        f"/customers/{customer.customer_code}/request-approval/"
        f"?license_code={code}&currency_code={currency}"
    )


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1)


def confirmation(client, customer, code, currency="EUR"):
    response = client.get(assign_url(customer, code, currency))
    assert response.status_code == 200
    page = response.content.decode()
    return page, {"token": hidden(page, "token"), "quote": hidden(page, "quote")}


def request_approval(client, customer, code, *, label="Headquarter", note="", currency="EUR"):
    """Open the confirmation and send "Request approval"; the response."""
    _, fields = confirmation(client, customer, code, currency)
    data = {**fields, "license_info": label, "accept_notifications": "on", "note": note}
    return client.post(request_url(customer, code, currency), data)
