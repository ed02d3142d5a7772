"""The reports' roll-up follows the services: every settle and resolve updates it in the
same transaction, and a repeated submit or a second resolve never counts twice."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing import selectors, services
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    RollupDemoLead,
    RollupEntry,
    RollupMonth,
)
from tests.factories import assignment_factory

CODE = "CL-Q-A005-M12"
OTHER_CODE = "CL-Q-A005-M1"  # a second purchase needs no "buy again?" confirmation


def assign(meta, customer, token=None, code=CODE):
    return services.license_assign(
        meta=meta,
        customer=customer,
        token=token or uuid.uuid4(),
        license_code=code,
        license_info="Headquarter",
    )


def figures(kind=AssignmentKind.PAID) -> tuple[int, int, int, Decimal]:
    """(active, failed, unknown, amount) of this month's roll-up for `kind`."""
    month = timezone.localdate().replace(day=1)
    rows = RollupMonth.objects.filter(month=month, kind=kind)
    totals = [0, 0, 0, Decimal(0)]
    for row in rows:
        for i, value in enumerate((row.active, row.failed, row.unknown, row.amount)):
            totals[i] += value
    return tuple(totals)


def test_a_sale_settled_through_the_services_updates_the_roll_up_and_the_page(
    sandbox_settings, sales_meta, customer
):
    sale = assign(sales_meta, customer).assignment

    assert sale.status == AssignmentStatus.ACTIVE
    assert figures() == (1, 0, 0, sale.amount)
    bucket = RollupMonth.objects.get()
    assert (bucket.staff, bucket.currency) == (sales_meta.user.pk, sale.currency)
    overview = selectors.reports.overview()
    assert overview.months[-1].totals == {sale.currency: sale.amount}
    assert [(s.username, s.paid) for s in overview.staff] == [("sally", 1)]
    assert overview.renewing == 1 and overview.rollup_complete


def test_a_repeated_submit_of_the_same_form_counts_once(sandbox_settings, sales_meta, customer):
    token = uuid.uuid4()
    first = assign(sales_meta, customer, token)
    second = assign(sales_meta, customer, token)

    assert second.duplicate
    assert figures() == (1, 0, 0, first.assignment.amount)


def test_a_call_that_never_reached_the_vendor_counts_as_failed(settings, sales_meta, customer):
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"

    outcome = assign(sales_meta, customer)

    assert outcome.assignment.status == AssignmentStatus.FAILED
    assert figures() == (0, 1, 0, 0)


def test_an_unknown_outcome_moves_to_active_when_a_manager_resolves_it(
    sandbox_settings, settings, sales_meta, manager_meta, customer
):
    settings.FLASHSTART_TIMEOUT = 0.5
    sandbox_settings.add_fault("assign", "reset_after")
    unknown = assign(sales_meta, customer).assignment
    assert unknown.status == AssignmentStatus.UNKNOWN
    assert figures() == (0, 0, 1, 0)

    services.assignment_resolve(
        meta=manager_meta, assignment=unknown, license_id="99123", note="FlashStart confirmed"
    )
    with pytest.raises(services.InputInvalid):  # settled already: no second move
        services.assignment_resolve(meta=manager_meta, assignment=unknown, failed=True, note="x")

    # Resolved by hand: no amount is known, so it counts as active without spend.
    assert figures() == (1, 0, 0, 0)
    staff = selectors.reports.overview().staff
    assert [(s.username, s.paid, s.unknown) for s in staff] == [("sally", 1, 0)]


def test_an_answer_that_conflicts_with_a_record_is_counted_as_unknown_not_active(
    sandbox_settings, sales_meta, customer
):
    first = assign(sales_meta, customer).assignment
    # The vendor's next licence id is already on another assignment of ours.
    assignment_factory(license_id=str(int(first.license_id) + 1))

    second = assign(sales_meta, customer, code=OTHER_CODE).assignment

    assert second.status == AssignmentStatus.UNKNOWN
    assert RollupEntry.objects.get(assignment=second).status == AssignmentStatus.UNKNOWN
    assert figures() == (1, 0, 1, first.amount)  # the rolled-back settle left nothing


def test_a_demo_is_a_lead_until_the_customer_buys(sandbox_settings, sales_meta, customer):
    demo = services.demo_assign(meta=sales_meta, customer=customer, token=uuid.uuid4())
    assert demo.assignment.status == AssignmentStatus.ACTIVE
    assert figures(AssignmentKind.DEMO)[0] == 1
    overview = selectors.reports.overview()
    assert [lead.customer for lead in overview.unconverted_demos] == [customer]
    assert overview.unconverted_demo_count == 1

    assign(sales_meta, customer)

    assert not RollupDemoLead.objects.exists()
    assert selectors.reports.overview().unconverted_demo_count == 0
