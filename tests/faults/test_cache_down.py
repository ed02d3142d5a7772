"""Redis down: the cache is an aid, not a dependency. Pages keep working (straight from
the vendor, slower), the breaker stays closed, and nothing answers 500."""

import pytest

from licensing import roles
from tests.factories import customer_factory, user_factory

BROKEN = {"default": {"BACKEND": "tests.upstream.test_breaker.BrokenCache"}}
CACHE_ERRORS_ESCAPE = pytest.mark.xfail(
    strict=True,
    reason="selectors.catalogue and selectors.directory call cache.get/set unguarded: with "
    "Redis down the page answers 500. Treat a cache error as a miss (and skip the set), "
    "as licensing/breaker.py does. See the issue-5 report.",
)
PAGES = [
    "/customers/",
    "/customers/1001/",
    pytest.param("/customers/1001/catalogue/", marks=CACHE_ERRORS_ESCAPE),
    "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR",
    pytest.param("/customers/new/?mode=create", marks=CACHE_ERRORS_ESCAPE),
    "/healthz",
]


@pytest.fixture
def staff(client, db):
    client.force_login(user_factory(groups=[roles.SALES]))
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL")
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("path", PAGES)
def test_pages_work_without_the_cache(sandbox_settings, staff, settings, path):
    settings.CACHES = BROKEN

    response = staff.get(path)

    assert response.status_code == 200, response.status_code
