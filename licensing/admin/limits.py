"""Spending limits in the admin: per group or per person, in EUR (empty: no limit).

Saved and removed through the services (`spending_limit_save`, `spending_limit_delete`),
which check that a manager does it and audit it. A refusal is shown as an error message.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy

from licensing import audit, roles, services
from licensing.admin import site
from licensing.models import SpendingLimit

REFUSALS = (services.InputInvalid, services.PermissionRefused)


@admin.register(SpendingLimit)
class SpendingLimitAdmin(site.ManagersOnlyAdmin):
    list_display = ("whose", "per_purchase_eur", "per_day_eur", "updated_at")
    fields = ("group", "user", "per_purchase_eur", "per_day_eur")
    autocomplete_fields = ()
    actions = None

    @admin.display(description=gettext_lazy("Group or person"))
    def whose(self, obj: SpendingLimit) -> str:
        if obj.user_id:
            return gettext("Person: %(name)s") % {"name": obj.user.get_username()}
        if obj.group_id:
            return gettext("Group: %(name)s") % {"name": roles.group_name(obj.group.name)}
        return "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "group" and field is not None:
            field.label_from_instance = lambda group: roles.group_name(group.name)
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "group")

    def has_add_permission(self, request):
        return roles.is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def save_model(self, request, obj, form, change):
        try:
            services.limits.spending_limit_save(
                meta=audit.RequestMeta.from_request(request), limit=obj
            )
        except REFUSALS as exc:
            messages.error(request, gettext("Not saved: %(reason)s") % {"reason": exc})

    def delete_model(self, request, obj):
        try:
            services.limits.spending_limit_delete(
                meta=audit.RequestMeta.from_request(request), limit=obj
            )
        except REFUSALS as exc:
            messages.error(request, gettext("Not removed: %(reason)s") % {"reason": exc})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
