"""Changing the renewal of several licences in one go: one vendor call and one audit row
per licence, through the single-licence service; a bad selection sends nothing."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from licensing import services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, LicenseAssignment, Renewal
from licensing.upstream.sandbox import catalogue
from tests.factories import assignment_factory, customer_factory

REASON = "Customer leaves"


@pytest.fixture
def licences(sandbox_settings, customer):
    made = []
    for number in range(3):
        lic = sandbox_settings.state.assign(
            customer_code=customer.customer_code,
            item=catalogue.ITEMS["CL-Q-A005-M12"],
            license_info=f"Office {number}",
            currency_code="EUR",
        )
        made.append(
            assignment_factory(
                customer=customer, license_code="CL-Q-A005-M12", license_id=lic.license_id
            )
        )
    return made


def change(meta, customer, licences, action="suspend", reason=REASON):
    return services.renewals_bulk_change(
        meta=meta,
        customer=customer,
        assignment_ids=[a.pk for a in licences],
        action=action,
        reason=reason,
    )


def test_suspend_all_then_resume_all(sales_meta, customer, licences, sandbox_settings):
    result = change(sales_meta, customer, licences)

    assert [item.state for item in result.items] == ["changed"] * 3
    assert result.level == "success" and result.retry_ids == []
    assert {a.renewal for a in LicenseAssignment.objects.all()} == {Renewal.SUSPENDED}
    assert AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND).count() == 3

    result = change(sales_meta, customer, licences, action="resume", reason="")

    assert result.summary() == "Renewal resumed for 3 of 3 licences."
    assert {a.renewal for a in LicenseAssignment.objects.all()} == {Renewal.ON}
    assert sandbox_settings.state.requests["enable"] == 3


def test_already_suspended_is_done_not_a_failure(sales_meta, customer, licences):
    change(sales_meta, customer, licences[:1])

    result = change(sales_meta, customer, licences)

    assert [item.state for item in result.items] == ["already", "changed", "changed"]
    assert result.retry_ids == [] and result.level == "success"


def test_a_licence_being_changed_by_someone_else_is_one_to_retry(
    sales_meta, customer, licences, sandbox_settings
):
    LicenseAssignment.objects.filter(pk=licences[1].pk).update(
        renewal_change=uuid.uuid4(), renewal_change_until=timezone.now() + timedelta(minutes=1)
    )

    result = change(sales_meta, customer, licences)

    assert [item.state for item in result.items] == ["changed", "failed", "changed"]
    assert result.retry_ids == [licences[1].pk]
    assert "Someone else is changing" in result.failed[0].message
    assert sandbox_settings.state.requests["suspend"] == 2


@pytest.mark.parametrize(
    "ids, says",
    [
        ([], "Select at least one licence."),
        (list(range(1, 52)), "Select at most 50 licences"),
    ],
)
def test_empty_or_too_long_selection_is_refused_and_audited(sales_meta, customer, ids, says):
    with pytest.raises(services.InputInvalid) as refused:
        services.renewals_bulk_change(
            meta=sales_meta, customer=customer, assignment_ids=ids, action="suspend", reason=REASON
        )

    assert says in str(refused.value)
    assert AuditEvent.objects.get().outcome == AuditOutcome.INVALID


def test_duplicates_foreign_and_unchangeable_licences_are_refused_before_any_call(
    sales_meta, customer, licences, sandbox_settings
):
    other = customer_factory(customer_code=1002, name="Bianchi SpA")
    foreign = assignment_factory(customer=other, license_id="L-X")
    failed = assignment_factory(customer=customer, status="failed")

    for selection in ([licences[0], licences[0]], [licences[0], foreign], [failed]):
        with pytest.raises(services.InputInvalid):
            change(sales_meta, customer, selection)

    assert sandbox_settings.state.requests["suspend"] == 0
    assert {a.renewal for a in LicenseAssignment.objects.all()} == {Renewal.ON}
    assert AuditEvent.objects.filter(outcome=AuditOutcome.INVALID).count() == 3


def test_suspend_needs_a_reason_once_for_all(sales_meta, customer, licences, sandbox_settings):
    with pytest.raises(services.InputInvalid) as refused:
        change(sales_meta, customer, licences, reason=" ")

    assert "reason" in refused.value.errors
    assert sandbox_settings.state.requests["suspend"] == 0
    assert AuditEvent.objects.count() == 1


def test_unknown_action_is_refused(sales_meta, customer, licences):
    with pytest.raises(services.InputInvalid) as refused:
        change(sales_meta, customer, licences, action="delete")

    assert "action" in refused.value.errors


def test_only_sales(nobody_meta, customer, licences, sandbox_settings):
    with pytest.raises(services.PermissionRefused):
        change(nobody_meta, customer, licences)

    assert sandbox_settings.state.requests["suspend"] == 0


def test_vendor_down_reports_every_licence_unchanged_within_bounded_time(
    sales_meta, customer, licences, settings
):
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"
    settings.FLASHSTART_TIMEOUT = 0.5

    started = time.monotonic()
    result = change(sales_meta, customer, licences)
    elapsed = time.monotonic() - started

    assert result.level == "error"
    assert result.retry_ids == [a.pk for a in licences]
    assert all("safe to try again" in item.message for item in result.items)
    assert {a.renewal for a in LicenseAssignment.objects.all()} == {Renewal.ON}
    assert AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND).count() == 3
    assert elapsed < 3 * 0.5 + 3  # each call within its deadline, no retries of a write
