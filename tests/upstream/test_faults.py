"""Each way the vendor can fail maps to one exception class and one `may_have_taken_effect`.

Faults are played against `license_assign`, the call that costs money: it must reach the
server exactly once whatever happens, and every failure must say whether the purchase may
have gone through.
"""

import time

import pytest

from licensing import upstream
from tests.upstream import faultserver as fs
from tests.upstream.conftest import TIMEOUT

ASSIGN_PATH = "/customerarea/licenses/assign"
ASSIGNED = {
    "customer": "Acme",
    "license_id": "13343",
    "start_date": "2022-01-18",
    "expiry_date": "2022-01-31",
    "deducted_amount": 5,
    "currency_code": "EUR",
}


def assign(client):
    return client.license_assign(
        customer_code=42, license_code="CL-Q-A005-M1", license_info="Headquarter"
    )


ENVELOPE = {"code": 200, "content": ASSIGNED}
INVALID = {"code": 500, "message": "The given data was invalid.", "errors": {"x": ["Bad."]}}
UNAVAILABLE, UNREADABLE = upstream.Unavailable, upstream.UnreadableAnswer
# id: (action, exception class, may_have_taken_effect)
FAULTS = {
    "read timeout": (fs.stall(2.0), UNAVAILABLE, True),
    "trickling answer": (fs.trickle(ENVELOPE), UNAVAILABLE, True),
    "reset after request": (fs.reset(), UNAVAILABLE, True),
    "502 html page": (fs.html(502), UNAVAILABLE, True),
    "500 without errors": (fs.reply(500, {"code": 500, "message": "Error"}), UNAVAILABLE, True),
    "500 html page": (fs.html(500, "<h1>Whoops</h1>"), UNAVAILABLE, True),
    "500 with empty errors": (fs.reply(500, {"code": 500, "errors": {}}), UNAVAILABLE, True),
    "503 retry-after 99999": (
        fs.reply(503, {}, headers={"Retry-After": "99999"}),
        UNAVAILABLE,
        True,
    ),
    "200 invalid json": (fs.reply(200, "{'code': 200,"), UNREADABLE, True),
    "200 html": (fs.html(200, "<html>maintenance</html>"), UNREADABLE, True),
    "200 wrong shape": (fs.ok({"customer": "Acme"}), UNREADABLE, True),
    "200 content a list": (fs.ok([]), UNREADABLE, True),
    "200 no envelope": (fs.reply(200, ASSIGNED), UNREADABLE, True),
    # The body's code is the real status: an internal error, whatever HTTP said.
    "200 error code in body": (
        fs.reply(200, {"code": 500, "content": ASSIGNED}),
        UNAVAILABLE,
        True,
    ),
    "500 errors not an object": (fs.reply(500, {"errors": "bad"}), UNREADABLE, True),
    "401": (fs.reply(401, {"message": "Invalid token"}), upstream.KeyRejected, False),
    "405": (fs.reply(405, {"code": 405, "message": "No.", "error": []}), upstream.Refused, False),
    "404": (fs.reply(404, {"message": "Not Found"}), upstream.Refused, False),
    "500 with errors": (fs.reply(500, INVALID), upstream.ValidationFailed, False),
}


@pytest.mark.parametrize(
    ("action", "error_class", "may_have_taken_effect"),
    [pytest.param(*case, id=name) for name, case in FAULTS.items()],
)
def test_assign_fault_maps_to_error_and_is_sent_exactly_once(
    fault, make_client, action, error_class, may_have_taken_effect
):
    fault.script(action)
    client = make_client()

    started = time.monotonic()
    with pytest.raises(error_class) as caught:
        assign(client)
    elapsed = time.monotonic() - started

    error = caught.value
    assert type(error) is error_class
    assert error.may_have_taken_effect is may_have_taken_effect
    assert error.endpoint == "assign"
    assert error.call is not None and error.call.endpoint == "assign"
    assert fault.count(ASSIGN_PATH) == 1
    assert elapsed < TIMEOUT + 0.25, "a failing call must not outlive its deadline"


def test_connection_refused_is_unavailable_and_nothing_was_sent(make_client):
    client = make_client(base_url=fs.closed_port_url())

    with pytest.raises(upstream.Unavailable) as caught:
        assign(client)

    assert caught.value.may_have_taken_effect is False
    assert caught.value.status is None
    assert "nothing was sent" in str(caught.value)


