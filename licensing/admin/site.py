"""The admin site itself and what every model admin here shares.

- Only Managers and superusers get in (`roles.is_manager`, no is_staff needed); anyone else
  signed in gets an audited 403, anyone signed out the portal's login page.
- Lists stay fast on tables of millions of rows: no exact COUNT(*) (a capped count, or
  PostgreSQL's own estimate), joins instead of per-row queries, filters backed by indexes,
  and no filter whose choices would need a DISTINCT over a big table.
"""

import functools
from urllib.parse import urlencode

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy, ngettext

from licensing import audit, formatting, roles, services
from licensing.views import params


class ManagersAdminSite(admin.AdminSite):
    """The default admin site, opened to Managers instead of is_staff users."""

    site_header = gettext_lazy("FlashStart reseller portal — managers")
    site_title = gettext_lazy("Portal admin")
    index_title = gettext_lazy("Customers, assignments and the audit trail")
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
                    what=gettext_lazy("use the admin (managers only)"),
                )
            for query in ("GET", "POST"):
                to_field = getattr(request, query).get(admin.options.TO_FIELD_VAR)
                if to_field == "":
                    # Django looks up a field named "" (a 500) where none means the pk.
                    setattr(request, query, getattr(request, query).copy())
                    del getattr(request, query)[admin.options.TO_FIELD_VAR]
                elif to_field and not _concrete_field(view, to_field):
                    # A reverse relation's name ("assignments") makes Django's check fail
                    # with an AttributeError (a 500): refused as Django refuses other names.
                    raise DisallowedModelAdminToField(f"The field {to_field} cannot be referenced.")
            # The same zone as the staff pages: the one the user's browser reported. The
            # admin answers with TemplateResponses, rendered later unless rendered here.
            with timezone.override(formatting.user_zone(request)):
                response = inner(request, *args, **kwargs)
                if callable(getattr(response, "render", None)):
                    response.render()
                return response

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


def _concrete_field(view, name: str) -> bool:
    """Whether `name` is a concrete field of the model whose admin `view` belongs to (True
    for views of no model: Django's own check applies there)."""
    opts = getattr(getattr(view, "__self__", None), "opts", None)
    if opts is None:
        return True
    try:
        return bool(getattr(opts.get_field(name), "concrete", False))
    except FieldDoesNotExist:
        return True  # Django's own check refuses it (a 400)


class ManagersOnlyAdmin(admin.ModelAdmin):
    """View for managers; adding, changing and deleting are opened per model admin."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts are one COUNT(*) per filter choice over the whole table: never offered.
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def get_list_filter(self, request):
        # Every date filter clamps what is typed into its URL (see ClampedDateFieldListFilter).
        return tuple(
            (item[0], ClampedDateFieldListFilter)
            if isinstance(item, tuple) and item[1] is admin.DateFieldListFilter
            else item
            for item in super().get_list_filter(request)
        )

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


class ClampedDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date filter, with a day typed into the URL beyond what Python and the
    database can hold (`?created_at__gte=0001-01-01`) clamped instead of answering 500."""

    def queryset(self, request, queryset):
        self.used_parameters = {
            name: [params.moment_text(v) for v in value]
            if isinstance(value, list)
            else params.moment_text(value)
            for name, value in self.used_parameters.items()
        }
        return super().queryset(request, queryset)


def changelist_url(model, **params) -> str:
    """The admin list of `model`, filtered by `params` (the lists link to each other)."""
    url = reverse(f"admin:licensing_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}"


def is_number(term: str) -> bool:
    """Digits that fit a 64-bit integer column."""
    return term.isascii() and term.isdigit() and len(term) < 19


def bounded_search(queryset, condition: Q):
    """`queryset` narrowed to rows matching `condition`, found through the indexes first.

    The matches are collected by an unordered subquery (bounded to what the list counts),
    which the planner answers with one index lookup per OR branch; asked directly with the
    list's ORDER BY ... LIMIT, SQLite prefers walking the whole table in that order and
    checking every row, which takes a second on a rare match in a million rows.
    """
    cap = EstimatedCountPaginator.CAP + 1
    matching = queryset.model._default_manager.filter(condition).order_by().values("pk")[:cap]
    return queryset.filter(pk__in=matching)


class SelectedOnlyFilter(admin.SimpleListFilter):
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
        if not is_number(value):
            return queryset.none()
        return queryset.filter(**{self.field: int(value)})


@admin.register(AccessAttempt)
class LoginLockoutAdmin(ManagersOnlyAdmin):
    """Failed logins django-axes counts per username and address; those at the limit are
    locked out until the cool-off passes, or until a manager unlocks them here (audited,
    through `services.login_unlock`). Replaces axes' own admin (AXES_ENABLE_ADMIN=False)."""

    list_display = ("username", "ip_address", "failures_since_start", "locked", "attempt_time")
    fields = ("username", "ip_address", "user_agent", "path_info", "failures_since_start")
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    actions = ("unlock_action",)

    @admin.display(boolean=True, description=gettext_lazy("Locked out"))
    def locked(self, obj) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.action(description=gettext_lazy("Unlock: forget these failed logins"))
    def unlock_action(self, request, queryset):
        count = services.login_unlock(
            meta=audit.RequestMeta.from_request(request), attempts=queryset
        )
        unlocked = ngettext("Unlocked %(count)d login.", "Unlocked %(count)d logins.", count)
        self.message_user(request, unlocked % {"count": count}, messages.SUCCESS)
