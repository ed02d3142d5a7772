"""settling: every kind of vendor failure, as each service grades and words it.

The services' own tests go through the sandbox; these pin the table itself, so that a
change of outcome or wording for any service is a deliberate one.
"""

import pytest

from licensing import upstream
from licensing.models import AuditOutcome
from licensing.services import settling
from licensing.services.settling import Failure


def call(status: int | None) -> upstream.CallRecord:
    return upstream.CallRecord(
        endpoint="assign",
        method="POST",
        path="/x",
        status=status,
        duration_ms=1,
        sent={},
        answer="",
    )


def key_rejected():
    return upstream.KeyRejected("key", call=call(401))


def invalid(fields=None):
    return upstream.ValidationFailed(
        "invalid",
        field_errors={"email": ["Taken."]} if fields is None else fields,
        vendor_message="Bad data",
        call=call(500),
    )


def refused():
    return upstream.Refused(
        "refused", vendor_message="Not {allowed}", business=True, call=call(405)
    )


def turned_away():
    """A 405 that is not the vendor's answer: a proxy's page, a wrong path."""
    return upstream.Refused("refused", vendor_message="", call=call(405))


def gateway_error():
    return upstream.Unavailable("The vendor reported an internal error (HTTP 502).", call=call(502))


def timed_out():
    return upstream.Unavailable("The vendor did not answer in time.", call=call(None))


def not_sent():
    return upstream.Unavailable("Nothing was sent.", call=call(None), may_have_taken_effect=False)


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (key_rejected(), Failure.KEY_REJECTED),
        (invalid(), Failure.INVALID),
        (refused(), Failure.REFUSED),
        (turned_away(), Failure.FOREIGN),
        (gateway_error(), Failure.UNANSWERED),
        (timed_out(), Failure.UNANSWERED),
        (upstream.UnreadableAnswer("garbled", call=call(200)), Failure.UNANSWERED),
        (not_sent(), Failure.NOT_SENT),
    ],
)
def test_each_vendor_error_is_one_kind_of_failure(exc, failure):
    assert settling.failure_of(exc) is failure


def test_a_clear_refusal_is_never_taken_for_an_unclear_answer():
    exc = upstream.Refused("refused", vendor_message="No.", business=True, call=call(405))
    exc.may_have_taken_effect = True

    assert settling.failure_of(exc) is Failure.REFUSED


@pytest.mark.parametrize(
    ("exc", "outcome", "level", "message"),
    [
        (key_rejected(), AuditOutcome.FAILED, "error", settling.KEY_REJECTED_MESSAGE),
        (invalid(), AuditOutcome.FAILED, "error", "FlashStart refused the request: Taken."),
        (refused(), AuditOutcome.FAILED, "error", "FlashStart refused the request: Not {allowed}"),
        (gateway_error(), AuditOutcome.UNKNOWN, "warning", settling.UNKNOWN_MESSAGE),
        (not_sent(), AuditOutcome.ERROR, "error", settling.NOT_SENT_MESSAGE),
    ],
)
def test_assignments_treat_an_unclear_answer_as_unknown(exc, outcome, level, message):
    verdict = settling.judge(exc, settling.ASSIGN)

    assert (verdict.outcome, verdict.level, verdict.message) == (outcome, level, message)


def test_renewals_quote_the_vendors_refusal_and_say_what_to_check():
    verdict = settling.judge(refused(), settling.RENEWAL)

    assert verdict.outcome == AuditOutcome.FAILED
    assert verdict.message == (
        "FlashStart refused: Not {allowed} The renewal is unchanged here. "
        "Check the licence in the FlashStart customer area before trying again."
    )


def test_a_refusal_that_is_not_the_vendors_says_so_and_changes_nothing():
    verdict = settling.judge(turned_away(), settling.RENEWAL)

    assert verdict.outcome == AuditOutcome.FAILED
    assert "turned away before FlashStart's licence service (HTTP 405)" in verdict.message
    assert "Check the licence in the FlashStart customer area" in verdict.message
    assert settling.judge(turned_away(), settling.ASSIGN).outcome == AuditOutcome.FAILED


def test_renewals_say_a_retry_is_safe_when_the_vendor_did_not_answer():
    unanswered = settling.judge(timed_out(), settling.RENEWAL)
    assert unanswered.outcome == AuditOutcome.UNKNOWN
    assert unanswered.message == (
        "FlashStart did not answer, so the renewal is unchanged here. It is safe to try again."
    )
    assert settling.judge(not_sent(), settling.RENEWAL).outcome == AuditOutcome.ERROR


def test_register_shows_an_unknown_code_on_the_code_field():
    exc = invalid({"customer_code": ["The selected customer code is invalid."]})

    verdict = settling.judge(exc, settling.REGISTER, customer_code=987654)

    assert verdict.outcome == AuditOutcome.INVALID
    assert verdict.errors == {
        "customer_code": [
            "FlashStart does not know customer code 987654. "
            "Check the code in the FlashStart customer area."
        ]
    }


def test_register_treats_any_other_failure_as_a_check_that_could_not_be_made():
    assert settling.judge(invalid(), settling.REGISTER).errors == {
        "__all__": ["FlashStart refused: Taken."]
    }
    for exc in (refused(), gateway_error(), not_sent()):
        verdict = settling.judge(exc, settling.REGISTER)
        assert verdict.outcome == AuditOutcome.ERROR
        assert "the customer code could not be checked" in verdict.message


def test_create_puts_the_vendors_field_messages_on_the_form():
    verdict = settling.judge(invalid(), settling.CREATE)

    assert verdict.outcome == AuditOutcome.FAILED
    assert verdict.errors == {"email": ["Taken."]}
    assert settling.judge(invalid({}), settling.CREATE).errors == {"__all__": ["Bad data"]}


def test_create_after_an_unclear_answer_asks_staff_to_check_the_vendor():
    verdict = settling.judge(timed_out(), settling.CREATE)

    assert verdict.outcome == AuditOutcome.UNKNOWN
    assert "check the FlashStart customer area" in verdict.message
    assert settling.judge(not_sent(), settling.CREATE).message == settling.UNREACHABLE_MESSAGE


def test_dashboard_counts_any_answer_but_a_token_as_a_refusal():
    answered = settling.judge(gateway_error(), settling.DASHBOARD)
    unanswered = settling.judge(timed_out(), settling.DASHBOARD)

    assert answered.outcome == AuditOutcome.FAILED
    assert unanswered.outcome == AuditOutcome.ERROR
    assert unanswered.message == "FlashStart gave no login link: The vendor did not answer in time."


@pytest.mark.parametrize(
    "wording",
    [settling.ASSIGN, settling.RENEWAL, settling.REGISTER, settling.CREATE, settling.DASHBOARD],
)
def test_every_wording_covers_every_kind_of_failure(wording):
    assert set(wording) == set(Failure)
    assert settling.judge(key_rejected(), wording).message == settling.KEY_REJECTED_MESSAGE
