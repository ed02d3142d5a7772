import pytest

from licensing import roles
from tests.factories import customer_factory, user_factory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sales_user(db):
    return user_factory(groups=[roles.SALES], username="sally")


@pytest.fixture
def manager_user(db):
    return user_factory(groups=[roles.MANAGERS], username="margo")


@pytest.fixture
def sales_client(client, sales_user):
    client.force_login(sales_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def customer(db):
    """Registered here and known to the sandbox (one of its seed customers)."""
    return customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")


@pytest.fixture
def vendor_down(settings):
    """FlashStart unreachable: nothing listens on port 9."""
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"
    settings.FLASHSTART_TIMEOUT = 0.5
