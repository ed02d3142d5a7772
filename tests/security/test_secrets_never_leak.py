"""The vendor API key, the secret key, the audit HMAC key and passwords never appear in
anything the portal writes: responses (headers and bodies), error pages, audit rows, any
database row, logs (every logger at DEBUG, plain and JSON) or exports (CSV and XLSX).

Recognisable canary values are set, the main flows are driven through the real pages
(including the login form and a failed login), and everything is searched at the end.
"""

import io
import json
import logging
import re
import zipfile

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from licensing import roles
from licensing.upstream.sandbox import server as sandbox_server
from licensing.upstream.sandbox.catalogue import ITEMS
from portal.logging import JsonFormatter, RequestIdFilter
from tests.factories import assignment_factory, customer_factory, user_factory

API_KEY = "CANARY-APIKEY-7f3e9b2c51d4a0"
AUDIT_KEY = "CANARY-AUDITKEY-" + "5e4d3c2b1a09f8e7d6c5b4a3"
SECRET_KEY = "CANARY-SECRETKEY-" + "q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3j2k1"
USER_PASSWORD = "Canary-UserPw-83f1c2aa"
WRONG_PASSWORD = "Canary-WrongPw-0d9e8f7a"
CUSTOMER_PASSWORD = "Canary-CustomerPw-5b9e0d11"
CANARIES = {
    "API key": API_KEY,
    "secret key": SECRET_KEY,
    "audit HMAC key": AUDIT_KEY,
    "user password": USER_PASSWORD,
    "attempted password": WRONG_PASSWORD,
    "new customer's password": CUSTOMER_PASSWORD,
}
NOISY_LOGGERS = (
    "",
    "django",
    "django.request",
    "django.server",
    "axes",
    "licensing",
    "portal",
    "urllib3",
    "requests",
    "django.db.backends",
)


@pytest.fixture
def canary_vendor(settings, db):
    started = sandbox_server.start_sandbox(api_key=API_KEY)
    settings.FLASHSTART_API_URL = started.url
    settings.FLASHSTART_API_KEY = API_KEY
    settings.SECRET_KEY = SECRET_KEY
    settings.AUDIT_HMAC_KEY = AUDIT_KEY
    settings.DEBUG = False
    yield started
    started.stop()


@pytest.fixture
def json_log(caplog):
    """Every logger at DEBUG, into caplog and through the portal's JSON formatter."""
    for name in NOISY_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    connection.force_debug_cursor = True  # SQL and its parameters are logged too
    yield stream
    connection.force_debug_cursor = False
    logging.getLogger().removeHandler(handler)


