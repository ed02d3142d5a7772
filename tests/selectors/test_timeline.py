"""The customer timeline: assignments and audit rows merged newest first, one page at a
time, at a cost that does not grow with the page number."""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import roles, selectors
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditOutcome,
    LicenseAssignment,
)
from tests.factories import customer_factory, user_factory

pytestmark = pytest.mark.django_db
SIZE = selectors.TIMELINE_PAGE_SIZE


def history(customer, *, assignments: int, events: int, start=None):
    """`assignments` and `events` for `customer`, interleaved one second apart (written in
    bulk: the timeline reads them, the chain's hashes are not its concern)."""
    start = start or timezone.now() - timedelta(days=30)
    LicenseAssignment.objects.bulk_create(
        LicenseAssignment(
            customer=customer,
            kind=AssignmentKind.PAID,
            license_code="CL-Q-A005-M12",
            status=AssignmentStatus.FAILED,
            token=uuid.uuid4(),
            created_at=start + timedelta(seconds=2 * i),
        )
        for i in range(assignments)
    )
    first = (AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    AuditEvent.objects.bulk_create(
        AuditEvent(
            seq=first + i,
            created_at=start + timedelta(seconds=2 * i + 1),
            action=AuditAction.LICENSE_ASSIGN,
            outcome=AuditOutcome.FAILED,
            customer_code=customer.customer_code,
            message=f"event {i}",
            prev_hash=f"{first + i - 1:064x}",
            hash=f"{first + i:064x}",
        )
        for i in range(events)
    )
    # Rows recorded later (a login) chain on after these.
    last = first + events - 1
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_seq": last, "last_hash": f"{last:064x}"}
    )


def test_entries_are_merged_newest_first_and_paged():
    customer = customer_factory()
    history(customer, assignments=15, events=15)

    first = selectors.customer_timeline(customer=customer, page=1)
    second = selectors.customer_timeline(customer=customer, page=2)

    times = [entry.when for entry in first.entries + second.entries]
    assert len(times) == 30 and times == sorted(times, reverse=True)
    assert [e.kind for e in first.entries[:2]] == ["event", "assignment"]
    assert first.has_next and not first.has_previous
    assert not second.has_next and second.has_previous
    assert len(second.entries) == 10
    assert second.entries[-1].assignment is not None  # the oldest: the first assignment


def test_a_page_past_the_end_is_empty():
    customer = customer_factory()
    history(customer, assignments=2, events=2)

    page = selectors.customer_timeline(customer=customer, page=3)

    assert page.entries == [] and not page.has_next and page.has_previous


def test_a_page_deeper_than_the_cap_is_the_last_page_offered_and_says_so():
    customer = customer_factory()
    cap = selectors.customers.TIMELINE_MAX_PAGES
    history(customer, assignments=cap * SIZE // 2 + 10, events=cap * SIZE // 2 + 10)

    deepest = selectors.customer_timeline(customer=customer, page=10_000)

    assert deepest.number == cap
    assert len(deepest.entries) == SIZE
    assert not deepest.has_next and deepest.capped
    assert not selectors.customer_timeline(customer=customer, page=cap - 1).capped


@pytest.fixture
def busy_customer(client):
    """A customer with far more history than the timeline offers, and a signed-in client."""
    customer = customer_factory()
    history(customer, assignments=3000, events=3000)
    client.force_login(user_factory(groups=[roles.SALES]))
    return customer, client


def timeline_url(customer, page) -> str:
    return f"/customers/{customer.customer_code}/?page={page}&part=timeline"


def test_page_ten_thousand_runs_the_same_queries_as_page_one(busy_customer):
    customer, client = busy_customer
    counts = {}
    for page in (1, 10_000):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(timeline_url(customer, page))
        assert response.status_code == 200
        counts[page] = len(queries)

    assert counts[1] == counts[10_000]


def test_page_ten_thousand_takes_at_most_twice_as_long_as_page_one(busy_customer):
    customer, client = busy_customer

    def best_of(page: int, runs: int = 7) -> float:
        client.get(timeline_url(customer, page))  # warm up (templates, connection)
        durations = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(timeline_url(customer, page))
            durations.append(time.perf_counter() - started)
            assert response.status_code == 200
        return min(durations)

    shallow, deep = best_of(1), best_of(10_000)

    assert deep < 2 * shallow, f"page 1: {shallow * 1000:.1f} ms, page 10,000: {deep * 1000:.1f} ms"
