"""Suspending and resuming renewal: safe to repeat, the local state follows the vendor."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from licensing import services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, LicenseAssignment, Renewal


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


# --- only the vendor's "already suspended" counts as done ------------------------------------


def test_resume_answered_with_the_documented_405_changes_nothing_here(
    licence, sales_meta, sandbox_settings
):
    services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")
    sandbox_settings.state.set_renewal(licence.license_id, "enabled")  # resumed elsewhere

    outcome = services.renewal_resume(meta=sales_meta, assignment=licence)

    licence.refresh_from_db()
    assert not outcome.ok and licence.renewal == Renewal.SUSPENDED
    assert "License already suspended." in outcome.message
    assert "Check the licence in the FlashStart customer area" in outcome.message
    assert (last_event().action, last_event().outcome) == (
        AuditAction.RENEWAL_RESUME,
        AuditOutcome.FAILED,
    )


@pytest.mark.parametrize("action", ["suspend", "resume"])
def test_a_405_from_a_proxy_changes_nothing_and_says_what_to_check(
    licence, sales_meta, sandbox_settings, action
):
    if action == "resume":
        services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")
    before = licence.renewal
    sandbox_settings.add_fault("suspend" if action == "suspend" else "enable", "proxy405")

    if action == "suspend":
        outcome = services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Again")
    else:
        outcome = services.renewal_resume(meta=sales_meta, assignment=licence)

    licence.refresh_from_db()
    assert not outcome.ok and licence.renewal == before
    assert "turned away before FlashStart's licence service (HTTP 405)" in outcome.message
    assert last_event().outcome == AuditOutcome.FAILED and last_event().http_status == 405


# --- one change at a time per licence ---------------------------------------------------------


def test_a_change_while_another_is_being_sent_is_refused_as_such(
    licence, sales_meta, sandbox_settings
):
    LicenseAssignment.objects.filter(pk=licence.pk).update(
        renewal_change=uuid.uuid4(), renewal_change_until=timezone.now() + timedelta(minutes=1)
    )
    calls = sandbox_settings.state.requests["suspend"]

    with pytest.raises(services.InputInvalid) as refused:
        services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")

    assert "Someone else is changing this licence's renewal" in str(refused.value)
    assert sandbox_settings.state.requests["suspend"] == calls
    assert last_event().outcome == AuditOutcome.INVALID


def test_a_lapsed_change_does_not_block_the_licence(licence, sales_meta, sandbox_settings):
    LicenseAssignment.objects.filter(pk=licence.pk).update(
        renewal_change=uuid.uuid4(), renewal_change_until=timezone.now() - timedelta(seconds=1)
    )

    outcome = services.renewal_suspend(meta=sales_meta, assignment=licence, reason="Customer asked")

    licence.refresh_from_db()
    assert outcome.ok and licence.renewal == Renewal.SUSPENDED
    assert licence.renewal_change is None


def test_asking_for_the_state_it_is_already_in_is_refused_unsent(
    licence, sales_meta, sandbox_settings
):
    with pytest.raises(services.InputInvalid) as refused:
        services.renewal_resume(meta=sales_meta, assignment=licence)

    assert "Renewal is already on." in str(refused.value)
    assert sandbox_settings.state.requests["enable"] == 0