class Recorder:
    """Keeps every response's status, headers and body for the final search."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def keep(self, label: str, response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        cookies = "\n".join(morsel.OutputString() for morsel in response.cookies.values())
        self.texts.append((label, f"{response.status_code}\n{headers}\n{cookies}"))
        self.texts.append((label, body.decode("utf-8", "replace")))
        if body.startswith(b"PK"):  # an XLSX: search inside the zip
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for member in archive.namelist():
                    text = archive.read(member).decode("utf-8", "replace")
                    self.texts.append((f"{label} [{member}]", text))
        response.kept_body = body
        return response


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, name
    return match.group(1)


def database_texts() -> list[tuple[str, str]]:
    """Every row of every table the portal's models know, as text."""
    texts = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            texts.append((f"{model._meta.label} row", json.dumps(row, default=str)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_key, session_data FROM django_session")
        for key, data in cursor.fetchall():
            texts.append(("session", f"{key} {data}"))
    return texts


def test_no_secret_appears_anywhere_the_portal_writes(canary_vendor, json_log, caplog):
    seen = Recorder()
    customer = customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")
    licence = canary_vendor.state.assign(
        customer_code=1001, item=ITEMS["CL-Q-A010-M12"], license_info="Seeded", currency_code="EUR"
    )
    assignment_factory(
        customer=customer, license_id=licence.license_id, license_code="CL-Q-A010-M12"
    )
    user_factory(groups=[roles.SALES, roles.MANAGERS], username="canary", password=USER_PASSWORD)
    client = Client(HTTP_USER_AGENT="canary-test", REMOTE_ADDR="198.51.100.99")

    # A failed login (the attempt's password is a canary too), then the real one.
    seen.keep("login page", client.get("/accounts/login/"))
    seen.keep(
        "failed login",
        client.post("/accounts/login/", {"username": "canary", "password": WRONG_PASSWORD}),
    )
    seen.keep(
        "login", client.post("/accounts/login/", {"username": "canary", "password": USER_PASSWORD})
    )
    assert "_auth_user_id" in client.session

    seen.keep("customers", client.get("/customers/"))
    seen.keep("customer", client.get("/customers/1001/"))
    seen.keep("catalogue", client.get("/customers/1001/catalogue/"))

    assign_url = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
    page = seen.keep("assign form", client.get(assign_url)).content.decode()
    seen.keep(
        "assign",
        client.post(
            assign_url,
            {
                "token": hidden(page, "token"),
                "quote": hidden(page, "quote"),
                "license_info": "HQ",
            },
        ),
    )
    page = seen.keep("demo form", client.get("/customers/1001/demo/")).content.decode()
    seen.keep(
        "demo",
        client.post(
            "/customers/1001/demo/",
            {
                "token": hidden(page, "token"),
                "lang": "en",
            },
        ),
    )

    from licensing.models import LicenseAssignment

    bought = LicenseAssignment.objects.filter(kind="paid", status="active").first()
    seen.keep("suspend form", client.get(f"/assignments/{bought.pk}/suspend/"))
    seen.keep("suspend", client.post(f"/assignments/{bought.pk}/suspend/", {"reason": "Closing"}))
    seen.keep("resume", client.post(f"/assignments/{bought.pk}/resume/", {}))

    create = {
        "mode": "create",
        "customer_name": "Nuovo",
        "company_name": "Nuovo SRL",
        "email": "nuovo@example.com",
        "password": CUSTOMER_PASSWORD,
        "country_code": "IT",
        "industry_code": "1",
        "lang": "it",
    }
    seen.keep("create form", client.get("/customers/new/?mode=create"))
    seen.keep(
        "create (invalid)",
        client.post("/customers/new/?mode=create", {**create, "email": "not-an-email"}),
    )
    created = seen.keep("create", client.post("/customers/new/?mode=create", create))
    assert created.status_code == 302
    seen.keep(
        "create (vendor refuses a duplicate)", client.post("/customers/new/?mode=create", create)
    )
    seen.keep(
        "link",
        client.post(
            "/customers/new/",
            {
                "mode": "link",
                "customer_code": "1002",
                "name": "Bäckerei",
                "language": "de",
            },
        ),
    )

    dashboard = seen.keep("dashboard", client.post("/customers/1001/dashboard/"))
    assert dashboard.status_code == 302
    token = dashboard["Location"].split("auth_token=", 1)[1]

    seen.keep("audit", client.get("/audit/"))
    csv_export = seen.keep("csv export", client.get("/audit/export.csv"))
    xlsx_export = seen.keep("xlsx export", client.get("/audit/export.xlsx"))
    assert csv_export.status_code == 200 and xlsx_export.kept_body.startswith(b"PK")
    seen.keep("reports", client.get("/reports/"))
    for path in (
        "/admin/",
        "/admin/licensing/customer/",
        "/admin/licensing/licenseassignment/",
        "/admin/licensing/auditevent/",
        f"/admin/licensing/licenseassignment/{bought.pk}/change/",
    ):
        seen.keep(path, client.get(path))
    from licensing.models import AuditEvent

    for event in AuditEvent.objects.order_by("seq")[:40]:
        seen.keep("audit row page", client.get(f"/admin/licensing/auditevent/{event.pk}/change/"))
    seen.keep("404", client.get("/no-such-page/"))
    seen.keep("healthz", client.get("/healthz"))
    seen.keep("logout", client.post("/accounts/logout/"))

    # Everything written: responses, every database row, every log line.
    texts = seen.texts + database_texts()
    texts.append(("log (JSON)", json_log.getvalue()))
    texts.append(("log (text)", caplog.text))
    for record in caplog.records:
        texts.append((f"log record {record.name}", json.dumps(vars(record), default=str)))
    assert json_log.getvalue().count("\n") > 50  # the capture did capture

    leaks = [
        f"{what} in {where}"
        for where, text in texts
        for what, canary in CANARIES.items()
        if canary in text
    ]
    assert not leaks, "\n".join(sorted(set(leaks)))
    # The dashboard token went to the browser in that one redirect, and nowhere else.
    others = [where for where, text in texts if token in text and where != "dashboard"]
    assert not others, others
