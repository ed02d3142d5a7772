"""Customers in the admin: found by code, name or e-mail; changed and deleted through the
services (`customer_update`, `customer_delete`), which check and audit every attempt.

A refusal by a service is shown as an error message and the page comes back, never a 500.
Registering a customer checks its code with FlashStart, so "Add" leads to the portal's page.
"""

import copy

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

from licensing import audit, formatting, roles, services
from licensing.admin import site
from licensing.models import AuditEvent, Customer, LicenseAssignment

# Refusals are caught, not re-raised: the admin wraps a save or deletion in a transaction,
# and an exception leaving it would roll back the audit row the service wrote for them.
REFUSALS = (services.InputInvalid, services.PermissionRefused)
# Marks a request whose save or deletion a service refused: the admin then neither logs
# it nor says it succeeded.
_REFUSED = "_licensing_customer_refused"


@admin.register(Customer)
class CustomerAdmin(site.ManagersOnlyAdmin):
    list_display = ("customer_code", "name", "owner", "email", "language", "registered", "links")
    list_display_links = ("customer_code", "name")
    list_select_related = ("owner",)  # one query for the page, not one per owner
    list_filter = ("owner", "language", ("created_at", admin.DateFieldListFilter))
    search_fields = ("name",)  # plus the code and e-mail: see get_search_results
    search_help_text = gettext_lazy(
        "A number finds the customer code; text, part of the name or e-mail."
    )
    fields = (
        "customer_code",
        "name",
        "email",
        "language",
        "notes",
        "owner",
        "registered_by",
        "created_at",
        "updated_at",
    )
    # The user as a name: a link would lead to the user admin, which managers may not open.
    readonly_fields = ("customer_code", "registered_by", "created_at", "updated_at")
    actions = None

    def has_add_permission(self, request):
        return roles.is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        # One at a time, and only a customer with no assignment (they are PROTECTed).
        return obj is not None and roles.is_manager(request.user) and not obj.assignments.exists()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Adding (also as "save as new") is registering: the portal's page checks the code.
        if object_id is None or "_saveasnew" in request.POST:
            return HttpResponseRedirect(reverse("customer_new"))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if site.is_number(term):
            return queryset.filter(customer_code=int(term)), False
        return queryset.filter(Q(name__icontains=term) | Q(email__icontains=term)), False

    def get_ordering(self, request):
        # A text search of three characters or more (what the trigram indexes serve) on
        # PostgreSQL sorts its matches by the name as an expression (the same order), like
        # the portal's search: selectors.customer_search says why.
        term = request.GET.get(SEARCH_VAR, "").strip()
        if len(term) >= 3 and not site.is_number(term) and connection.vendor == "postgresql":
            return (Concat("name", Value("")), "customer_code")
        return super().get_ordering(request)

    @admin.display(description=gettext_lazy("Registered by"))
    def registered_by(self, obj):
        return obj.created_by.get_username() if obj.created_by else "—"

    @admin.display(description=gettext_lazy("Registered"), ordering="created_at")
    def registered(self, obj):
        return formatting.moment(obj.created_at)

    @admin.display(description=gettext_lazy("Related"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            site.changelist_url(LicenseAssignment, customer=obj.pk),
            gettext("Assignments"),
            site.changelist_url(AuditEvent, customer_code=obj.customer_code),
            gettext("Audit"),
        )

    # --- writes, through the services ---------------------------------------------------

    def save_model(self, request, obj, form, change):
        try:
            services.customer_update(
                meta=audit.RequestMeta.from_request(request),
                customer=obj,
                changed=form.changed_data,
            )
        except REFUSALS as exc:
            self._refused(request, exc)

    def log_change(self, request, obj, message):
        if not _was_refused(request):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if _was_refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def log_deletions(self, request, queryset):
        """Nothing yet: delete_model logs the deletion once the service has made it."""

    def delete_model(self, request, obj):
        logged = copy.copy(obj)  # deleting clears obj's pk, which the log entry names
        try:
            services.customer_delete(meta=audit.RequestMeta.from_request(request), customer=obj)
        except REFUSALS as exc:
            self._refused(request, exc)
        else:
            super().log_deletions(request, [logged])

    def response_delete(self, request, obj_display, obj_id):
        if _was_refused(request):
            return HttpResponseRedirect(reverse("admin:licensing_customer_change", args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    def _refused(self, request, exc: Exception) -> None:
        setattr(request, _REFUSED, True)
        for text in refusal_messages(exc):
            self.message_user(request, text, messages.ERROR)


def refusal_messages(exc: Exception) -> list[str]:
    """What a service's refusal says, one message per line, each naming its field."""
    if not isinstance(exc, services.InputInvalid):
        return [str(exc)]
    return [
        text if name == "__all__" else f"{_label(name)}: {text}"
        for name, texts in exc.errors.items()
        for text in texts
    ]


def _label(name: str) -> str:
    try:
        return capfirst(Customer._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " "))


def _was_refused(request) -> bool:
    return getattr(request, _REFUSED, False)
