"""The signed-in person's own profile (reminder e-mails, language) and the language switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from licensing import audit, language, roles, services
from licensing.views import responses
from licensing.views.decorators import sales_required


@require_http_methods(["GET", "POST"])
@sales_required
def profile(request):
    if request.method == "POST":
        meta = audit.RequestMeta.from_request(request)
        # A checkbox: sent ("on") when ticked, absent when not; anything else is "on" too.
        opt_out = "reminders_opt_out" in request.POST
        services.profile_update(meta=meta, reminders_opt_out=opt_out)
        response = redirect("profile")
        if "language" in request.POST:
            code = language.supported(request.POST["language"])
            services.profile_language_set(meta=meta, code=code)
            _switch(request, response, code)
        if opt_out:
            messages.success(request, _("Saved: reminder e-mails are off."))
        else:
            messages.success(request, _("Saved: you will get reminder e-mails."))
        return response
    context = {
        "profile": services.profile_get(user=request.user),
        "languages": settings.LANGUAGES,
    }
    return responses.page(request, "licensing/profile.html", context)


@login_not_required
@require_POST
def switch_language(request):
    """The header's language buttons (also on the sign-in page): one click, no script.

    Signed-in staff keep the choice on their profile (every device); anyone also gets the
    language cookie, so the sign-in page speaks it after signing out.
    """
    code = language.supported(request.POST.get("language", ""))
    target = request.POST.get("next", "")
    # A path on this site only ("x" or "0" would be taken for a URL name by redirect()).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if not code:
        return response
    if request.user.is_authenticated and roles.is_sales(request.user):
        services.profile_language_set(meta=audit.RequestMeta.from_request(request), code=code)
    _switch(request, response, code)
    return response


def _switch(request, response, code: str) -> None:
    """Use `code` from the next page on: session (signed in), cookie (this browser)."""
    if request.user.is_authenticated:
        language.remember(request, code)
    translation.activate(code or settings.LANGUAGE_CODE)
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
