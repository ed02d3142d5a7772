"""Licence assignments in the admin: found by customer, licence code or licence id, and
changed only by actions that call the services, exactly as the staff pages do (and with
the staff pages' forms): suspend or resume renewal, resolve an unknown outcome.

Each attempt is checked, sent to FlashStart where needed and audited by the service.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy, ngettext

from licensing import audit, formatting, forms, services
from licensing.admin import site
from licensing.models import AuditEvent, Customer, LicenseAssignment

# Each renewal change is a vendor call made while the manager waits.
MAX_ACTION_ROWS = 50
# A search by customer name looks at the assignments of this many matching customers.
SEARCH_CUSTOMERS = 1000


class AssignmentCustomerFilter(site.SelectedOnlyFilter):
    title = gettext_lazy("customer")
    parameter_name = "customer"
    field = "customer_id"

    def label_for(self, value):
        customer = Customer.objects.filter(pk=int(value)).first() if site.is_number(value) else None
        return str(customer) if customer else gettext("customer #%(number)s") % {"number": value}


@admin.register(LicenseAssignment)
class LicenseAssignmentAdmin(site.ManagersOnlyAdmin):
    list_display = (
        "id",
        "customer_link",
        "kind",
        "licence",
        "license_id",
        "status",
        "renewal",
        "amount_display",
        "expires",
        "requested",
        "created_by",
        "audit_link",
    )
    list_filter = (
        "status",
        "needs_review",  # a sale FlashStart confirmed oddly, or at another amount than shown
        "kind",
        "renewal",
        ("created_at", admin.DateFieldListFilter),
        ("expiry_date", admin.DateFieldListFilter),
        ("created_by", admin.RelatedFieldListFilter),
        AssignmentCustomerFilter,
    )
    search_fields = ("license_code",)  # plus code, name, licence id: see get_search_results
    search_help_text = gettext_lazy(
        "Customer code or name, licence code, or FlashStart licence id (at most 10,000 "
        "matches, from 1,000 customers: add a filter to narrow a broad search)."
    )
    list_select_related = ("customer", "created_by")
    raw_id_fields = ("customer",)
    # Users as names: a link would lead to the user admin, which managers may not open.
    exclude = ("created_by", "resolved_by")
    readonly_fields = ("requested_by", "resolved_by_name")
    actions = (
        "renewal_suspend_action",
        "renewal_resume_action",
        "renewal_record_action",
        "assignment_resolve_action",
    )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # A number is a customer code or a licence id: it never costs a scan of the names.
        number = site.is_number(term)
        customers = Q(customer_code=int(term)) if number else Q(name__icontains=term)
        # Customer ids as a list, not a subquery: PostgreSQL then ORs three index scans
        # instead of checking a hashed subquery against every assignment.
        customer_ids = list(
            Customer.objects.filter(customers).values_list("pk", flat=True)[:SEARCH_CUSTOMERS]
        )
        condition = Q(license_id=term) | Q(license_code=term) | Q(customer_id__in=customer_ids)
        return site.bounded_search(queryset, condition), False

    @admin.display(description=gettext_lazy("Requested by"))
    def requested_by(self, obj):
        return obj.created_by.get_username() if obj.created_by else "—"

    @admin.display(description=gettext_lazy("Resolved by"))
    def resolved_by_name(self, obj):
        return obj.resolved_by.get_username() if obj.resolved_by else "—"

    @admin.display(description=gettext_lazy("Customer"), ordering="customer__name")
    def customer_link(self, obj):
        url = reverse("admin:licensing_customer_change", args=[obj.customer_id])
        return format_html('<a href="{}">{}</a>', url, obj.customer)

    @admin.display(description=gettext_lazy("Licence"))
    def licence(self, obj):
        return obj.license_name or obj.license_code or "—"

    @admin.display(description=gettext_lazy("Amount"), ordering="amount")
    def amount_display(self, obj):
        return formatting.money(obj.amount, obj.currency)

    @admin.display(description=gettext_lazy("Expires"), ordering="expiry_date")
    def expires(self, obj):
        return formatting.day(obj.expiry_date)

    @admin.display(description=gettext_lazy("Requested"), ordering="created_at")
    def requested(self, obj):
        return formatting.moment(obj.created_at)

    @admin.display(description=gettext_lazy("Audit"))
    def audit_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            site.changelist_url(AuditEvent, assignment=obj.pk),
            gettext("Rows"),
        )

    # --- actions: through the services, and audited there --------------------------------

    @admin.action(description=gettext_lazy("Suspend renewal of the selected licences…"))
    def renewal_suspend_action(self, request, queryset):
        chosen = self._bounded(request, queryset)
        if chosen is None:
            return None
        form = forms.SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            meta = audit.RequestMeta.from_request(request)
            finished = self._run(
                request,
                chosen,
                lambda a: services.renewal_suspend(meta=meta, assignment=a, reason=reason),
                done=gettext_lazy("Renewal suspended for %(ids)s."),
                form=form,
            )
            if finished:
                return None
        return self._form_page(
            request, chosen, form, gettext("Suspend renewal"), "renewal_suspend_action"
        )

    @admin.action(description=gettext_lazy("Resume renewal of the selected licences"))
    def renewal_resume_action(self, request, queryset):
        chosen = self._bounded(request, queryset)
        if chosen is not None:
            meta = audit.RequestMeta.from_request(request)
            self._run(
                request,
                chosen,
                lambda a: services.renewal_resume(meta=meta, assignment=a),
                done=gettext_lazy("Renewal resumed for %(ids)s."),
            )

    @admin.action(description=gettext_lazy("Record renewal as FlashStart shows it…"))
    def renewal_record_action(self, request, queryset):
        chosen = self._bounded(request, queryset)
        if chosen is None:
            return None
        form = forms.RenewalRecordForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            meta = audit.RequestMeta.from_request(request)
            finished = self._run(
                request,
                chosen,
                lambda a: services.renewal_record(
                    meta=meta, assignment=a, target=data["renewal"], note=data["note"]
                ),
                done=gettext_lazy("Renewal recorded as FlashStart shows it for %(ids)s."),
                form=form,
            )
            if finished:
                return None
        return self._form_page(
            request,
            chosen,
            form,
            gettext("Record renewal as FlashStart shows it"),
            "renewal_record_action",
        )

    @admin.action(description=gettext_lazy("Resolve an unknown outcome…"))
    def assignment_resolve_action(self, request, queryset):
        chosen = self._bounded(request, queryset, limit=1)
        if chosen is None:
            return None
        # Filled in from FlashStart's answer when one was kept (a settle that failed).
        form = forms.ResolveForm.prefilled(
            chosen[0], request.POST if "apply" in request.POST else None
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                outcome = services.assignment_resolve(
                    meta=audit.RequestMeta.from_request(request),
                    assignment=chosen[0],
                    license_id=data["license_id"],
                    failed=data["outcome"] == forms.ResolveForm.FAILED,
                    note=data["note"],
                    expiry_date=data["expiry_date"],
                    start_date=data["start_date"],
                    amount=data["amount"],
                    currency=data["currency"],
                )
            except services.InputInvalid as exc:
                _add_errors(form, exc.errors)
            else:
                self.message_user(request, f"#{chosen[0].pk}: {outcome.message}", messages.SUCCESS)
                return None
        return self._form_page(
            request,
            chosen,
            form,
            gettext("Resolve an unknown outcome"),
            "assignment_resolve_action",
        )

    def _bounded(self, request, queryset, limit=MAX_ACTION_ROWS):
        chosen = list(queryset.select_related("customer").order_by("id")[: limit + 1])
        if len(chosen) > limit:
            text = ngettext(
                "Select at most %(limit)d assignment for this action.",
                "Select at most %(limit)d assignments for this action.",
                limit,
            )
            self.message_user(request, text % {"limit": limit}, messages.WARNING)
            return None
        return chosen

    def _run(self, request, chosen, call, *, done, form=None) -> bool:
        """Call the service for each assignment, reporting each refusal and the successes.

        Returns False, with the errors on `form` and the remaining assignments not tried,
        when the service refused what was typed there (the same for every assignment).
        """
        succeeded = []
        finished = True
        for assignment in chosen:
            try:
                outcome = call(assignment)
            except services.InputInvalid as exc:
                if form is not None and any(name in form.fields for name in exc.errors):
                    _add_errors(form, exc.errors, prefix=f"#{assignment.pk}: ")
                    finished = False
                    break
                self.message_user(request, f"#{assignment.pk}: {exc}", messages.ERROR)
                continue
            if outcome.ok:
                succeeded.append(assignment.pk)
            else:
                self.message_user(request, f"#{assignment.pk}: {outcome.message}", messages.ERROR)
        if succeeded:
            ids = ", ".join(f"#{pk}" for pk in succeeded)
            self.message_user(request, str(done) % {"ids": ids}, messages.SUCCESS)
        return finished

    def _form_page(self, request, chosen, form, title, action):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "assignments": chosen,
            "form": form,
            "action": action,
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/licensing/action_form.html", context)


def _add_errors(form, errors: dict[str, list[str]], *, prefix: str = "") -> None:
    """A service's errors next to the fields they concern, the rest (after `prefix`) above
    the form."""
    for name, texts in errors.items():
        for text in texts:
            if name in form.fields:
                form.add_error(name, text)
            else:
                form.add_error(None, prefix + text)
