"""Demos: free, but capped at two per customer by the vendor."""

import uuid

import pytest

from licensing import services
from licensing.models import AssignmentKind, AssignmentStatus, AuditEvent, AuditOutcome


def demo(meta, customer, token=None, **kwargs):
    return services.demo_assign(meta=meta, customer=customer, token=token or uuid.uuid4(), **kwargs)


def test_demo_is_assigned_with_vendor_id_as_string(sandbox_settings, sales_meta, customer):
    outcome = demo(sales_meta, customer)
    a = outcome.assignment
    assert outcome.ok and a.kind == AssignmentKind.DEMO and a.status == AssignmentStatus.ACTIVE
    assert isinstance(a.license_id, str) and a.license_id.isdigit()
    assert a.expiry_date is not None


def test_third_demo_is_refused_locally_without_calling_vendor(
    sandbox_settings, sales_meta, customer
):
    demo(sales_meta, customer)
    demo(sales_meta, customer)
    calls = sandbox_settings.state.snapshot()["requests"].get("demo", 0)
    with pytest.raises(services.InputInvalid) as exc:
        demo(sales_meta, customer)
    assert "demos" in str(exc.value)
    assert sandbox_settings.state.snapshot()["requests"].get("demo", 0) == calls
    assert AuditEvent.objects.order_by("-seq").first().outcome == AuditOutcome.INVALID


def test_vendor_refusal_of_demo_is_a_failure(sandbox_settings, sales_meta, customer):
    # Demos given outside the portal: the vendor knows, our records do not.
    sandbox_settings.state.demo(customer_code=customer.customer_code)
    sandbox_settings.state.demo(customer_code=customer.customer_code)
    outcome = demo(sales_meta, customer)
    assert outcome.level == "error" and outcome.assignment.status == AssignmentStatus.FAILED


def test_repeated_demo_submit_calls_vendor_once(sandbox_settings, sales_meta, customer, token):
    demo(sales_meta, customer, token)
    again = demo(sales_meta, customer, token)
    assert again.duplicate
    assert sandbox_settings.state.snapshot()["requests"].get("demo", 0) == 1


def test_demo_refused_for_outsider(sandbox_settings, nobody_meta, customer):
    with pytest.raises(services.PermissionRefused):
        demo(nobody_meta, customer)


def test_demo_timeout_is_unknown(sandbox_settings, settings, sales_meta, customer):
    settings.FLASHSTART_TIMEOUT = 0.5
    sandbox_settings.add_fault("demo", "timeout_after", seconds=1.5)
    assert demo(sales_meta, customer).assignment.status == AssignmentStatus.UNKNOWN
