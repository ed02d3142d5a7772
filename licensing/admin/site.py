"""The managers' admin: customers, assignments and the (read-only) audit trail.

- Only Managers and superusers get in (`roles.is_manager`, no is_staff needed); anyone else
  signed in gets an audited 403, anyone signed out the portal's login page.
- State changes go through the services, as on the staff pages, and are audited there.
- Lists stay fast on tables of millions of rows: no exact COUNT(*) (a capped count, or
  PostgreSQL's own estimate), joins instead of per-row queries, filters backed by indexes,
  and no filter whose choices would need a DISTINCT over a big table.
"""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from licensing import audit, roles, services
from licensing.forms import AssignmentResolveForm, RenewalSuspendForm
from licensing.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
)
from licensing.views import audit as audit_views

# Not yet members of AuditAction (models.py): admin edits and deletions of customers.
CUSTOMER_UPDATE = getattr(AuditAction, "CUSTOMER_UPDATE", "customer_update")
CUSTOMER_DELETE = getattr(AuditAction, "CUSTOMER_DELETE", "customer_delete")
# Each renewal change is a vendor call made while the manager waits.
MAX_ACTION_ROWS = 50
EDITABLE_CUSTOMER_FIELDS = ("name", "email", "language", "notes")
# A search by customer name looks at the assignments of this many matching customers.
SEARCH_CUSTOMERS = 1000


