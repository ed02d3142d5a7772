"""Read queries for pages: customers, their assignments and their timeline."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from licensing.models import (
    AuditEvent,
    Customer,
    LicenseAssignment,
)

CUSTOMER_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20


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


def customer_timeline(*, customer: Customer, page: int = 1) -> TimelinePage:
    """The customer's assignments and audit events in one list, newest first.

    Merges the two (each read through its own index) and keeps one page of it; reads at
    most page * size + 1 rows of each.
    """
    page = max(1, min(page, 10_000))
    size = TIMELINE_PAGE_SIZE
    limit = page * size + 1
    assignments = list(
        LicenseAssignment.objects.filter(customer=customer)
        .select_related("customer")
        .order_by("-created_at", "-id")[:limit]
    )
    events = list(
        AuditEvent.objects.filter(customer_code=customer.customer_code)
        .defer("sent", "answer")
        .order_by("-seq")[:limit]
    )
    merged = [TimelineEntry(a.created_at, "assignment", assignment=a) for a in assignments]
    merged += [TimelineEntry(e.created_at, "event", event=e) for e in events]
    merged.sort(key=lambda entry: entry.when, reverse=True)
    start = (page - 1) * size
    return TimelinePage(
        entries=merged[start : start + size],
        number=page,
        has_next=len(merged) > start + size,
        has_previous=page > 1,
    )
