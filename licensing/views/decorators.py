"""Who may see a page, and in which time zone it is shown."""

import functools

from django.utils import timezone
from django.utils.translation import gettext_lazy

from licensing import audit, formatting, roles, services, texts
from licensing.models import AuditAction

MANAGERS_ONLY = gettext_lazy("%(what)s (managers only)")


def sales_required(view):
    """Only Sales and Managers: anyone else gets the (audited) "no access" page.

    Anonymous users never get here: LoginRequiredMiddleware sends them to the login page.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles.is_sales(request.user):
            raise services.access_refuse(
                meta=audit.RequestMeta.from_request(request),
                what=gettext_lazy("use the reseller portal"),
                customer_code=kwargs.get("customer_code"),
            )
        with _user_timezone(request):
            return view(request, *args, **kwargs)

    return wrapper


def manager_required(what: texts.StrOrPromise, *, action: str = AuditAction.ACCESS_DENIED):
    """Only Managers (and superusers): anyone else gets the (audited) "no access" page
    saying that they may not `what` (`gettext_lazy("view the audit trail")`), managers only:
    in the reader's language on the page, in English in the audit trail.

    `action` is what the refusal is audited as (an export refused is an export attempt).
    """
    if callable(what):
        raise TypeError('Say what is refused: @manager_required("view the audit trail").')

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not roles.is_manager(request.user):
                raise services.access_refuse(
                    meta=audit.RequestMeta.from_request(request),
                    what=texts.message(MANAGERS_ONLY, what=what),
                    action=action,
                    customer_code=kwargs.get("customer_code"),
                )
            return view(request, *args, **kwargs)

        # Managers are also Sales: sales_required shows the page in the user's time zone.
        return sales_required(wrapper)

    return decorate


def _user_timezone(request):
    """Show times in the zone the browser reported, else the portal's (one rule with the admin)."""
    return timezone.override(formatting.user_zone(request))
