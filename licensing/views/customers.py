"""Finding, registering and showing customers."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from licensing import audit, forms, selectors, services
from licensing.views import params, responses
from licensing.views.decorators import sales_required

ASSIGNMENTS_PAGE_SIZE = 20


def customer_or_404(customer_code: int):
    customer = selectors.customer_get(customer_code=customer_code)
    if customer is None:
        raise Http404(
            _("No customer with code %(code)s is registered in the portal.")
            % {"code": customer_code}
        )
    return customer


@require_GET
@sales_required
def customer_list(request):
    form = forms.CustomerSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    paginator = Paginator(selectors.customer_search(query=query), selectors.CUSTOMER_PAGE_SIZE)
    customers = paginator.get_page(params.page_number(request.GET))
    context = {"form": form, "query": query, "customers": customers}
    return responses.page(request, "licensing/customer_list.html", context, fragment="results")


@require_http_methods(["GET", "POST"])
@sales_required
def customer_new(request):
    """One page, two ways: link a customer FlashStart already has, or create one there."""
    mode = request.POST.get("mode") or request.GET.get("mode")
    mode = "create" if mode == "create" else "link"
    data = request.POST if request.method == "POST" else None
    if mode == "link":
        form, action = forms.CustomerLinkForm(data), services.customer_register
    else:
        form = forms.CustomerCreateForm(
            data,
            countries=selectors.directory("countries"),
            industries=selectors.directory("industries"),
        )
        action = services.customer_create

    if data is not None and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "mode"}
        try:
            customer = action(meta=audit.RequestMeta.from_request(request), **values)
        except services.InputInvalid as exc:
            responses.add_errors(form, exc.errors)
        else:
            done = {"name": customer.name, "code": customer.customer_code}
            if mode == "link":
                messages.success(request, _("Linked %(name)s (FlashStart code %(code)s).") % done)
            else:
                messages.success(request, _("Created %(name)s (FlashStart code %(code)s).") % done)
            url = reverse("customer_detail", args=[customer.customer_code])
            if responses.wants_fragment(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)

    context = {"mode": mode, "form": form}
    return responses.page(request, "licensing/customer_new.html", context, fragment="panel")


@require_GET
@sales_required
def customer_detail(request, customer_code: int):
    customer = customer_or_404(customer_code)
    context = detail_context(request, customer)
    fragment = {"timeline": "timeline", "assignments": "assignments"}.get(request.GET.get("part"))
    return responses.page(request, "licensing/customer_detail.html", context, fragment=fragment)


def detail_context(request, customer) -> dict:
    """What the customer page shows: details, one page of assignments, one of the timeline."""
    paginator = Paginator(selectors.customer_assignments(customer=customer), ASSIGNMENTS_PAGE_SIZE)
    assignments = paginator.get_page(params.page_number(request.GET, "apage"))
    timeline = selectors.customer_timeline(customer=customer, page=params.page_number(request.GET))
    # The bulk renewal form shows when a licence on this page has a renewal to change.
    bulk_selectable = any(a.can_change_renewal for a in assignments)
    return {
        "customer": customer,
        "assignments": assignments,
        "timeline": timeline,
        "bulk_selectable": bulk_selectable,
    }


@never_cache
@require_POST
@sales_required
def customer_dashboard(request, customer_code: int):
    """Send the browser to the customer's own FlashStart dashboard, logged in.

    The link carries a one-time login token: it goes into the redirect only, never into
    a page, a log line or the database.
    """
    customer = customer_or_404(customer_code)
    try:
        url = services.dashboard_link(
            meta=audit.RequestMeta.from_request(request), customer=customer
        )
    except services.InputInvalid as exc:
        for message in exc.errors.get("__all__", []) or [str(exc)]:
            messages.error(request, message)
        return redirect("customer_detail", customer_code=customer.customer_code)
    response = redirect(url)
    response["Referrer-Policy"] = "no-referrer"
    return response
