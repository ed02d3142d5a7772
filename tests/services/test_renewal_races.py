"""Two staff suspend and resume the same licence at the same moment, twenty times: after each
round the portal says what FlashStart says (threads, real database, the sandbox over HTTP).

Which of the two wins a round is up to the scheduler; the test does not depend on it. What
must hold every time: the local renewal equals the vendor's, a change reported as done is
one the vendor made, and a change that lost the race is refused as such (never a success).
"""

import threading
import uuid

import pytest
from django.db import connections

from licensing import audit, services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, LicenseAssignment, Renewal

ROUNDS = 20
IN_STEP = {Renewal.ON: "enabled", Renewal.SUSPENDED: "suspended"}


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_suspend_and_resume_pairs_end_in_step_with_the_vendor(
    sandbox_settings, sales_meta, customer
):
    licence = services.license_assign(
        meta=sales_meta,
        customer=customer,
        token=uuid.uuid4(),
        license_code="CL-Q-A010-M12",
        license_info="Main office",
    ).assignment
    sandbox_settings.latency = 0.05  # keeps each call in flight while the other one starts
    outcomes: list[tuple[str, object]] = []
    failures: list[str] = []

    def change(kind: str, barrier: threading.Barrier) -> None:
        try:
            mine = LicenseAssignment.objects.select_related("customer").get(pk=licence.pk)
            barrier.wait(timeout=10)
            if kind == "suspend":
                outcome = services.renewal_suspend(meta=sales_meta, assignment=mine, reason="Race")
            else:
                outcome = services.renewal_resume(meta=sales_meta, assignment=mine)
            outcomes.append((kind, outcome))
        except services.InputInvalid as refused:
            outcomes.append((kind, refused))
        except Exception as exc:  # reported by the assertion below
            failures.append(repr(exc))
        finally:
            connections.close_all()

    for round_no in range(ROUNDS):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=change, args=(kind, barrier)) for kind in ("suspend", "resume")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

        licence.refresh_from_db()
        vendor = sandbox_settings.state.license(licence.license_id).renewal
        assert failures == [], failures
        assert IN_STEP[licence.renewal] == vendor, f"round {round_no}: out of step"
        assert licence.renewal_change is None, f"round {round_no}: a change left its lease"

    refused = [o for _, o in outcomes if isinstance(o, services.InputInvalid)]
    done = [(kind, o) for kind, o in outcomes if not isinstance(o, services.InputInvalid)]
    assert len(outcomes) == 2 * ROUNDS
    assert all(o.ok for _, o in done), [o.message for _, o in done if not o.ok]
    for error in refused:
        text = str(error)
        assert "Someone else is changing" in text or "Renewal is already" in text, text
    # One audit row per attempt, and the trail is unbroken.
    rows = AuditEvent.objects.filter(
        action__in=[AuditAction.RENEWAL_SUSPEND, AuditAction.RENEWAL_RESUME]
    )
    assert rows.count() == 2 * ROUNDS
    assert rows.filter(outcome=AuditOutcome.SUCCESS).count() == len(done)
    assert audit.verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_the_same_change_sent_twice_at_once_reaches_the_vendor_once(
    sandbox_settings, sales_meta, customer
):
    licence = services.license_assign(
        meta=sales_meta,
        customer=customer,
        token=uuid.uuid4(),
        license_code="CL-Q-A010-M12",
        license_info="Main office",
    ).assignment
    sandbox_settings.latency = 0.05

    for round_no in range(ROUNDS):
        kind = "suspend" if round_no % 2 == 0 else "enable"
        calls = sandbox_settings.state.requests[kind]
        barrier = threading.Barrier(2)
        results: list[object] = []

        def change(barrier=barrier, kind=kind, results=results) -> None:
            try:
                mine = LicenseAssignment.objects.select_related("customer").get(pk=licence.pk)
                barrier.wait(timeout=10)
                if kind == "suspend":
                    results.append(
                        services.renewal_suspend(meta=sales_meta, assignment=mine, reason="Twice")
                    )
                else:
                    results.append(services.renewal_resume(meta=sales_meta, assignment=mine))
            except services.InputInvalid as refused:
                results.append(refused)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=change) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

        licence.refresh_from_db()
        assert sandbox_settings.state.requests[kind] == calls + 1, f"round {round_no}"
        assert (
            IN_STEP[licence.renewal] == sandbox_settings.state.license(licence.license_id).renewal
        )
        done = [r for r in results if not isinstance(r, services.InputInvalid)]
        assert len(results) == 2 and len(done) == 1 and done[0].ok, f"round {round_no}"
