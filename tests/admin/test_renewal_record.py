"""A manager records the renewal state FlashStart shows, with no call: the way out when a
change's answer was lost after FlashStart acted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from licensing import audit, services
from licensing.models import AuditAction, AuditEvent, Renewal
from tests.admin.test_admin_actions import _action
from tests.admin.test_admin_actions import vendor_licence as vendor_licence_fixture

vendor_licence = vendor_licence_fixture  # the same fixture, under its own name here

pytestmark = pytest.mark.django_db


def calls(sandbox):
    return sum(sandbox.state.requests.values())


def test_recording_changes_the_renewal_here_only_and_audits_where_it_was_checked(
    manager_user, vendor_licence, sandbox_settings
):
    before = calls(sandbox_settings)

    outcome = services.renewal_record(
        meta=audit.RequestMeta(user=manager_user),
        assignment=vendor_licence,
        target=Renewal.SUSPENDED,
        note="FlashStart customer area, licence page",
    )

    assert outcome.ok
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.SUSPENDED
    assert vendor_licence.renewal_change is None  # the lease is given back
    assert calls(sandbox_settings) == before  # FlashStart was not called
    row = AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND).latest("seq")
    assert row.actor == manager_user and row.endpoint == ""
    assert "with no call" in row.message and "licence page" in row.message


def test_the_same_state_again_is_refused(manager_user, vendor_licence):
    meta = audit.RequestMeta(user=manager_user)
    with pytest.raises(services.InputInvalid) as refused:
        services.renewal_record(
            meta=meta, assignment=vendor_licence, target=Renewal.ON, note="customer area"
        )
    assert "already" in str(refused.value)


def test_a_change_in_flight_is_not_crossed(manager_user, vendor_licence):
    vendor_licence.renewal_change = "00000000-0000-0000-0000-000000000009"
    vendor_licence.renewal_change_until = timezone.now() + timedelta(seconds=60)
    vendor_licence.save()
    with pytest.raises(services.InputInvalid):
        services.renewal_record(
            meta=audit.RequestMeta(user=manager_user),
            assignment=vendor_licence,
            target=Renewal.SUSPENDED,
            note="customer area",
        )
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.ON


@pytest.mark.parametrize("note", ["", "  ", "x" * 501])
def test_a_note_is_needed(manager_user, vendor_licence, note):
    with pytest.raises(services.InputInvalid) as refused:
        services.renewal_record(
            meta=audit.RequestMeta(user=manager_user),
            assignment=vendor_licence,
            target=Renewal.SUSPENDED,
            note=note,
        )
    assert "note" in refused.value.errors
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.ON


def test_sales_may_not_record(sales_user, vendor_licence):
    with pytest.raises(services.PermissionRefused):
        services.renewal_record(
            meta=audit.RequestMeta(user=sales_user),
            assignment=vendor_licence,
            target=Renewal.SUSPENDED,
            note="customer area",
        )


def test_the_admin_action_asks_what_flashstart_shows_then_records_it(
    manager_client, vendor_licence
):
    form = _action(manager_client, "renewal_record_action", vendor_licence.pk)
    assert form.status_code == 200 and b"What FlashStart shows" in form.content

    done = _action(
        manager_client,
        "renewal_record_action",
        vendor_licence.pk,
        apply="Record",
        renewal="suspended",
        note="checked in the customer area",
    )

    assert done.status_code == 302
    vendor_licence.refresh_from_db()
    assert vendor_licence.renewal == Renewal.SUSPENDED
