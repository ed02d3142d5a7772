"""The signed-in person's own profile: whether reminders are e-mailed to them."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from licensing import audit, services
from licensing.views import responses
from licensing.views.decorators import sales_required


@require_http_methods(["GET", "POST"])
@sales_required
def profile(request):
    if request.method == "POST":
        # A checkbox: sent ("on") when ticked, absent when not; anything else is "on" too.
        opt_out = "reminders_opt_out" in request.POST
        services.profile_update(
            meta=audit.RequestMeta.from_request(request), reminders_opt_out=opt_out
        )
        if opt_out:
            messages.success(request, "Saved: reminder e-mails are off.")
        else:
            messages.success(request, "Saved: you will get reminder e-mails.")
        return redirect("profile")
    context = {"profile": services.profile_get(user=request.user)}
    return responses.page(request, "licensing/profile.html", context)
