"""Suspending or resuming renewal for several licences of a customer in one go.

The customer page's licence table has a checkbox per licence with a renewal to change,
tied to one small form below it (`_bulk_renewals.html`). Its POST comes here: without
JavaScript the answer is a page listing every licence with its outcome; with htmx that
list opens in the action dialog and the page's licences and timeline update in place.
Either way, licences whose change was not made are listed again, ticked, for a retry.
"""

from django.contrib import messages
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from licensing import audit, forms, selectors, services
from licensing.models import AssignmentKind, AssignmentStatus
from licensing.views import params, responses
from licensing.views.customers import customer_or_404, detail_context
from licensing.views.decorators import sales_required

TEMPLATE = "licensing/bulk_renewals_result.html"


@require_http_methods(["GET", "POST"])
@sales_required
def renewals_bulk(request, customer_code: int):
    """GET: the selection form on a page of its own (`?assignment=` ticks licences).
    POST: one change per selected licence through `services.renewals_bulk_change`."""
    customer = customer_or_404(customer_code)
    in_dialog = responses.wants_fragment(request)
    if request.method == "GET":
        form = forms.BulkRenewalForm(initial={"action": request.GET.get("action", "suspend")})
        checked = _ids(request.GET.getlist("assignment"))
        return _page(request, customer, form=form, checked=checked, in_dialog=in_dialog)

    form = forms.BulkRenewalForm(request.POST)
    checked = _ids(request.POST.getlist("assignment"))
    if not form.is_valid():
        return _page(request, customer, form=form, checked=checked, in_dialog=in_dialog)
    data = form.cleaned_data
    try:
        result = services.renewals_bulk_change(
            meta=audit.RequestMeta.from_request(request),
            customer=customer,
            assignment_ids=data["assignment"],
            action=data["action"],
            reason=data["reason"],
        )
    except services.InputInvalid as exc:
        responses.add_errors(form, exc.errors)
        return _page(request, customer, form=form, checked=checked, in_dialog=in_dialog)

    messages.add_message(request, responses.MESSAGE_LEVELS[result.level], result.summary())
    retry = forms.BulkRenewalForm(initial={"action": result.action, "reason": result.reason})
    context = {
        "customer": customer,
        "form": retry,
        "result": result,
        "choices": [item.assignment for item in result.failed],
        "checked": set(result.retry_ids),
        "in_dialog": in_dialog,
    }
    if not in_dialog:
        return responses.page(request, TEMPLATE, context)
    # The dialog shows the outcomes; the page's licences (failed ones ticked again) and
    # timeline update out of band.
    html = render_to_string(f"{TEMPLATE}#panel", context, request=request)
    sections = {
        **detail_context(request, customer),
        "oob": True,
        "bulk_checked": context["checked"],
    }
    for part in ("assignments", "timeline"):
        html += render_to_string(
            f"licensing/customer_detail.html#{part}", sections, request=request
        )
    return responses.render_html(request, html)


def _page(request, customer, *, form, checked: set[int], in_dialog: bool):
    """The selection form: the customer's licences with a renewal to change."""
    choices = list(
        selectors.customer_assignments(customer=customer).filter(
            status=AssignmentStatus.ACTIVE, kind=AssignmentKind.PAID
        )[: services.BULK_MAX * 4]
    )
    context = {
        "customer": customer,
        "form": form,
        "result": None,
        "choices": choices,
        "checked": checked,
        "in_dialog": in_dialog,
    }
    return responses.page(request, TEMPLATE, context, fragment="panel")


def _ids(values: list[str]) -> set[int]:
    """The ticked licence ids that are numbers (junk is reported by the form)."""
    numbers = (params.whole_number(value) for value in values)
    return {number for number in numbers if number is not None}
