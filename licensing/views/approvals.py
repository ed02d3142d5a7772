"""Purchases above a spending limit: the salesperson's request, the managers' queue and
one request's page, where a manager (never the requester) approves or rejects it.

Approving runs the sale through the same service every sale uses; the page then shows
its outcome. A changed price or a repeat purchase comes back for the manager to confirm.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from licensing import audit, forms, roles, selectors, services
from licensing.models import ApprovalStatus
from licensing.views import responses
from licensing.views.customers import customer_or_404
from licensing.views.decorators import manager_required, sales_required


@require_POST
@sales_required
def approval_request(request, customer_code: int):
    """The assign confirmation's "Request approval": a request for a manager, no purchase."""
    customer = customer_or_404(customer_code)
    license_code = request.GET.get("license_code", "").strip()[:64]
    currency_code = request.GET.get("currency_code", "EUR").strip().upper()[:3] or "EUR"
    form = forms.ApprovalRequestForm(request.POST)
    if not form.is_valid() and "quote" not in form.cleaned_data:
        # A stale or unreadable price: the confirmation page asks the vendor again.
        stale = form.errors.get("quote", [_("Check the price again.")])
        messages.warning(request, " ".join(stale))
        url = reverse("license_assign", args=[customer_code])
        return _go(request, f"{url}?{request.GET.urlencode()}")
    quote = form.cleaned_data["quote"]
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.approval_request(
                meta=audit.RequestMeta.from_request(request),
                customer=customer,
                token=data["token"],
                license_code=license_code or quote["code"],
                license_info=data["license_info"],
                license_name=quote["name"],
                amount=quote["amount"],
                currency=currency_code if license_code else quote["currency"],
                points=quote["points"],
                accept_notifications=data["accept_notifications"],
                note=data["note"],
                quote=quote,
            )
        except services.InputInvalid as exc:
            responses.add_errors(form, exc.errors)
        else:
            messages.success(
                request,
                _(
                    "Sent for approval: %(licence)s for %(customer)s. A manager decides; it "
                    "shows here as “Awaiting approval” until then."
                )
                % {"licence": quote["name"], "customer": customer.name},
            )
            return _go(request, reverse("customer_detail", args=[customer_code]))
    spending = services.spending_check(
        user=request.user,
        customer=customer,
        license_code=quote["code"],
        amount=quote["amount"],
        currency=quote["currency"],
    )
    context = {
        "customer": customer,
        "license_code": license_code,
        "currency_code": currency_code,
        "form": form,
        "quote": quote,
        "spending": spending,
        "warnings": selectors.assign_warnings(customer=customer, license_code=quote["code"]),
    }
    return responses.page(request, "licensing/assign_confirm.html", context, fragment="panel")


@require_http_methods(["GET"])
@manager_required(gettext_lazy("decide on purchases"))
def approval_list(request):
    """Pending requests, newest first, each with the customer's recent purchases."""
    services.approvals_expire(meta=audit.RequestMeta.from_request(request))
    context = {
        "pending": selectors.approvals.approvals_pending(),
        "decided": selectors.approvals.approvals_decided(),
    }
    return responses.page(request, "licensing/approval_list.html", context)


@require_http_methods(["GET", "POST"])
@sales_required
def approval_detail(request, pk: int):
    """One request: managers decide here; its requester may read it."""
    approval = selectors.approvals.approval_get(pk=pk)
    if approval is None:
        raise Http404(_("There is no approval request number %(number)s.") % {"number": pk})
    manager = roles.is_manager(request.user)
    own = approval.requested_by_id == request.user.pk
    if not manager and not own:
        raise services.access_refuse(
            meta=audit.RequestMeta.from_request(request),
            what=gettext_lazy("see another person's approval request"),
            customer_code=approval.customer.customer_code,
        )
    context = {"approval": approval, "own": own, "manager": manager, "status": ApprovalStatus}
    form = forms.ApprovalDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        meta = audit.RequestMeta.from_request(request)
        data = form.cleaned_data
        try:
            if data["decision"] == forms.ApprovalDecisionForm.RECOVER:
                done = services.approval_recover(meta=meta, approval=approval)
                if done == "linked":
                    messages.success(
                        request, _("The purchase was found and linked to this request.")
                    )
                elif done == "reopened":
                    messages.success(
                        request,
                        _("Nothing was bought: the request is open again, approve it to buy."),
                    )
                else:
                    messages.info(request, _("Nothing to do: this request is settled."))
                return redirect("approval_detail", pk=pk)
            if data["decision"] == forms.ApprovalDecisionForm.REJECT:
                services.approval_reject(meta=meta, approval=approval, reason=data["reason"])
                messages.success(request, _("Rejected: the requester is told why."))
                return redirect("approval_list")
            outcome = services.approval_approve(
                meta=meta,
                approval=approval,
                confirmed_amount=data["confirmed_amount"],
                repeat_of=data["repeat_of"],
            )
        except services.PermissionRefused as exc:
            context["refused"] = str(exc)
            status = 403
        except services.PriceChanged as exc:
            context["price_changed"] = exc
        except services.RepeatPurchase as exc:
            context["repeat"] = exc
            context["confirmed_amount"] = data["confirmed_amount"]
        except services.InputInvalid as exc:
            responses.add_errors(form, exc.errors)
        else:
            responses.add_outcome_message(request, outcome)
            return redirect("approval_detail", pk=pk)
        approval = selectors.approvals.approval_get(pk=pk)
    context.update(
        approval=approval,
        form=form,
        purchases=selectors.approvals.approval_customer_purchases(approval=approval),
    )
    return responses.page(request, "licensing/approval_detail.html", context, status=status)


def _go(request, url: str):
    if responses.wants_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)
