"""The audit trail in the admin: read-only for everyone, superusers included (the trail is
append-only), with the selected rows (or the whole filtered list) exportable as CSV or XLSX.

The exports are built by `licensing.audit.exports`, which also audits them.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from licensing import audit, formatting
from licensing.admin import site
from licensing.audit import words
from licensing.models import AuditEvent, Customer


class ActorFilter(admin.SimpleListFilter):
    """Staff members by username, listed from the (small) user table, not the trail."""

    title = gettext_lazy("actor")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        names = get_user_model().objects.order_by("username").values_list("username", flat=True)
        return [(name, name) for name in names[:200]]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(actor_username=value) if value is not None else queryset


class AuditCustomerFilter(site.SelectedOnlyFilter):
    title = gettext_lazy("customer code")
    parameter_name = "customer_code"
    field = "customer_code"


class AuditAssignmentFilter(site.SelectedOnlyFilter):
    title = gettext_lazy("assignment")
    parameter_name = "assignment"
    field = "assignment_id"

    def label_for(self, value):
        return gettext("assignment #%(number)s") % {"number": value}


@admin.register(AuditEvent)
class AuditEventAdmin(site.ManagersOnlyAdmin):
    """Viewing and exporting only: ManagersOnlyAdmin opens no add, change or delete."""

    list_display = (
        "seq",
        "when",
        "actor_username",
        "action_words",
        "outcome_words",
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
    search_help_text = gettext_lazy(
        "Customer code, row number, assignment id, or exact username "
        "(at most 10,000 matches: add a filter to narrow a broad search)."
    )
    ordering = ("-seq",)
    # The actor as the username the row keeps: a link would lead to the user admin, which
    # managers may not open.
    exclude = ("actor",)
    actions = ("export_csv_action", "export_xlsx_action")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if not site.is_number(term):  # one indexed condition, in the list's order: no bound
            return queryset.filter(actor_username=term), False
        number = int(term)
        condition = Q(customer_code=number) | Q(seq=number) | Q(assignment_id=number)
        return site.bounded_search(queryset, condition | Q(actor_username=term)), False

    @admin.display(description=gettext_lazy("When"), ordering="seq")
    def when(self, obj):
        return formatting.moment(obj.created_at)

    @admin.display(description=gettext_lazy("Action"), ordering="action")
    def action_words(self, obj):
        return words.action_words(obj.action)

    @admin.display(description=gettext_lazy("Outcome"), ordering="outcome")
    def outcome_words(self, obj):
        return words.outcome_words(obj.action, obj.outcome)

    @admin.display(description=gettext_lazy("Customer"), ordering="customer_code")
    def customer_link(self, obj):
        if obj.customer_code is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            site.changelist_url(Customer, q=obj.customer_code),
            obj.customer_code,
        )

    @admin.display(description=gettext_lazy("Assignment"))
    def assignment_link(self, obj):
        if obj.assignment_id is None:
            return "—"
        url = reverse("admin:licensing_licenseassignment_change", args=[obj.assignment_id])
        return format_html('<a href="{}">#{}</a>', url, obj.assignment_id)

    @admin.display(description=gettext_lazy("Message"))
    def short_message(self, obj):
        text = words.readable_message(obj.message)
        return text if len(text) <= 120 else text[:119] + "…"

    # --- exports --------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Export the selected rows as CSV"))
    def export_csv_action(self, request, queryset):
        return audit.exports.csv_response(self._export(request, queryset))

    @admin.action(description=gettext_lazy("Export the selected rows as Excel (XLSX)"))
    def export_xlsx_action(self, request, queryset):
        try:
            return audit.exports.xlsx_response(self._export(request, queryset))
        except audit.exports.ExportTooLarge as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None

    def _export(self, request, queryset) -> audit.exports.Export:
        across = request.POST.get("select_across") == "1"
        shown = request.GET.urlencode() or "no filter"
        scope = "all rows of the admin list" if across else "rows ticked in the admin list"
        return audit.exports.Export(
            meta=audit.RequestMeta.from_request(request),
            events=queryset,
            description=f"{scope}, filter: {shown}",
        )
