"""A small world for the security walkers: one user per role, a customer the sandbox
knows, an active licence, and a client per role.

Tests that take a `route` parameter run once per URL pattern found by `get_resolver()`.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from licensing import roles
from licensing.models import ApprovalRequest
from licensing.upstream.sandbox.catalogue import ITEMS
from tests.factories import assignment_factory, customer_factory, user_factory
from tests.security import urlwalk
from tests.security.expectations import ROLES  # noqa: F401 - re-exported for the tests

PASSWORD = "Walker-Pw-4d1e9c7b"


def pytest_generate_tests(metafunc):
    if "route" in metafunc.fixturenames:
        found = urlwalk.patterns()
        metafunc.parametrize("route", [route for route, _, _ in found], ids=_ids(found))


def _ids(found) -> list[str]:
    return [name or route for route, name, _ in found]


@pytest.fixture
def world(sandbox_settings, db):
    """Objects every URL parameter can point at."""
    customer = customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")
    licence = sandbox_settings.state.assign(
        customer_code=1001,
        item=ITEMS["CL-Q-A005-M12"],
        license_info="Headquarter",
        currency_code="EUR",
    )
    assignment = assignment_factory(customer=customer, license_id=licence.license_id)
    users = {
        "nogroup": user_factory(groups=[], username="walker-nogroup", password=PASSWORD),
        "sales": user_factory(groups=[roles.SALES], username="walker-sales", password=PASSWORD),
        "managers": user_factory(
            groups=[roles.MANAGERS], username="walker-manager", password=PASSWORD
        ),
        "superuser": user_factory(
            groups=[], username="walker-root", password=PASSWORD, is_superuser=True, is_staff=True
        ),
    }
    approval = ApprovalRequest.objects.create(
        customer=customer,
        license_code="CL-Q-A050-M12",
        license_info="Branch office",
        amount=Decimal("429.00"),
        currency="EUR",
        requested_by=users["sales"],
        expires_at=timezone.now() + timedelta(days=7),
    )
    samples = urlwalk.Samples(
        customer_code=customer.customer_code,
        assignment_pk=assignment.pk,
        user_pk=users["sales"].pk,
        approval_pk=approval.pk,
    )
    return {
        "customer": customer,
        "assignment": assignment,
        "users": users,
        "samples": samples,
        "sandbox": sandbox_settings,
    }


@pytest.fixture
def client_for(world):
    """A test client logged in as `role` (a fresh one each call)."""

    def make(role: str, **options) -> Client:
        made = Client(**options)
        if role != "anonymous":
            made.force_login(world["users"][role])
        return made

    return make


@pytest.fixture
def url(world, route) -> urlwalk.Url:
    for candidate in urlwalk.urls(world["samples"]):
        if candidate.route == route:
            return candidate
    raise LookupError(route)
