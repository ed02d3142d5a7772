"""assignment_resolve: which assignments a manager may settle by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from licensing import services
from licensing.models import AssignmentStatus, AuditAction, AuditEvent, AuditOutcome
from tests.factories import assignment_factory

pytestmark = pytest.mark.django_db


def pending(age: timedelta):
    return assignment_factory(
        status=AssignmentStatus.PENDING, license_id=None, created_at=timezone.now() - age
    )


def test_a_pending_row_older_than_any_call_is_stale_and_resolvable(settings):
    settings.FLASHSTART_TIMEOUT = 2.0  # stale after 4 calls' time and a minute: 68 s

    assert pending(timedelta(seconds=69)).is_resolvable
    assert not pending(timedelta(seconds=60)).is_resolvable


def test_settled_rows_are_not_resolvable_however_old():
    old = timedelta(days=30)
    assert assignment_factory(status=AssignmentStatus.UNKNOWN, license_id=None).is_resolvable
    assert not assignment_factory(created_at=timezone.now() - old).is_resolvable
    failed = assignment_factory(status=AssignmentStatus.FAILED, license_id=None)
    assert not failed.is_stale and not failed.is_resolvable


def test_a_stale_pending_row_can_be_resolved_as_failed(manager_meta):
    assignment = pending(timedelta(hours=1))

    outcome = services.assignment_resolve(
        meta=manager_meta, assignment=assignment, failed=True, note="Vendor has no such licence"
    )

    assert outcome.ok and outcome.assignment.status == AssignmentStatus.FAILED


def test_a_pending_row_still_within_its_call_cannot_be_resolved(manager_meta):
    assignment = pending(timedelta(seconds=1))

    with pytest.raises(services.InputInvalid):
        services.assignment_resolve(
            meta=manager_meta, assignment=assignment, failed=True, note="Too early"
        )

    event = AuditEvent.objects.get(action=AuditAction.ASSIGNMENT_RESOLVE)
    assert event.outcome == AuditOutcome.INVALID
    assert "Only an assignment whose outcome is unknown can be resolved." in event.message