class ManagersAdminSite(admin.AdminSite):
    """The default admin site, opened to Managers instead of is_staff users."""

    site_header = "FlashStart reseller portal — managers"
    site_title = "Portal admin"
    index_title = "Customers, assignments and the audit trail"
    site_url = "/customers/"

    def has_permission(self, request):
        return roles.is_manager(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise services.access_refuse(
                    meta=audit.RequestMeta.from_request(request),
                    what="use the admin (managers only)",
                )
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        # One login page for the whole portal (django-axes guards it, and it does not
        # insist on is_staff like the admin's own form).
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(next_url, settings.LOGIN_URL)


admin.site.__class__ = ManagersAdminSite


class EstimatedCountPaginator(Paginator):
    """Counts at most CAP rows; an unfiltered PostgreSQL table gets the planner's estimate.

    The admin shows "10,000+" or "about 1,234,567" (templates/admin/licensing/pagination.html)
    instead of paying for an exact COUNT(*) over millions of rows on every page.
    """

    CAP = 10_000
    count_is_estimate = False
    count_is_capped = False

    @cached_property
    def count(self):
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        if connection.vendor == "postgresql" and not rows.query.where:
            estimate = _reltuples(rows.model._meta.db_table)
            if estimate > self.CAP:
                self.count_is_estimate = True
                return estimate
        capped = rows.order_by()[: self.CAP + 1].count()
        if capped > self.CAP:
            self.count_is_capped = True
            return self.CAP
        return capped


def _reltuples(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


class ManagersOnlyAdmin(admin.ModelAdmin):
    """View for managers; adding, changing and deleting are opened per model below."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts are one COUNT(*) per filter choice over the whole table: never offered.
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_module_permission(self, request):
        return roles.is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _meta(request) -> audit.RequestMeta:
    return audit.RequestMeta.from_request(request)


def _changelist(model, **params) -> str:
    url = reverse(f"admin:licensing_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}"


def _is_number(term: str) -> bool:
    """Digits that fit a 64-bit integer column."""
    return term.isascii() and term.isdigit() and len(term) < 19


def _bounded_search(queryset, condition: Q):
    """`queryset` narrowed to rows matching `condition`, found through the indexes first.

    The matches are collected by an unordered subquery (bounded to what the list counts),
    which the planner answers with one index lookup per OR branch; asked directly with the
    list's ORDER BY ... LIMIT, SQLite prefers walking the whole table in that order and
    checking every row, which takes a second on a rare match in a million rows.
    """
    cap = EstimatedCountPaginator.CAP + 1
    matching = queryset.model._default_manager.filter(condition).order_by().values("pk")[:cap]
    return queryset.filter(pk__in=matching)


class _SelectedOnlyFilter(admin.SimpleListFilter):
    """A filter reached through links from other lists: it offers only the chosen value,
    so showing it costs no query over the big table."""

    field = ""

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, self.label_for(value))] if value else []

    def label_for(self, value) -> str:
        return str(value)

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not _is_number(value):
            return queryset.none()
        return queryset.filter(**{self.field: int(value)})


# --- customers ------------------------------------------------------------------------


@admin.register(Customer)
class CustomerAdmin(ManagersOnlyAdmin):
    list_display = ("customer_code", "name", "email", "language", "created_at", "links")
    list_display_links = ("customer_code", "name")
    list_filter = ("language", ("created_at", admin.DateFieldListFilter))
    search_fields = ("name",)  # plus the code and e-mail: see get_search_results
    search_help_text = "A number finds the customer code; text, part of the name or e-mail."
    fields = (
        "customer_code",
        "name",
        "email",
        "language",
        "notes",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("customer_code", "created_by", "created_at", "updated_at")
    raw_id_fields = ("created_by",)
    actions = None

    def has_change_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        # One at a time, and only a customer with no assignment (they are PROTECTed).
        return obj is not None and roles.is_manager(request.user) and not obj.assignments.exists()

    def add_view(self, request, form_url="", extra_context=None):
        # Registering checks the code with FlashStart: the portal's page does it.
        return HttpResponseRedirect(reverse("customer_new"))

    def has_add_permission(self, request):
        return roles.is_manager(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if _is_number(term):
            return queryset.filter(customer_code=int(term)), False
        return queryset.filter(Q(name__icontains=term) | Q(email__icontains=term)), False

    @admin.display(description="Related")
    def links(self, obj):
        return format_html(
            '<a href="{}">Assignments</a> · <a href="{}">Audit</a>',
            _changelist(LicenseAssignment, customer=obj.pk),
            _changelist(AuditEvent, customer_code=obj.customer_code),
        )

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in EDITABLE_CUSTOMER_FIELDS]
        if not change or not changed:
            return
        before = Customer.objects.filter(pk=obj.pk).values(*changed).first() or {}
        described = "; ".join(
            f"{name}: {str(before.get(name, ''))[:80]!r} → {str(getattr(obj, name))[:80]!r}"
            for name in changed
        )
        with transaction.atomic():
            obj.save(update_fields=[*changed, "updated_at"])
            audit.record(
                meta=_meta(request),
                action=CUSTOMER_UPDATE,
                outcome=AuditOutcome.SUCCESS,
                customer_code=obj.customer_code,
                message=f"Changed in the admin: {described}",
            )

    def delete_model(self, request, obj):
        code, name = obj.customer_code, obj.name
        with transaction.atomic():
            obj.delete()
            audit.record(
                meta=_meta(request),
                action=CUSTOMER_DELETE,
                outcome=AuditOutcome.SUCCESS,
                customer_code=code,
                message=f"Deleted {name} ({code}) in the admin; it had no assignments.",
            )


# --- assignments ----------------------------------------------------------------------


class AssignmentCustomerFilter(_SelectedOnlyFilter):
    title = "customer"
    parameter_name = "customer"
    field = "customer_id"

    def label_for(self, value):
        customer = Customer.objects.filter(pk=int(value)).first() if _is_number(value) else None
        return str(customer) if customer else f"customer #{value}"


@admin.register(LicenseAssignment)
class LicenseAssignmentAdmin(ManagersOnlyAdmin):
    list_display = (
        "id",
        "customer_link",
        "kind",
        "licence",
        "license_id",
        "status",
        "renewal",
        "amount_display",
        "expiry_date",
        "created_at",
        "created_by",
        "audit_link",
    )
    list_filter = (
        "status",
        "kind",
        "renewal",
        ("created_at", admin.DateFieldListFilter),
        ("expiry_date", admin.DateFieldListFilter),
        ("created_by", admin.RelatedFieldListFilter),
        AssignmentCustomerFilter,
    )
    search_fields = ("license_code",)  # plus code, name, licence id: see get_search_results
    search_help_text = (
        "Customer code or name, licence code, or FlashStart licence id (at most 10,000 "
        "matches, from 1,000 customers: add a filter to narrow a broad search)."
    )
    list_select_related = ("customer", "created_by")
    raw_id_fields = ("customer", "created_by", "resolved_by")
    actions = ("renewal_suspend_action", "renewal_resume_action", "assignment_resolve_action")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # A number is a customer code or a licence id: it never costs a scan of the names.
        number = _is_number(term)
        customers = Q(customer_code=int(term)) if number else Q(name__icontains=term)
        # Customer ids as a list, not a subquery: PostgreSQL then ORs three index scans
        # instead of checking a hashed subquery against every assignment.
        customer_ids = list(
            Customer.objects.filter(customers).values_list("pk", flat=True)[:SEARCH_CUSTOMERS]
        )
        condition = Q(license_id=term) | Q(license_code=term) | Q(customer_id__in=customer_ids)
        return _bounded_search(queryset, condition), False

    @admin.display(description="Customer", ordering="customer__name")
    def customer_link(self, obj):
        url = reverse("admin:licensing_customer_change", args=[obj.customer_id])
        return format_html('<a href="{}">{}</a>', url, obj.customer)

    @admin.display(description="Licence")
    def licence(self, obj):
        return obj.license_name or obj.license_code or "—"

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj):
        return f"{obj.amount} {obj.currency}".strip() if obj.amount is not None else "—"

    @admin.display(description="Audit")
    def audit_link(self, obj):
        return format_html('<a href="{}">Rows</a>', _changelist(AuditEvent, assignment=obj.pk))

    # Actions go through the services, exactly as the staff pages do, and are audited there.

    @admin.action(description="Suspend renewal of the selected licences…")
    def renewal_suspend_action(self, request, queryset):
        chosen = self._bounded(request, queryset)
        if chosen is None:
            return None
        form = RenewalSuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason, meta = form.cleaned_data["reason"], _meta(request)
            self._run(
                request,
                chosen,
                lambda a: services.renewal_suspend(meta=meta, assignment=a, reason=reason),
                done="Renewal suspended",
            )
            return None
        return self._form_page(request, chosen, form, "Suspend renewal", "renewal_suspend_action")

    @admin.action(description="Resume renewal of the selected licences")
    def renewal_resume_action(self, request, queryset):
        chosen = self._bounded(request, queryset)
        if chosen is not None:
            self._run(
                request,
                chosen,
                lambda a: services.renewal_resume(meta=_meta(request), assignment=a),
                done="Renewal resumed",
            )

    @admin.action(description="Resolve an unknown outcome…")
    def assignment_resolve_action(self, request, queryset):
        chosen = self._bounded(request, queryset, limit=1)
        if chosen is None:
            return None
        form = AssignmentResolveForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                outcome = services.assignment_resolve(
                    meta=_meta(request),
                    assignment=chosen[0],
                    license_id=data["license_id"],
                    failed=data["result"] == "failed",
                    note=data["note"],
                )
            except services.InputInvalid as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                self.message_user(request, f"#{chosen[0].pk}: {outcome.message}", messages.SUCCESS)
                return None
        return self._form_page(
            request, chosen, form, "Resolve an unknown outcome", "assignment_resolve_action"
        )

    def _bounded(self, request, queryset, limit=MAX_ACTION_ROWS):
        chosen = list(queryset.select_related("customer").order_by("id")[: limit + 1])
        if len(chosen) > limit:
            self.message_user(
                request,
                f"Select at most {limit} assignment{'s' if limit > 1 else ''} for this action.",
                messages.WARNING,
            )
            return None
        return chosen

    def _run(self, request, chosen, call, *, done):
        succeeded = []
        for assignment in chosen:
            try:
                outcome = call(assignment)
            except services.InputInvalid as exc:
                self.message_user(request, f"#{assignment.pk}: {exc}", messages.ERROR)
                continue
            if outcome.ok:
                succeeded.append(assignment.pk)
            else:
                self.message_user(request, f"#{assignment.pk}: {outcome.message}", messages.ERROR)
        if succeeded:
            ids = ", ".join(f"#{pk}" for pk in succeeded)
            self.message_user(request, f"{done} for {ids}.", messages.SUCCESS)

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


# --- audit trail ----------------------------------------------------------------------


class ActorFilter(admin.SimpleListFilter):
    """Staff members by username, listed from the (small) user table, not the trail."""

    title = "actor"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        names = get_user_model().objects.order_by("username").values_list("username", flat=True)
        return [(name, name) for name in names[:200]]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(actor_username=value) if value is not None else queryset


class AuditCustomerFilter(_SelectedOnlyFilter):
    title = "customer code"
    parameter_name = "customer_code"
    field = "customer_code"


class AuditAssignmentFilter(_SelectedOnlyFilter):
    title = "assignment"
    parameter_name = "assignment"
    field = "assignment_id"

    def label_for(self, value):
        return f"assignment #{value}"


@admin.register(AuditEvent)
class AuditEventAdmin(ManagersOnlyAdmin):
    """Read-only for everyone, superusers included: the trail is append-only."""

    list_display = (
        "seq",
        "created_at",
        "actor_username",
        "action",
        "outcome",
        "customer_link",
        "assignment_link",
        "endpoint",
        "http_status",
        "short_message",
    )
    list_display_links = ("seq",)
    list_filter = (
        "action",
        "outcome",
        ActorFilter,
        ("created_at", admin.DateFieldListFilter),
        AuditCustomerFilter,
        AuditAssignmentFilter,
    )
    search_fields = ("actor_username",)  # plus codes and ids: see get_search_results
    search_help_text = (
        "Customer code, row number, assignment id, or exact username "
        "(at most 10,000 matches: add a filter to narrow a broad search)."
    )
    ordering = ("-seq",)
    actions = ("export_csv_action", "export_xlsx_action")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if not _is_number(term):  # one indexed condition, in the list's order: no bound
            return queryset.filter(actor_username=term), False
        number = int(term)
        condition = Q(customer_code=number) | Q(seq=number) | Q(assignment_id=number)
        return _bounded_search(queryset, condition | Q(actor_username=term)), False

    @admin.display(description="Customer", ordering="customer_code")
    def customer_link(self, obj):
        if obj.customer_code is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            _changelist(Customer, q=obj.customer_code),
            obj.customer_code,
        )

    @admin.display(description="Assignment")
    def assignment_link(self, obj):
        if obj.assignment_id is None:
            return "—"
        url = reverse("admin:licensing_licenseassignment_change", args=[obj.assignment_id])
        return format_html('<a href="{}">#{}</a>', url, obj.assignment_id)

    @admin.display(description="Message")
    def short_message(self, obj):
        text = obj.message
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.action(description="Export the selected rows as CSV")
    def export_csv_action(self, request, queryset):
        return audit_views.csv_response(self._export(request, queryset))

    @admin.action(description="Export the selected rows as Excel (XLSX)")
    def export_xlsx_action(self, request, queryset):
        return audit_views.xlsx_response(request, self._export(request, queryset))

    def _export(self, request, queryset) -> audit.exports.Export:
        across = request.POST.get("select_across") == "1"
        shown = request.GET.urlencode() or "no filter"
        scope = "all rows of the admin list" if across else "rows ticked in the admin list"
        return audit.exports.Export(
            meta=_meta(request), events=queryset, description=f"{scope}, filter: {shown}"
        )
