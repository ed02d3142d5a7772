"""Assigning licences and demos, changing renewals and resolving unknown outcomes.

Each action is a confirmation (a page, or a dialog on the customer page with htmx) that
says what will happen, and a POST that calls one service. Without JavaScript every POST
ends in a redirect with a message; with htmx the affected sections update in place.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from licensing import audit, forms, selectors, services, upstream
from licensing.models import AssignmentKind, AssignmentStatus, Renewal
from licensing.views import responses
from licensing.views.customers import customer_or_404, detail_context
from licensing.views.decorators import manager_required, sales_required

UNKNOWN_BADGE = gettext_lazy("Outcome unknown — do not assign again; a manager will check")


# --- paid licences and demos ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sales_required
def license_assign(request, customer_code: int):
    """Confirm a licence at the vendor's current price, then buy it (once per form).

    A second purchase of a licence the customer bought lately is held on a page of its own
    (`repeat_purchase.html`) until the salesperson confirms it.
    """
    customer = customer_or_404(customer_code)
    license_code = request.GET.get("license_code", "").strip()[:64]
    currency_code = request.GET.get("currency_code", "EUR").strip().upper()[:3] or "EUR"
    context = {"customer": customer, "license_code": license_code, "currency_code": currency_code}

    form = forms.AssignForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        quote = form.cleaned_data["quote"]
        data = form.cleaned_data
        try:
            outcome = services.license_assign(
                meta=audit.RequestMeta.from_request(request),
                customer=customer,
                # What this page is for; the signed quote must have been made for it.
                license_code=license_code or quote["code"],
                license_info=data["license_info"],
                token=data["token"],
                currency_code=currency_code if license_code else quote["currency"],
                license_name=quote["name"],
                quoted_amount=quote["amount"],
                points=quote["points"],
                accept_notifications=data["accept_notifications"],
                quote=quote,
                repeat_of=data["repeat_of"],
            )
        except services.RepeatPurchase as held:
            context.update(form=form, quote=quote, earlier=held.earlier, held=held)
            return _confirmation(request, "licensing/repeat_purchase.html", context)
        except services.InputInvalid as exc:
            if "quote" in exc.errors:
                context["problem"] = " ".join(exc.errors["quote"])
                return _confirmation(request, "licensing/assign_confirm.html", context)
            responses.add_errors(form, exc.errors)
        else:
            if outcome.ok:
                return _done(request, customer, outcome)
            retry = None
            if outcome.assignment is None or outcome.assignment.status == AssignmentStatus.FAILED:
                retry = forms.AssignForm.retry(
                    quote, data["license_info"], data["accept_notifications"]
                )
                responses.add_errors(retry, outcome.field_errors)
            context.update(form=retry, quote=quote, outcome=outcome, unknown_badge=UNKNOWN_BADGE)
            return _confirmation(request, "licensing/assign_confirm.html", context)

    if form is not None and "quote" in form.cleaned_data:
        quote = form.cleaned_data["quote"]  # only the label was wrong: same token, same price
    elif not license_code:
        context["problem"] = _("Choose a licence from the customer's catalogue first.")
        return _confirmation(request, "licensing/assign_confirm.html", context)
    else:
        # First view, or the signed price is too old: ask the vendor for today's price.
        try:
            found = selectors.license_quote(
                customer=customer, license_code=license_code, currency_code=currency_code
            )
        except upstream.ValidationFailed as exc:
            problem = _("FlashStart refused the price check: %(reason)s") % {"reason": exc}
            context["problem"] = problem
            return _confirmation(request, "licensing/assign_confirm.html", context)
        except upstream.UpstreamError as exc:
            problem = _("The price could not be checked: %(reason)s") % {"reason": exc}
            context.update(problem=problem, can_retry=True)
            return _confirmation(request, "licensing/assign_confirm.html", context)
        if found is None:
            context["problem"] = _(
                "FlashStart does not offer a licence with code “%(code)s” to this customer. "
                "Choose one from the catalogue."
            ) % {"code": license_code}
            return _confirmation(request, "licensing/assign_confirm.html", context)
        if not found.sellable:
            problem = _(
                "FlashStart's price for “%(name)s” (%(code)s) cannot be read right now, so it "
                "cannot be sold from the portal. Try again later."
            ) % {"name": found.name, "code": found.code}
            context.update(problem=problem, can_retry=True)
            return _confirmation(request, "licensing/assign_confirm.html", context)
        quote = forms.quote_data(found, customer.customer_code)
        stale = form.errors.get("quote") if form is not None else None
        info = form.data.get("license_info", "") if form is not None else ""
        notify = bool(form.data.get("accept_notifications")) if form is not None else True
        form = (
            forms.AssignForm.retry(quote, info, notify) if stale else forms.AssignForm.fresh(quote)
        )
        if stale:
            form.add_error(None, list(stale))
    context.update(
        form=form,
        quote=quote,
        warnings=selectors.assign_warnings(customer=customer, license_code=quote["code"]),
        # Above the person's limit the page offers "Request approval" instead (issue 14).
        spending=services.spending_check(
            user=request.user,
            customer=customer,
            license_code=quote["code"],
            amount=quote["amount"],
            currency=quote["currency"],
        ),
    )
    return _confirmation(request, "licensing/assign_confirm.html", context)


@require_http_methods(["GET", "POST"])
@sales_required
def demo_assign(request, customer_code: int):
    """Confirm and assign a free trial licence: what it is, how long it lasts, and whether
    the customer still has one of FlashStart's demos left."""
    customer = customer_or_404(customer_code)
    demos = [
        a
        for a in selectors.customer_assignments(customer=customer)
        if a.kind == AssignmentKind.DEMO and a.status == AssignmentStatus.ACTIVE
    ]
    limit = services.assignments.DEMO_LIMIT
    context = {
        "customer": customer,
        "demos": demos,
        "demo_limit": limit,
        "demo_product": services.assignments.DEMO_PRODUCT,
        "demo_days": services.assignments.DEMO_DAYS,
        "at_limit": len(demos) >= limit,
    }
    if request.method == "GET":
        context["form"] = forms.DemoForm.fresh(customer.language)
        return _confirmation(request, "licensing/demo_confirm.html", context)

    form = forms.DemoForm(request.POST)
    context["form"] = form
    if form.is_valid():
        try:
            outcome = services.demo_assign(
                meta=audit.RequestMeta.from_request(request),
                customer=customer,
                token=form.cleaned_data["token"],
                lang=form.cleaned_data["lang"],
                accept_notifications=form.cleaned_data["accept_notifications"],
            )
        except services.InputInvalid as exc:
            responses.add_errors(form, exc.errors)
        else:
            if outcome.ok:
                return _done(request, customer, outcome)
            retry = None
            if outcome.assignment is None or outcome.assignment.status == AssignmentStatus.FAILED:
                retry = forms.DemoForm.retry(
                    form.cleaned_data["lang"], form.cleaned_data["accept_notifications"]
                )
                responses.add_errors(retry, outcome.field_errors)
            context.update(form=retry, outcome=outcome, unknown_badge=UNKNOWN_BADGE)
    return _confirmation(request, "licensing/demo_confirm.html", context)


