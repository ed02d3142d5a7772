"""Redis down: the cache is an aid, not a dependency. Pages keep working (straight from
the vendor, slower), the breaker stays closed, and nothing answers 500."""

import pytest

from licensing import roles
from tests.factories import customer_factory, user_factory

BROKEN = {"default": {"BACKEND": "tests.upstream.test_breaker.BrokenCache"}}
PAGES = [
    "/customers/",
    "/customers/1001/",
    "/customers/1001/catalogue/",
    "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR",
    "/customers/new/?mode=create",
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


def test_a_catalogue_read_with_the_cache_down_asks_the_vendor_each_time(
    sandbox_settings, staff, settings
):
    settings.CACHES = BROKEN
    before = sandbox_settings.state.requests["available"]

    first = staff.get("/customers/1001/catalogue/")
    second = staff.get("/customers/1001/catalogue/")

    assert first.status_code == second.status_code == 200
    assert "CL-Q-A005-M12" in second.content.decode()
    # Nothing was cached (and nothing failed trying): each page asked the vendor.
    assert sandbox_settings.state.requests["available"] == before + 2
