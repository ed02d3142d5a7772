"""Read queries for pages: customers, the vendor catalogue, assignments and the timeline."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet

from licensing import upstream
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditEvent,
    Customer,
    LicenseAssignment,
)

CUSTOMER_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20
DIRECTORY_CACHE_SECONDS = 3600
DIRECTORY_FALLBACK_CACHE_SECONDS = 60


def customer_search(*, query: str = "") -> QuerySet[Customer]:
    """Customers whose name, e-mail or code matches `query`, by name."""
    customers = Customer.objects.only("customer_code", "name", "email", "language")
    query = " ".join(query.split())[:100]
    if query:
        condition = Q(name__icontains=query) | Q(email__icontains=query)
        if query.isdigit():
            condition |= Q(customer_code=int(query))
        customers = customers.filter(condition)
    return customers.order_by("name", "customer_code")


def customer_get(*, customer_code: int) -> Customer | None:
    return Customer.objects.filter(customer_code=customer_code).first()


@dataclass(frozen=True)
class CatalogueFilters:
    lang: str = "en"
    version_code: int | None = None
    license_duration: int | None = None
    currency_code: str = "EUR"

    def cache_key(self, customer_code: int) -> str:
        raw = json.dumps(
            [customer_code, self.lang, self.version_code, self.license_duration, self.currency_code]
        )
        return "catalogue:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def catalogue(*, customer: Customer, filters: CatalogueFilters) -> tuple[upstream.License, ...]:
    """The licences the vendor offers this customer, cached briefly per customer and filter.

    Raises upstream.UpstreamError when the vendor cannot answer.
    """
    key = filters.cache_key(customer.customer_code)
    cached = cache.get(key)
    if cached is not None:
        return cached
    answer = upstream.client().licenses_available(
        customer_code=customer.customer_code,
        lang=filters.lang,
        version_code=filters.version_code,
        license_duration=filters.license_duration,
        currency_code=filters.currency_code,
    )
    cache.set(key, answer.licenses, settings.FLASHSTART_CATALOGUE_CACHE_SECONDS)
    return answer.licenses


def directory(name: str) -> list[upstream.Choice]:
    """A vendor value list ("currencies", "versions", "countries", "industries"), cached.

    Never raises: the client falls back to the configured list. A fallback is kept only
    briefly, so the vendor's own list replaces it once the vendor answers again.
    """
    key = f"directory:{name}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    choices = getattr(upstream.client(), name)()
    fallback = [
        upstream.Choice(str(v), str(label))
        for v, label in settings.FLASHSTART_FALLBACKS.get(name, [])
    ]
    seconds = DIRECTORY_FALLBACK_CACHE_SECONDS if choices == fallback else DIRECTORY_CACHE_SECONDS
    cache.set(key, choices, seconds)
    return choices


def license_quote(
    *, customer: Customer, license_code: str, currency_code: str = "EUR"
) -> upstream.License | None:
    """The vendor's current price for one licence, asked afresh (never from a cache).

    Returns None when the vendor does not offer that code. Raises upstream.UpstreamError.
    """
    try:
        answer = upstream.client().licenses_available(
            customer_code=customer.customer_code,
            lang=customer.language,
            license_code=license_code,
            currency_code=currency_code,
        )
    except upstream.ValidationFailed as exc:
        # The vendor refuses a code it does not know instead of answering an empty list.
        if "license_code" in exc.field_errors:
            return None
        raise
    for item in answer.licenses:
        if item.code == license_code:
            return item
    return None


def assign_warnings(*, customer: Customer, license_code: str) -> list[str]:
    """What staff should know before buying: an existing demo or the same active licence."""
    warnings = []
    active = LicenseAssignment.objects.filter(customer=customer, status=AssignmentStatus.ACTIVE)
    if active.filter(kind=AssignmentKind.DEMO).exists():
        warnings.append(f"{customer.name} already has a demo licence.")
    same = active.filter(kind=AssignmentKind.PAID, license_code=license_code).count()
    if same:
        warnings.append(
            f"{customer.name} already has {same} active licence(s) with code {license_code}."
        )
    if LicenseAssignment.objects.filter(
        customer=customer, status__in=[AssignmentStatus.UNKNOWN, AssignmentStatus.PENDING]
    ).exists():
        warnings.append(
            "An earlier assignment for this customer has an unknown outcome: check it first."
        )
    return warnings


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
