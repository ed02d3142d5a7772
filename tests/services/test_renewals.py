"""Suspending and resuming renewal: safe to repeat, the local state follows the vendor."""

import uuid

import pytest

from licensing import services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Renewal


@pytest.fixture
def licence(sandbox_settings, sales_meta, customer):
    return services.license_assign(
        meta=sales_meta,
        customer=customer,
        token=uuid.uuid4(),
        license_code="CL-Q-A010-M12",
        license_info="Main office",
    ).assignment


def last_event():
    return AuditEvent.objects.order_by("-seq").first()


def test_suspend_then_resume(licence, sales_meta, sandbox_settings):
    outcome = services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")
    assert outcome.ok and licence.renewal == Renewal.SUSPENDED
    assert sandbox_settings.state.license(licence.license_id).renewal != "enabled"
    assert "Customer asked" in last_event().message
    assert last_event().action == AuditAction.RENEWAL_SUSPEND
    outcome = services.renewal_resume(meta=sales_meta, assignment=licence)
    assert outcome.ok and licence.renewal == Renewal.ON


def test_suspend_when_vendor_already_suspended_follows_vendor(
    licence, sales_meta, sandbox_settings
):
    sandbox_settings.state.set_renewal(licence.license_id, "suspended")
    outcome = services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")
    assert outcome.ok and "already" in outcome.message
    assert licence.renewal == Renewal.SUSPENDED


def test_suspend_needs_a_reason(licence, sales_meta):
    with pytest.raises(services.InputInvalid) as exc:
        services.renewal_suspend(meta=sales_meta, assignment=licence, reason=" ")
    assert "reason" in exc.value.errors
    assert last_event().outcome == AuditOutcome.INVALID


def test_suspend_refused_for_outsider(licence, nobody_meta):
    with pytest.raises(services.PermissionRefused):
        services.renewal_suspend(meta=nobody_meta, assignment=licence, reason="because")
    assert last_event().outcome == AuditOutcome.DENIED


def test_vendor_down_leaves_renewal_unchanged(licence, sales_meta, sandbox_settings, settings):
    settings.FLASHSTART_TIMEOUT = 0.5
    sandbox_settings.add_fault("suspend", "html502")
    outcome = services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")
    assert outcome.level == "error" and "try again" in outcome.message
    licence.refresh_from_db()
    assert licence.renewal == Renewal.ON
    # and trying again works
    assert services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Again").ok


def test_rejected_key_on_resume(licence, sales_meta, settings):
    services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")
    settings.FLASHSTART_API_KEY = "bad"
    outcome = services.renewal_resume(meta=sales_meta, assignment=licence)
    assert outcome.level == "error" and "administrator" in outcome.message
    assert licence.renewal == Renewal.SUSPENDED


def test_demo_has_no_renewal_to_change(sandbox_settings, sales_meta, customer):
    demo = services.demo_assign(meta=sales_meta, customer=customer, token=uuid.uuid4()).assignment
    with pytest.raises(services.InputInvalid):
        services.renewal_suspend(meta=sales_meta, assignment=demo, reason="nope nope")
