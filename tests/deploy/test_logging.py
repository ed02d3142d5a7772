"""Structured logs: one JSON line per request and one per vendor call, each carrying the
request id that the audit rows of that request carry."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from licensing import roles
from licensing.models import AuditAction, AuditEvent
from portal.logging import JsonFormatter, RequestIdFilter
from tests.factories import customer_factory, user_factory


@pytest.fixture
def json_lines():
    """What the production console handler would print (JSON formatter + request id)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)

    def read() -> list[dict]:
        lines = stream.getvalue().splitlines()
        return [json.loads(line) for line in lines]  # every line is one JSON object

    yield read
    root.removeHandler(handler)


@pytest.fixture
def staff(db):
    client = Client()
    client.force_login(user_factory(groups=[roles.SALES], username="logger-sally"))
    return client


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def test_a_purchase_logs_one_request_line_and_its_vendor_call_under_one_id(
    sandbox_settings, staff, json_lines
):
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL")
    url = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
    page = staff.get(url).content.decode()

    response = staff.post(
        url,
        {"token": hidden(page, "token"), "quote": hidden(page, "quote"), "license_info": "HQ"},
        HTTP_X_REQUEST_ID="trace-purchase-0001",
    )

    assert response["X-Request-ID"] == "trace-purchase-0001"
    mine = [line for line in json_lines() if line["request_id"] == "trace-purchase-0001"]
    requests_ = [line for line in mine if line["logger"] == "portal.request"]
    vendor = [line for line in mine if line["logger"] == "licensing.upstream"]
    assert len(requests_) == 1
    assert requests_[0]["method"] == "POST" and requests_[0]["status"] == 302
    assert requests_[0]["duration_ms"] >= 0 and requests_[0]["user_id"]
    assert requests_[0]["ip"] == "127.0.0.1" and requests_[0]["streaming"] is False
    assert [line["endpoint"] for line in vendor] == ["assign"]
    assert vendor[0]["status"] == 200 and vendor[0]["duration_ms"] >= 0
    event = AuditEvent.objects.get(action=AuditAction.LICENSE_ASSIGN)
    assert event.request_id == "trace-purchase-0001"


def test_each_request_gets_an_id_and_a_line_even_without_a_header(db, json_lines):
    client = Client()
    first = client.get("/accounts/login/")
    second = client.get("/accounts/login/")

    ids = {first["X-Request-ID"], second["X-Request-ID"]}
    assert len(ids) == 2
    logged = {line["request_id"] for line in json_lines() if line["logger"] == "portal.request"}
    assert ids <= logged


@pytest.mark.parametrize(
    "header",
    ["short", "x" * 65, "evil\r\nSet-Cookie: a=b", "<script>", "id with spaces 12345"],
)
def test_an_unsafe_request_id_is_replaced(db, header, json_lines):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=header)

    assert response["X-Request-ID"] != header
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_an_exception_is_one_json_line_with_its_traceback(db, json_lines):
    logger = logging.getLogger("portal.test")
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        logger.exception("it broke")

    (line,) = [entry for entry in json_lines() if entry["logger"] == "portal.test"]
    assert line["level"] == "ERROR" and "line one\nline two" in line["exception"]


WARN = """
import warnings, django
django.setup()
warnings.warn("a warning the portal did not expect", UserWarning)
from datetime import datetime
from licensing.models import Customer
Customer._meta.get_field("created_at").get_prep_value(datetime(2025, 1, 1))  # naive: warns
"""


def test_python_warnings_are_json_lines_in_the_log(tmp_path):
    import secrets
    import subprocess

    from tests.deploy import servers

    env = servers.production_env(
        AUDIT_HMAC_KEY=secrets.token_hex(32), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"
    )
    result = subprocess.run(
        [str(servers.BIN / "python"), "-W", "default", "-c", WARN],
        cwd=servers.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    warnings = [r for r in records if r["logger"] == "py.warnings"]
    assert len(warnings) == 2
    assert "a warning the portal did not expect" in warnings[0]["message"]
    assert "naive datetime" in warnings[1]["message"]
    assert all(r["level"] == "WARNING" for r in warnings)
