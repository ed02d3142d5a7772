import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from licensing import audit, roles
from licensing.models import Customer
from tests.services import dbfaults


def make_user(username: str, *groups: str):
    user = get_user_model().objects.create_user(username=username, password="x-unused-1234")
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def sales_meta(db):
    return audit.RequestMeta(
        user=make_user("sally", roles.SALES),
        ip="127.0.0.1",
        user_agent="pytest",
        request_id="req-sales-0001",
    )


@pytest.fixture
def manager_meta(db):
    return audit.RequestMeta(
        user=make_user("margo", roles.MANAGERS),
        ip="127.0.0.1",
        user_agent="pytest",
        request_id="req-manager-01",
    )


@pytest.fixture
def nobody_meta(db):
    return audit.RequestMeta(user=make_user("otto"), ip="127.0.0.1", user_agent="pytest")


@pytest.fixture
def customer(db):
    """Known to the sandbox (one of its seed customers)."""
    return Customer.objects.create(customer_code=1001, name="Rossi Ufficio SRL", language="it")


@pytest.fixture
def token():
    return uuid.uuid4()


@pytest.fixture
def settle_refused(db):
    """The database refuses to make an assignment ACTIVE (see tests.services.dbfaults)."""
    dbfaults.refuse_active()
