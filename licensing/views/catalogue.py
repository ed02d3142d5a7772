"""The licences FlashStart offers a customer, with filters that refresh only the table."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from licensing import forms, language, selectors, upstream
from licensing.views import responses
from licensing.views.customers import customer_or_404
from licensing.views.decorators import sales_required


@require_GET
@sales_required
def catalogue(request, customer_code: int):
    customer = customer_or_404(customer_code)
    versions = selectors.directory("versions")
    form = forms.CatalogueFilterForm(
        request.GET or None,
        versions=versions,
        currencies=selectors.directory("currencies"),
        default_lang=language.vendor_lang(),  # licence names in the user's language
    )
    licenses, problem = (), ""
    filters = selectors.CatalogueFilters(lang=language.vendor_lang())
    if form.is_bound and not form.is_valid():
        problem = _(
            "Some filters were not understood, so the catalogue is not shown. "
            "Choose the filters again from the lists."
        )
    else:
        if form.is_bound:
            filters = selectors.CatalogueFilters(**form.cleaned_data)
        try:
            licenses = selectors.catalogue(customer=customer, filters=filters)
        except upstream.UpstreamError as exc:
            problem = _("The catalogue could not be loaded: %(reason)s") % {"reason": exc}
    context = {
        "customer": customer,
        "form": form,
        "filters": filters,
        "licenses": licenses,
        "groups": by_family(licenses),
        "problem": problem,
        "version_names": {choice.value: choice.label for choice in versions},
    }
    return responses.page(request, "licensing/catalogue.html", context, fragment="results")


@dataclass(frozen=True)
class Family:
    """The licences of one product family (one name), in the vendor's order."""

    name: str
    anchor: str
    licenses: list[upstream.License]


def by_family(licenses) -> list[Family]:
    """Licences grouped by name, families in the order the vendor first lists them, so
    that a phone user scrolls to a family instead of through every licence."""
    groups: dict[str, list[upstream.License]] = {}
    for lic in licenses:
        groups.setdefault(lic.name or lic.code, []).append(lic)
    return [
        Family(name=name, anchor=f"family-{index}", licenses=items)
        for index, (name, items) in enumerate(groups.items(), start=1)
    ]
