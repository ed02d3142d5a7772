import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from licensing import roles

pytest_plugins = ["tests.sandbox_fixtures"]

# Property tests run few examples on a developer's machine and many in CI:
# CI sets HYPOTHESIS_PROFILE=ci. A test that names its own max_examples overrides both.
hypothesis_settings.register_profile("dev", max_examples=25)
hypothesis_settings.register_profile("ci", max_examples=300, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogue():
    """The Italian catalogue compiled when the .mo is missing or older than the .po (`make
    test` compiles it with msgfmt; a bare `pytest` run must not test stale translations)."""
    from pathlib import Path

    import polib
    from django.conf import settings

    for po in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # Written aside, then moved into place: xdist workers (and the processes tests
            # start) never read a half-written catalogue.
            partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
            polib.pofile(str(po)).save_as_mofile(str(partial))
            os.replace(partial, mo)


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
