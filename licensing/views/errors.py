"""The friendly 403, 404 and 500 pages (portal/urls.py points its handlers here)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from licensing import services


@requires_csrf_token
def permission_denied(request, exception=None):
    """403: say what was refused (the refusal is already in the audit trail)."""
    message = str(exception) if isinstance(exception, services.PermissionRefused) else ""
    if isinstance(exception, PermissionDenied) and not message:
        message = _("You do not have permission to do this.")
    html = loader.render_to_string("403.html", {"message": message}, request=request)
    return HttpResponseForbidden(html)


@requires_csrf_token
def page_not_found(request, exception=None):
    """404: our own messages ("No customer with code 123...") are shown; Django's are not."""
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    context = {"message": message, "request_path": request.path}
    html = loader.render_to_string("404.html", context, request=request)
    return HttpResponseNotFound(html)


@requires_csrf_token
def server_error(request):
    """500: rendered without context processors or database queries, which may be what
    failed. The request id lets staff quote the failure to whoever reads the logs."""
    template = loader.get_template("500.html")
    html = template.render({"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(html)


def csrf_failure(request, reason=""):
    """403 for a form whose security token expired (for settings.CSRF_FAILURE_VIEW)."""
    message = _(
        "This form had expired (or was opened in another session), so nothing was done. "
        "Go back, reload the page and try again."
    )
    context = {"message": message, "expired_form": True}
    html = loader.render_to_string("403.html", context, request=request)
    return HttpResponseForbidden(html)
