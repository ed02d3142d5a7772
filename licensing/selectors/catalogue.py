"""Read queries for the vendor's catalogue, price quotes and value lists (cached).

The cache is an aid, not a dependency: a cache that fails (Redis down, a value that does
not unpickle) reads as a miss and is not written to, so the page asks the vendor instead,
slower but working.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from licensing import language, upstream
from licensing.models import AssignmentKind, AssignmentStatus, Customer, LicenseAssignment

DIRECTORY_CACHE_SECONDS = 3600
DIRECTORY_FALLBACK_CACHE_SECONDS = 60

log = logging.getLogger("licensing.selectors")


def _cached(key: str) -> Any:
    """The cached value, or None when absent or when the cache fails."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure is a miss
        log.warning("cache unavailable: reading %s from the vendor", key.split(":")[0])
        return None


def _remember(key: str, value: Any, seconds: int) -> None:
    """Cache `value`; a failing cache is skipped (the next read asks the vendor again)."""
    try:
        cache.set(key, value, seconds)
    except Exception:  # noqa: BLE001 - any cache failure leaves the value uncached
        log.warning("cache unavailable: %s not cached", key.split(":")[0])


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
    cached = _cached(key)
    if cached is not None:
        return cached
    answer = upstream.get_client().licenses_available(
        customer_code=customer.customer_code,
        lang=filters.lang,
        version_code=filters.version_code,
        license_duration=filters.license_duration,
        currency_code=filters.currency_code,
    )
    _remember(key, answer.licenses, settings.FLASHSTART_CATALOGUE_CACHE_SECONDS)
    return answer.licenses


def directory(name: str) -> list[upstream.Choice]:
    """A vendor value list ("currencies", "versions", "countries", "industries"), cached.

    Never raises: the client falls back to the configured list. A fallback is kept only
    briefly, so the vendor's own list replaces it once the vendor answers again.
    """
    key = f"directory:{name}"
    cached = _cached(key)
    if cached is not None:
        return cached
    choices = getattr(upstream.get_client(), name)()
    fallback = [
        upstream.Choice(str(v), str(label))
        for v, label in settings.FLASHSTART_FALLBACKS.get(name, [])
    ]
    seconds = DIRECTORY_FALLBACK_CACHE_SECONDS if choices == fallback else DIRECTORY_CACHE_SECONDS
    _remember(key, choices, seconds)
    return choices


def license_quote(
    *, customer: Customer, license_code: str, currency_code: str = "EUR"
) -> upstream.License | None:
    """The vendor's current price for one licence, asked afresh (never from a cache).

    Returns None when the vendor does not offer that code. Raises upstream.UpstreamError.
    """
    try:
        answer = upstream.get_client().licenses_available(
            customer_code=customer.customer_code,
            lang=language.vendor_lang(),  # the name staff read on the quote
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
        warnings.append(_("%(customer)s already has a demo licence.") % {"customer": customer.name})
    same = active.filter(kind=AssignmentKind.PAID, license_code=license_code).count()
    if same:
        text = ngettext(
            "%(customer)s already has %(count)s active licence with code %(code)s.",
            "%(customer)s already has %(count)s active licences with code %(code)s.",
            same,
        )
        warnings.append(text % {"customer": customer.name, "count": same, "code": license_code})
    if LicenseAssignment.objects.filter(
        customer=customer, status__in=[AssignmentStatus.UNKNOWN, AssignmentStatus.PENDING]
    ).exists():
        warnings.append(
            _("An earlier assignment for this customer has an unknown outcome: check it first.")
        )
    return warnings
