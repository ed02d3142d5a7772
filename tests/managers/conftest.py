"""Users in each role and signed-in clients for the managers' tests."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from licensing import roles


def _user(username, group=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="x-unused-9", **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def manager(db):
    return _user("mia.manager", roles.MANAGERS)


@pytest.fixture
def sales(db):
    return _user("sam.sales", roles.SALES)


@pytest.fixture
def nobody(db):
    return _user("nora.nogroup")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password="x-unused-9")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def sales_client(client, sales):
    client.force_login(sales)
    return client