def test_connect_timeout_is_unavailable_and_nothing_was_sent(make_client):
    port = fs.UnacceptingPort()
    try:
        if not port.is_full():
            pytest.skip("this platform refuses connections to a full accept queue")
        client = make_client(base_url=port.url)
        started = time.monotonic()
        with pytest.raises(upstream.Unavailable) as caught:
            assign(client)
        elapsed = time.monotonic() - started
    finally:
        port.close()

    assert caught.value.may_have_taken_effect is False
    assert elapsed < TIMEOUT + 0.25


def test_trickling_answer_gives_up_at_the_deadline_not_per_byte(fault, make_client):
    # Each byte comes well within the read timeout, so only a total deadline stops this.
    fault.script(fs.trickle({"code": 200, "content": ASSIGNED}, every=0.02))
    client = make_client()

    started = time.monotonic()
    with pytest.raises(upstream.Unavailable):
        assign(client)

    assert time.monotonic() - started < TIMEOUT + 0.15


def test_slow_but_complete_answer_within_the_deadline_succeeds(fault, make_client):
    fault.script(fs.trickle({"code": 200, "content": ASSIGNED}, every=0.001))

    result = assign(make_client(timeout=2.0))

    assert result.license_id == "13343"


def test_validation_failure_lists_the_vendors_field_errors(fault, make_client):
    fault.script(
        fs.reply(
            500,
            {
                "code": 500,
                "message": "The given data was invalid.",
                "errors": {
                    "license_info": [
                        "The license info may only contain letters, numbers, dashes and whitespace."
                    ],
                    "lang": ["The lang must be one of the following types: en, it, es, de"],
                },
            },
        )
    )

    with pytest.raises(upstream.ValidationFailed) as caught:
        assign(make_client())

    error = caught.value
    assert error.status == 500
    assert error.field_errors == {
        "license_info": [
            "The license info may only contain letters, numbers, dashes and whitespace."
        ],
        "lang": ["The lang must be one of the following types: en, it, es, de"],
    }
    assert "may only contain letters" in str(error)
    assert error.message == "The given data was invalid."


def test_refusal_carries_the_vendors_message(fault, make_client):
    fault.script(fs.reply(405, {"code": 405, "message": "Insufficient credit.", "error": []}))

    with pytest.raises(upstream.Refused) as caught:
        assign(make_client())

    assert caught.value.message == "Insufficient credit."
    assert caught.value.status == 405
    assert "Insufficient credit." in str(caught.value)


def test_key_rejected_says_it_is_the_portals_key(fault, make_client):
    fault.script(fs.reply(401, {"message": "Invalid token or unauthorized admin"}))

    with pytest.raises(upstream.KeyRejected) as caught:
        assign(make_client())

    assert caught.value.status == 401
    assert "API key" in str(caught.value)


def test_failed_write_warns_against_resending_but_failed_read_does_not(fault, make_client):
    fault.script(fs.html(502))
    client = make_client(read_attempts=1)

    with pytest.raises(upstream.Unavailable) as write_error:
        assign(client)
    with pytest.raises(upstream.Unavailable) as read_error:
        client.licenses_available(customer_code=42)

    assert "may have been carried out" in str(write_error.value)
    assert "may have been carried out" not in str(read_error.value)


def test_redirect_is_not_followed(fault, make_client):
    # Following it would send X-API-KEY to wherever the redirect points.
    fault.script(fs.reply(302, "", headers={"Location": "http://127.0.0.1:9/elsewhere"}))

    with pytest.raises(upstream.UnreadableAnswer):
        assign(make_client())

    assert fault.count() == 1


def test_answer_that_stalls_between_bytes_is_cut_at_the_deadline(fault, make_client):
    # Bytes every 0.25 s: each read returns before the 0.3 s read timeout, and checking the
    # clock between reads would notice only at 0.5 s. The call must end at ~0.3 s.
    fault.script(fs.trickle(ENVELOPE, every=0.25))

    started = time.monotonic()
    with pytest.raises(upstream.Unavailable) as caught:
        assign(make_client())

    assert time.monotonic() - started < TIMEOUT + 0.15
    assert caught.value.may_have_taken_effect is True
    assert caught.value.status == 200  # the headers had arrived; the body never did