def _confirmation(request, template: str, context: dict):
    """The confirmation page, or only its panel when htmx posted the form."""
    fragment = "panel" if request.method == "POST" else None
    return responses.page(request, template, context, fragment=fragment)


def _done(request, customer, outcome):
    """Back to the customer page, where the new assignment and the message show."""
    responses.add_outcome_message(request, outcome)
    url = reverse("customer_detail", args=[customer.customer_code])
    if outcome.assignment is not None:
        url += f"#assignment-{outcome.assignment.pk}"
    if responses.wants_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- renewals and resolutions -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sales_required
def renewal_suspend(request, pk: int):
    assignment = _assignment_or_404(pk)
    blocked = _renewal_blocked(assignment, Renewal.SUSPENDED)
    return _assignment_action(
        request,
        assignment,
        form_class=forms.SuspendForm,
        run=lambda meta, data: services.renewal_suspend(
            meta=meta, assignment=assignment, reason=data["reason"]
        ),
        action="suspend",
        blocked=blocked,
    )


@require_http_methods(["GET", "POST"])
@sales_required
def renewal_resume(request, pk: int):
    assignment = _assignment_or_404(pk)
    blocked = _renewal_blocked(assignment, Renewal.ON)
    return _assignment_action(
        request,
        assignment,
        form_class=forms.ResumeForm,
        run=lambda meta, data: services.renewal_resume(meta=meta, assignment=assignment),
        action="resume",
        blocked=blocked,
    )


