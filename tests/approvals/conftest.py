"""Spending limits and approvals: a Sales user with a €100 limit, two managers, a customer
the sandbox knows."""

import pytest
from django.test import Client

from licensing import roles
from tests.factories import customer_factory, user_factory
from tests.http.conftest import portal_url  # noqa: F401 - the real-HTTP portal, reused

OVER = "CL-Q-A050-M12"  # €429.00 in the sandbox: above the €100 limit
UNDER = "CL-Q-A005-M12"  # €50.00
AT_LIMIT = "CL-Q-A010-M12"  # €100.00 (USD 108.50)


@pytest.fixture
def limits(settings):
    settings.PORTAL_APPROVAL_ABOVE_EUR = "100"
    settings.PORTAL_DAILY_LIMIT_EUR = None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def seller(db):
    return user_factory(groups=[roles.SALES], username="sally", email="sally@example.com")


@pytest.fixture
def boss(db):
    return user_factory(groups=[roles.MANAGERS], username="margo", email="margo@example.com")


@pytest.fixture
def other_boss(db):
    return user_factory(groups=[roles.MANAGERS], username="otto", email="otto@example.com")


@pytest.fixture
def seller_client(seller):
    client = Client()
    client.force_login(seller)
    return client


@pytest.fixture
def boss_client(boss):
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def other_boss_client(other_boss):
    client = Client()
    client.force_login(other_boss)
    return client


@pytest.fixture
def customer(db):
    return customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")


@pytest.fixture
def vendor_down(settings):
    """FlashStart unreachable: nothing listens on port 9."""
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"
