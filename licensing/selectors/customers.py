"""Read queries for pages: customers, their assignments and their timeline."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from licensing.models import (
    AuditEvent,
    Customer,
    LicenseAssignment,
)

CUSTOMER_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20
TRIGRAM = 3  # pg_trgm finds substrings of at least three characters through its index
# The timeline offers its newest 500 entries; older ones are in the audit trail.
TIMELINE_MAX_PAGES = 25


def customer_search(*, query: str = "") -> QuerySet[Customer]:
    """Customers whose name, e-mail or code matches `query`, by name."""
    customers = Customer.objects.only("customer_code", "name", "email", "language")
    query = " ".join(query.split())[:100]
    if query:
        condition = Q(name__icontains=query) | Q(email__icontains=query)
        # ASCII only: "¹" is a digit to str.isdigit() but not to int(); 19 digits at most
        # fit the database's integer.
        if query.isascii() and query.isdigit() and len(query) < 19:
            condition |= Q(customer_code=int(query))
        customers = customers.filter(condition)
        if connection.vendor == "postgresql" and len(query) >= TRIGRAM:
            # Sorted as an expression (the same order as the column): the planner then
            # sorts the matches the trigram indexes find (migration 0005) instead of
            # walking the name index until a page of them turns up, which for a name late
            # in the alphabet reads most of the table. Shorter terms, which the indexes
            # cannot serve and which match many names, and SQLite keep the index walk.
            return customers.order_by(Concat("name", Value("")), "customer_code")
    return customers.order_by("name", "customer_code")


def customer_get(*, customer_code: int) -> Customer | None:
    return Customer.objects.filter(customer_code=customer_code).first()


def customer_assignments(*, customer: Customer) -> QuerySet[LicenseAssignment]:
    return LicenseAssignment.objects.filter(customer=customer).select_related("customer")


def assignment_get(*, pk: int) -> LicenseAssignment | None:
    return LicenseAssignment.objects.select_related("customer").filter(pk=pk).first()


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str  # "assignment" or "event"
    assignment: LicenseAssignment | None = None
    event: AuditEvent | None = None


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    has_next: bool
    has_previous: bool
    # True on the last page offered when older entries exist beyond it (they are in the
    # audit trail, filtered by this customer).
    capped: bool = False


def customer_timeline(*, customer: Customer, page: int = 1) -> TimelinePage:
    """The customer's assignments and audit events in one list, newest first.

    Bounded cost at any page: at most TIMELINE_MAX_PAGES pages are offered (a deeper page
    number is answered as the last one), the two lists are merged on (time, id) pairs read
    from their indexes, and only the page's own rows are then loaded, in two queries. Page
    10,000 runs the same four queries as page 1, over at most 501 index entries of each list.
    """
    page = max(1, min(page, TIMELINE_MAX_PAGES))
    size = TIMELINE_PAGE_SIZE
    limit = page * size + 1
    assignment_keys = list(
        LicenseAssignment.objects.filter(customer=customer)
        .order_by("-created_at", "-id")
        .values_list("created_at", "id")[:limit]
    )
    event_keys = list(
        AuditEvent.objects.filter(customer_code=customer.customer_code)
        .order_by("-seq")
        .values_list("created_at", "seq")[:limit]
    )
    # Newest first; at equal times, events after assignments (as the sort always did).
    merged = sorted(
        [(when, 1, pk) for when, pk in assignment_keys]
        + [(when, 0, seq) for when, seq in event_keys],
        key=lambda key: (key[0], key[1]),
        reverse=True,
    )
    start = (page - 1) * size
    shown = merged[start : start + size]
    assignments = LicenseAssignment.objects.select_related("customer").in_bulk(
        [pk for _, kind, pk in shown if kind == 1]
    )
    events = (
        AuditEvent.objects.defer("sent", "answer")
        .filter(seq__in=[seq for _, kind, seq in shown if kind == 0])
        .in_bulk(field_name="seq")
    )
    entries = [
        TimelineEntry(when, "assignment", assignment=assignments[key])
        if kind == 1
        else TimelineEntry(when, "event", event=events[key])
        for when, kind, key in shown
        if key in (assignments if kind == 1 else events)
    ]
    more = len(merged) > start + size
    return TimelinePage(
        entries=entries,
        number=page,
        has_next=more and page < TIMELINE_MAX_PAGES,
        has_previous=page > 1,
        capped=more and page == TIMELINE_MAX_PAGES,
    )
