"""The sandbox's control endpoints, Python API, persistence, command and fixtures."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from licensing.upstream.sandbox import server
from tests.upstream.sandbox.vendor_client import call, control

ASSIGN = {"customer_code": 1001, "license_code": "CL-Q-A005-M1", "license_info": "Headquarter"}
ROOT = Path(__file__).resolve().parents[3]


def test_state_reports_balances_deductions_licences_demos_and_request_counts(sandbox):
    call(sandbox, "assign", ASSIGN)
    call(sandbox, "demo", {"customer_code": 1001})
    call(sandbox, "available", {"customer_code": 1001})
    call(sandbox, "available", {"customer_code": 1001})

    reply = control(sandbox, "state", method="GET")

    assert reply.status == 200
    state = reply.json
    assert state["balances"]["EUR"] == "995.00"
    assert state["assign_deductions"] == 1
    assert [lic["kind"] for lic in state["licenses"]] == ["paid", "demo"]
    assert state["demo_counts"] == {"1001": 1}
    assert state["requests"] == {"assign": 1, "demo": 1, "available": 2}
    assert state["recent_requests"][-1]["body"] == {"customer_code": 1001}


def test_reset_forgets_licences_counters_and_faults(sandbox):
    call(sandbox, "assign", ASSIGN)
    sandbox.add_fault("assign", "html502")

    assert control(sandbox, "reset").json == {"reset": True}

    state = control(sandbox, "state", method="GET").json
    assert state["balances"]["EUR"] == "1000.00"
    assert state["assign_deductions"] == 0
    assert state["licenses"] == []
    assert state["requests"] == {}
    assert state["faults"] == {}
    assert call(sandbox, "assign", ASSIGN).status == 200


def test_reset_can_set_the_starting_credit_for_that_run(sandbox):
    control(sandbox, "reset", {"balances": {"EUR": "7.50"}})

    assert sandbox.state.balances["EUR"] == Decimal("7.50")
    sandbox.reset()
    assert sandbox.state.balances["EUR"] == Decimal("1000.00")


def test_balances_sets_the_credit_now(sandbox):
    reply = control(sandbox, "balances", {"EUR": "3"})

    assert reply.json["balances"]["EUR"] == "3.00"
    assert call(sandbox, "assign", ASSIGN).status == 405


def test_faults_are_set_listed_and_cleared_over_http(sandbox):
    set_reply = control(sandbox, "faults", {"endpoint": "assign", "fault": "html502", "times": 2})
    assert set_reply.json["faults"] == {
        "assign": [{"fault": "html502", "times": 2, "seconds": 2.0}]
    }
    control(sandbox, "faults", {"endpoint": "available", "fault": "latency", "seconds": 0.3})
    assert control(sandbox, "faults", method="GET").json["latencies"] == {"available": 0.3}

    control(sandbox, "faults/clear", {})

    listed = control(sandbox, "faults", method="GET").json
    assert listed == {"faults": {}, "latencies": {}}
    assert call(sandbox, "assign", ASSIGN).status == 200


def test_bad_fault_requests_are_400(sandbox):
    reply = control(sandbox, "faults", {"endpoint": "assign", "fault": "explode"})

    assert reply.status == 400
    assert "explode" in reply.json["message"]


@pytest.mark.parametrize("seconds", ["inf", "nan", -1, 61, "soon", None])
def test_a_latency_the_sandbox_cannot_sleep_is_400_and_changes_nothing(sandbox, seconds):
    reply = control(sandbox, "latency", {"seconds": seconds})

    assert reply.status == 400
    assert sandbox.latency == 0.0
    assert call(sandbox, "currencies").status == 200


def test_global_latency_is_settable_over_http(sandbox):
    assert control(sandbox, "latency", {"seconds": 0.1}).json == {"latency": 0.1}

    started = time.monotonic()
    call(sandbox, "currencies")

    assert time.monotonic() - started >= 0.1


def test_control_endpoints_need_the_api_key(sandbox):
    reply = call(sandbox, "/_sandbox/state", key="wrong")

    assert reply.status == 401
    assert call(sandbox, "/_sandbox/reset", method="POST", key=None).status == 401


def test_the_api_key_is_never_echoed(sandbox, caplog):
    caplog.set_level("DEBUG", logger="licensing.sandbox")
    key = sandbox.api_key.encode()
    replies = [
        call(sandbox, "assign", ASSIGN),
        call(sandbox, "assign", ASSIGN, key="wrong"),
        call(sandbox, "available", {"customer_code": 1, "lang": "xx"}),
        control(sandbox, "state", method="GET"),
    ]

    for reply in replies:
        assert key not in reply.raw
        assert all(key.decode() not in value for value in reply.headers.values())
    assert sandbox.api_key not in caplog.text
    assert sandbox.api_key not in repr(sandbox)


def test_state_file_keeps_licences_across_restarts(tmp_path):
    state_file = tmp_path / "sandbox.json"
    with server.start_sandbox(state_file=state_file) as first:
        license_id = call(first, "assign", ASSIGN).json["content"]["license_id"]
        code = call(
            first,
            "customer_new",
            {
                "email": "ops@example.org",
                "password": "long enough password",
                "customer_name": "Ops",
                "country_code": "AT",
                "industry_code": 1,
                "company_name": "Ops GmbH",
            },
        ).json["content"]["customer_code"]
    assert "long enough password" not in state_file.read_text()

    with server.start_sandbox(state_file=state_file) as second:
        assert second.state.balances["EUR"] == Decimal("995.00")
        body = {"license_id": license_id, "customer_code": "1001"}
        assert call(second, "suspend", body).status == 200
        assert call(second, "available", {"customer_code": code}).status == 200
        new_id = call(second, "assign", ASSIGN).json["content"]["license_id"]
        assert int(new_id) > int(license_id)


def test_sandbox_settings_points_the_portal_at_the_sandbox(sandbox_settings):
    assert sandbox_settings.url == django_settings.FLASHSTART_API_URL
    assert sandbox_settings.api_key == django_settings.FLASHSTART_API_KEY
    assert sandbox_settings.url.endswith("/")


def test_the_sandbox_fixture_starts_clean(sandbox):
    assert sandbox.state.assign_deductions == 0
    assert sandbox.state.faults == {}
    assert sandbox.latency == 0.0


def test_manage_py_sandbox_serves_until_interrupted():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sandbox", "--port", "0", "--key", "cmd-secret-key"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        assert "FlashStart sandbox listening on http://127.0.0.1:" in first_line
        url = urllib.parse.urlsplit(first_line.rsplit(" ", 1)[1].strip())
        target = SimpleNamespace(host=url.hostname, port=url.port, api_key="cmd-secret-key")

        assert call(target, "currencies").status == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "cmd-secret-key" not in first_line + out + err
