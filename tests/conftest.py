import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from licensing import roles

pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (catalogue answers, breaker state, throttles)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- users in each role, and signed-in clients (suites may override with their own) ----


def _user(username, group=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="x-unused-9", **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def manager_user(db):
    return _user("mia.manager", roles.MANAGERS)


@pytest.fixture
def sales_user(db):
    return _user("sam.sales", roles.SALES)


@pytest.fixture
def nobody_user(db):
    return _user("nora.nogroup")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password="x-unused-9")


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def sales_client(client, sales_user):
    client.force_login(sales_user)
    return client
