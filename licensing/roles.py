"""The two staff roles, as Django groups created by a migration."""

from django.utils.translation import pgettext_lazy

SALES = "Sales"
MANAGERS = "Managers"
# The groups' names as people read them (the groups themselves keep the names above).
NAMES = {
    SALES: pgettext_lazy("role", "Sales"),
    MANAGERS: pgettext_lazy("role", "Managers"),
}


def group_name(name: str) -> str:
    """A group's name as people read it, in the active language (another group's as it is)."""
    return str(NAMES.get(name, name))


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_portal_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_group_names = cached
    return cached


def is_manager(user) -> bool:
    """Managers and superusers: everything, plus admin, resolutions and exports."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or MANAGERS in _group_names(user)


def is_sales(user) -> bool:
    """Anyone allowed to browse, register customers, assign and change renewals."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_manager(user) or SALES in _group_names(user)
