"""Each fault mode behaves as documented in ``licensing.upstream.sandbox.server``."""

import json
import time

import pytest

from tests.upstream.sandbox.vendor_client import call

ASSIGN = {"customer_code": 1001, "license_code": "CL-Q-A005-M1", "license_info": "Headquarter"}


def deductions_settle(sandbox, expected, within=1.0):
    """Wait for a handler thread that may still be running, then compare."""
    deadline = time.monotonic() + within
    while sandbox.state.assign_deductions != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return sandbox.state.assign_deductions == expected


def test_timeout_after_processes_the_call_then_answers_too_late(sandbox):
    sandbox.add_fault("assign", "timeout_after", seconds=0.3)

    with pytest.raises(TimeoutError):
        call(sandbox, "assign", ASSIGN, timeout=0.1)

    assert deductions_settle(sandbox, 1)
    assert call(sandbox, "assign", ASSIGN).status == 200  # the fault was used up


def test_timeout_after_still_answers_a_patient_client(sandbox):
    sandbox.add_fault("assign", "timeout_after", seconds=0.2)

    started = time.monotonic()
    reply = call(sandbox, "assign", ASSIGN)

    assert time.monotonic() - started >= 0.2
    assert reply.status == 200


def test_timeout_before_never_processes_the_call(sandbox):
    sandbox.add_fault("assign", "timeout_before", seconds=0.2)

    with pytest.raises(TimeoutError):
        call(sandbox, "assign", ASSIGN, timeout=0.05)

    time.sleep(0.3)
    assert sandbox.state.assign_deductions == 0


def test_timeout_before_ends_with_an_nginx_gateway_timeout(sandbox):
    sandbox.add_fault("available", "timeout_before", seconds=0.1)

    reply = call(sandbox, "available", {"customer_code": 1001})

    assert reply.status == 504
    assert reply.headers["Content-Type"] == "text/html"


def test_reset_after_processes_the_call_then_drops_the_connection(sandbox):
    sandbox.add_fault("assign", "reset_after")

    with pytest.raises(ConnectionError):
        call(sandbox, "assign", ASSIGN)

    assert deductions_settle(sandbox, 1)


def test_reset_before_drops_the_connection_without_processing(sandbox):
    sandbox.add_fault("assign", "reset_before")

    with pytest.raises(ConnectionError):
        call(sandbox, "assign", ASSIGN)

    assert sandbox.state.assign_deductions == 0


def test_html502_is_an_nginx_page_and_not_processed(sandbox):
    sandbox.add_fault("assign", "html502")

    reply = call(sandbox, "assign", ASSIGN)

    assert reply.status == 502
    assert reply.headers["Content-Type"] == "text/html"
    assert b"502 Bad Gateway" in reply.raw
    assert sandbox.state.assign_deductions == 0


def test_invalid_json_processes_the_call_and_answers_a_broken_200(sandbox):
    sandbox.add_fault("assign", "invalid_json")

    reply = call(sandbox, "assign", ASSIGN)

    assert reply.status == 200
    with pytest.raises(ValueError):
        json.loads(reply.raw)
    assert sandbox.state.assign_deductions == 1


def test_slow_trickles_a_correct_answer(sandbox):
    sandbox.add_fault("assign", "slow", seconds=0.3)

    started = time.monotonic()
    # Each read gets bytes within 0.2 s, so a per-read timeout never fires.
    reply = call(sandbox, "assign", ASSIGN, timeout=0.2)

    assert time.monotonic() - started >= 0.25
    assert reply.status == 200
    assert reply.json["content"]["deducted_amount"] == 5
    assert sandbox.state.assign_deductions == 1


def test_retry_after_is_a_503_with_a_huge_retry_after(sandbox):
    sandbox.add_fault("assign", "retry_after")

    reply = call(sandbox, "assign", ASSIGN)

    assert reply.status == 503
    assert reply.headers["Retry-After"] == "99999"
    assert sandbox.state.assign_deductions == 0


def test_status401_rejects_a_good_key_once(sandbox):
    sandbox.add_fault("assign", "status401")

    reply = call(sandbox, "assign", ASSIGN)

    assert reply.status == 401
    assert reply.json == {"message": "Invalid token or unauthorized admin"}
    assert sandbox.state.assign_deductions == 0
    assert call(sandbox, "assign", ASSIGN).status == 200


def test_status500_is_a_500_without_field_errors(sandbox):
    sandbox.add_fault("assign", "status500")

    reply = call(sandbox, "assign", ASSIGN)

    assert reply.status == 500
    assert "errors" not in reply.json
    assert sandbox.state.assign_deductions == 0


def test_drop_body_processes_the_call_as_if_the_get_body_was_lost(sandbox):
    sandbox.add_fault("available", "drop_body")

    reply = call(sandbox, "available", {"customer_code": 1001})

    assert reply.status == 500
    assert reply.json["errors"] == {"customer_code": ["The customer code field is required."]}


def test_latency_slows_every_call_of_that_endpoint_until_cleared(sandbox):
    sandbox.add_fault("available", "latency", seconds=0.15)
    body = {"customer_code": 1001}

    for _ in range(2):
        started = time.monotonic()
        assert call(sandbox, "available", body).status == 200
        assert time.monotonic() - started >= 0.15

    started = time.monotonic()
    call(sandbox, "currencies")
    assert time.monotonic() - started < 0.15

    sandbox.clear_faults("available")
    started = time.monotonic()
    call(sandbox, "available", body)
    assert time.monotonic() - started < 0.15


def test_global_latency_slows_every_vendor_call(sandbox):
    sandbox.latency = 0.15

    started = time.monotonic()
    call(sandbox, "currencies")

    assert time.monotonic() - started >= 0.15


def test_fault_times_counts_calls_and_faults_queue_in_order(sandbox):
    sandbox.add_fault("assign", "html502", times=2)
    sandbox.add_fault("assign", "retry_after")

    statuses = [call(sandbox, "assign", ASSIGN).status for _ in range(4)]

    assert statuses == [502, 502, 503, 200]


def test_a_fault_on_star_hits_any_endpoint(sandbox):
    sandbox.add_fault("*", "html502")

    assert call(sandbox, "currencies").status == 502
    assert call(sandbox, "currencies").status == 200


def test_faults_only_hit_their_endpoint(sandbox):
    sandbox.add_fault("licenses/assign", "html502")

    assert call(sandbox, "demo", {"customer_code": 1001}).status == 200
    assert call(sandbox, "assign", ASSIGN).status == 502


def test_unknown_fault_or_endpoint_is_refused(sandbox):
    with pytest.raises(ValueError):
        sandbox.add_fault("assign", "explode")
    with pytest.raises(ValueError):
        sandbox.add_fault("licenses/nope", "html502")
