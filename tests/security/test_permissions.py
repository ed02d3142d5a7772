"""The permission matrix: every URL pattern × anonymous, no group, Sales, Managers and
superuser, each with the outcome it must get (see expectations.py)."""

import pytest

from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.security import expectations
from tests.security.expectations import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_every_url_gives_each_role_what_it_may_have(url, role, client_for):
    client = client_for(role, raise_request_exception=False)

    response = client.get(url.path)

    outcome = expectations.expected(url, role)
    location = response.get("Location", "")
    assert expectations.matches(response, outcome), (
        f"{role} GET {url.path}: {response.status_code} {location} (expected {outcome})"
    )


def test_refusals_are_audited(world, client_for):
    client = client_for("nogroup")

    response = client.get("/customers/1001/")

    assert response.status_code == 403
    event = AuditEvent.objects.filter(actor_username="walker-nogroup").latest("seq")
    assert (event.action, event.outcome) == (AuditAction.ACCESS_DENIED, AuditOutcome.DENIED)


def test_a_deactivated_user_loses_access_at_once(world, client_for):
    client = client_for("sales")
    assert client.get("/customers/").status_code == 200
    user = world["users"]["sales"]
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get("/customers/")

    assert expectations.is_login_redirect(response)
