"""Screenshots of the main pages at desktop and phone width, into docs/screenshots/.

Run:  .venv/bin/pytest tests/e2e/screenshots.py -q
(Not collected by a plain `pytest` run: the file name does not start with test_.)
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.conftest import log_in, new_page

pytestmark = pytest.mark.e2e

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}


def _data():
    """The sandbox's seed customers, and a customer page with every state on it."""
    from licensing.models import Customer
    from licensing.upstream.sandbox import catalogue
    from tests.factories import assignment_factory, customer_factory

    for seed in catalogue.SEED_CUSTOMERS[1:]:
        customer_factory(
            customer_code=seed["customer_code"],
            name=seed["name"],
            email=seed["email"],
            language=seed["lang"],
        )
    rossi = Customer.objects.get(customer_code=1001)
    today = timezone.localdate()
    assignment_factory(
        customer=rossi,
        license_code="CL-Q-S100-M12",
        license_name="School Filter License",
        license_info="Lab building",
        renewal="suspended",
        amount=Decimal("187.50"),
        start_date=today - timedelta(days=340),
        expiry_date=today + timedelta(days=25),
    )
    assignment_factory(
        customer=rossi,
        kind="demo",
        license_code="CL-DEMO",
        license_name="Internet Protection Trial DEMO",
        license_info="",
        amount=None,
        quoted_amount=None,
        currency="",
        expiry_date=today + timedelta(days=9),
    )
    assignment_factory(
        customer=rossi,
        status="unknown",
        license_code="CL-Q-A010-M1",
        license_name="Business Filter License",
        license_info="Warehouse",
        quoted_amount=Decimal("10.00"),
        amount=None,
        start_date=None,
        expiry_date=None,
    )


def test_take_screenshots(browser, portal):
    OUT.mkdir(parents=True, exist_ok=True)
    _data()
    base = portal["url"]
    for device, width in WIDTHS.items():
        page = new_page(browser, width=width, height=860)

        page.goto(base + "/accounts/login/")
        page.screenshot(path=OUT / f"login-{device}.png", full_page=True)

        log_in(page, portal)
        page.screenshot(path=OUT / f"customers-{device}.png", full_page=True)

        page.goto(base + "/customers/new/?mode=create")
        page.screenshot(path=OUT / f"customer-new-{device}.png", full_page=True)

        page.goto(base + "/customers/1001/catalogue/?license_duration=12")
        page.screenshot(path=OUT / f"catalogue-{device}.png", full_page=True)

        page.goto(base + "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR")
        page.get_by_label("Label for this licence").fill("Headquarter")
        page.screenshot(path=OUT / f"assign-{device}.png", full_page=True)
        page.get_by_role("button", name="Assign for €50.00").click()
        page.wait_for_url(re.compile(r"/customers/1001/(#.*)?$"))
        page.locator(".message-success").wait_for()
        page.screenshot(path=OUT / f"customer-{device}.png", full_page=True)

        page.locator("#assignments").get_by_role("link", name="Suspend renewal").first.click()
        page.locator("#action-dialog").wait_for(state="visible")
        page.screenshot(path=OUT / f"suspend-dialog-{device}.png")
        assert page.problems == []
        page.context.close()
