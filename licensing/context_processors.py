from django.conf import settings

from licensing import roles


def role_flags(request):
    """`is_sales` and `is_manager` for the navigation bar; the languages for its switch,
    each named in itself ("English", "Italiano"), as settings.LANGUAGES writes them."""
    user = getattr(request, "user", None)
    return {
        "is_sales": roles.is_sales(user),
        "is_manager": roles.is_manager(user),
        "portal_languages": settings.LANGUAGES,
    }
