"""Fifty simultaneous submits of one form buy one licence (threads, real database locks)."""

import threading

import pytest
from django.db import connections

from licensing import audit, services
from licensing.models import AssignmentStatus, AuditOutcome, LicenseAssignment


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submits_of_one_form_spend_once(
    sandbox_settings, sales_meta, customer, token
):
    sandbox_settings.latency = 0.2  # keep the first call in flight while the others arrive
    barrier = threading.Barrier(50)
    outcomes, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                services.license_assign(
                    meta=sales_meta,
                    customer=customer,
                    token=token,
                    license_code="CL-Q-A005-M12",
                    license_info="Headquarter",
                )
            )
        except Exception as exc:  # reported by the assertion below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert len(outcomes) == 50
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1
    assert {o.assignment.pk for o in outcomes} == {LicenseAssignment.objects.get().pk}
    assert {o.assignment.status for o in outcomes} == {AssignmentStatus.ACTIVE}
    assert sum(o.duplicate for o in outcomes) == 49
    from licensing.models import AuditEvent

    assert AuditEvent.objects.filter(outcome=AuditOutcome.DUPLICATE).count() == 49
    assert audit.verify()[1] is None
