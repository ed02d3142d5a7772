"""The username django-axes counts login failures for.

Django's login form does not enforce the username's length before authenticating, and
axes stores what it is given in a 255-character column: a long made-up username would
make PostgreSQL refuse the row and the login page answer 500. No account has a longer
username than the model allows, so cutting it there changes no one's lock-out.
"""

from django.contrib.auth import get_user_model


def login_username(request, credentials: dict | None = None) -> str | None:
    """Return the attempted username, at most as long as a real one, without NULs."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "data", request.POST).get("username")
    if value is None:
        return None
    limit = get_user_model()._meta.get_field("username").max_length or 150
    return str(value).replace("\x00", "")[:limit]
