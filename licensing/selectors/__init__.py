"""Selectors: the only code that reads for pages. Plain functions, no writes.

- `customers`: the customer list, one customer, its assignments and its timeline;
- `catalogue`: the vendor's catalogue, price quotes and value lists (cached);
- `reports`: the managers' overview (spend, staff, expiries, demos).
- `forecast`: what renewals will cost in the next 30/60/90 days, and what lapses;
- `home`: one person's (or the team's) work ahead, for the home page.
- `approvals`: purchases waiting for (or decided by) a manager, and the reports' summary.
"""

from licensing.selectors import approvals, forecast, home, reports
from licensing.selectors.catalogue import (
    DIRECTORY_CACHE_SECONDS,
    DIRECTORY_FALLBACK_CACHE_SECONDS,
    CatalogueFilters,
    assign_warnings,
    catalogue,
    directory,
    license_quote,
)
from licensing.selectors.customers import (
    CUSTOMER_PAGE_SIZE,
    TIMELINE_PAGE_SIZE,
    TimelineEntry,
    TimelinePage,
    assignment_get,
    customer_assignments,
    customer_get,
    customer_search,
    customer_timeline,
)

__all__ = [
    "approvals",
    "CUSTOMER_PAGE_SIZE",
    "DIRECTORY_CACHE_SECONDS",
    "DIRECTORY_FALLBACK_CACHE_SECONDS",
    "TIMELINE_PAGE_SIZE",
    "CatalogueFilters",
    "TimelineEntry",
    "TimelinePage",
    "assign_warnings",
    "assignment_get",
    "catalogue",
    "customer_assignments",
    "customer_get",
    "customer_search",
    "customer_timeline",
    "directory",
    "forecast",
    "home",
    "license_quote",
    "reports",
]
