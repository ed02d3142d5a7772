"""seed_demo loads plausible rows in batches and keeps the audit chain intact."""

import pytest
from django.core.management import call_command

from licensing import audit
from licensing.models import (
    AssignmentStatus,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
)


@pytest.mark.django_db
def test_seed_demo_small_run_then_verify_audit_passes(capsys):
    # A row written by the portal before the seed: the seeded rows must chain onto it.
    audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)
    call_command(
        "seed_demo",
        "--customers",
        "40",
        "--assignments",
        "120",
        "--events",
        "450",
        "--batch-size",
        "100",
        "--seed",
        "7",
    )
    assert Customer.objects.count() == 40
    assert LicenseAssignment.objects.count() == 120
    assert AuditEvent.objects.count() == 451
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_seq == 451
    assert audit.verify() == (451, None)
    call_command("verify_audit")
    assert "Audit trail intact: 451 row(s) verified." in capsys.readouterr().out

    statuses = set(LicenseAssignment.objects.values_list("status", flat=True))
    assert AssignmentStatus.ACTIVE in statuses and AssignmentStatus.FAILED in statuses
    assert AuditEvent.objects.filter(customer_code__isnull=False).exists()


@pytest.mark.django_db
def test_portal_keeps_writing_a_valid_chain_after_a_seed():
    call_command("seed_demo", "--customers", "5", "--assignments", "5", "--events", "30")
    audit.record(meta=None, action=AuditAction.LOGOUT, outcome=AuditOutcome.SUCCESS)
    call_command("seed_demo", "--customers", "5", "--assignments", "0", "--events", "30")
    assert Customer.objects.count() == 10
    assert audit.verify() == (61, None)
