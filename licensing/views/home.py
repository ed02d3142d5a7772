"""The home page (`/`): each person's work ahead; a manager's shows the team's."""

from django.views.decorators.http import require_GET

from licensing import roles, selectors
from licensing.views import responses
from licensing.views.decorators import sales_required


@require_GET
@sales_required
def home(request):
    """Managers see everyone's work, or their own with `?scope=mine`."""
    manager = roles.is_manager(request.user)
    team = manager and request.GET.get("scope") != "mine"
    context = {
        "home": selectors.home.home(user=request.user, team=team),
        "manager": manager,
        "expiry_days": selectors.home.EXPIRY_DAYS,
        "demo_days_ahead": selectors.home.DEMO_DAYS_AHEAD,
        "demo_days_after": selectors.home.DEMO_DAYS_AFTER,
    }
    return responses.page(request, "licensing/home.html", context)
