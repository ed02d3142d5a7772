from licensing import roles


def role_flags(request):
    """`is_sales` and `is_manager` for the navigation bar."""
    user = getattr(request, "user", None)
    return {"is_sales": roles.is_sales(user), "is_manager": roles.is_manager(user)}