@require_http_methods(["GET", "POST"])
@manager_required(gettext_lazy("resolve unknown outcomes"))
def assignment_resolve(request, pk: int):
    """A manager settles an unknown outcome, shown FlashStart's answer when one was kept
    (the form is filled in from it)."""
    assignment = _assignment_or_404(pk)
    blocked = ""
    if not assignment.is_resolvable:
        blocked = _("Only an assignment whose outcome is unknown can be resolved.")
    return _assignment_action(
        request,
        assignment,
        form_class=lambda data: forms.ResolveForm.prefilled(assignment, data),
        run=lambda meta, data: services.assignment_resolve(
            meta=meta,
            assignment=assignment,
            license_id=data["license_id"],
            failed=data["outcome"] == forms.ResolveForm.FAILED,
            note=data["note"],
            expiry_date=data["expiry_date"],
            start_date=data["start_date"],
            amount=data["amount"],
            currency=data["currency"],
        ),
        action="resolve",
        blocked=blocked,
        vendor_answer=assignment.vendor_answer,
    )


def _assignment_or_404(pk: int):
    assignment = selectors.assignment_get(pk=pk)
    if assignment is None:
        raise Http404(_("There is no assignment number %(number)s.") % {"number": pk})
    return assignment


def _renewal_blocked(assignment, target: str) -> str:
    if not assignment.can_change_renewal:
        return _("Only an active paid licence has a renewal to change.")
    if assignment.renewal == target:
        if target == Renewal.SUSPENDED:
            return _("Renewal is already suspended.")
        return _("Renewal is already on.")
    return ""


def _assignment_action(request, assignment, *, form_class, run, action, blocked, **extra):
    """Confirmation (page, or dialog panel for htmx), then one service call.

    Success: the dialog closes and the customer page's assignments and timeline update
    in place (htmx), or the browser goes back to the customer page (plain POST).
    """
    customer = assignment.customer
    in_dialog = responses.wants_fragment(request)
    form = form_class(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run(audit.RequestMeta.from_request(request), form.cleaned_data)
        except services.InputInvalid as exc:
            responses.add_errors(form, exc.errors)
        else:
            if outcome.ok:
                responses.add_outcome_message(request, outcome)
                if in_dialog:
                    return _sections_updated(request, customer)
                url = reverse("customer_detail", args=[customer.customer_code])
                return redirect(f"{url}#assignment-{assignment.pk}")
    context = {
        "customer": customer,
        "assignment": assignment,
        "form": form,
        "action": action,
        "blocked": blocked,
        "outcome": outcome,
        "in_dialog": in_dialog,
        "post_url": request.path,
        **extra,
    }
    return responses.page(request, "licensing/assignment_action.html", context, fragment="panel")


def _sections_updated(request, customer):
    """An empty dialog panel, plus the customer's assignments and timeline (out of band)."""
    context = {**detail_context(request, customer), "oob": True}
    html = render_to_string("licensing/customer_detail.html#assignments", context, request=request)
    html += render_to_string("licensing/customer_detail.html#timeline", context, request=request)
    return responses.render_html(request, html)
