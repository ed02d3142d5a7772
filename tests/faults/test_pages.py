"""A few faults through the real pages: never a 500, always a clear message, within the
deadline, and the same records as through the services."""

import re

import pytest

from licensing import roles
from licensing.models import AssignmentStatus, AuditAction, AuditEvent, LicenseAssignment
from tests.factories import customer_factory, user_factory
from tests.faults.conftest import FAULTS, Timer, assert_books_balance, within_deadline

CODE = "CL-Q-A005-M12"


@pytest.fixture
def customer(db):
    return customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")


@pytest.fixture
def staff(client, db):
    client.force_login(user_factory(groups=[roles.SALES], username="page-sally"))
    return client


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1)


@pytest.mark.parametrize(
    ("fault", "status", "says"),
    [
        ("reset_after", AssignmentStatus.UNKNOWN, "Outcome unknown"),
        ("timeout_before", AssignmentStatus.UNKNOWN, "Outcome unknown"),
        ("html502", AssignmentStatus.UNKNOWN, "Outcome unknown"),
        ("invalid_json", AssignmentStatus.UNKNOWN, "Outcome unknown"),
        ("status401", AssignmentStatus.FAILED, "API key"),
        ("refused405", AssignmentStatus.FAILED, "Refused by the fault test."),
    ],
)
def test_assign_page_under_fault(fault, status, says, vendor, inject, staff, customer):
    url = f"/customers/1001/assign/?license_code={CODE}&currency_code=EUR"
    page = staff.get(url).content.decode()
    form = {"token": hidden(page, "token"), "quote": hidden(page, "quote"), "license_info": "HQ"}
    inject(fault, "assign")

    with Timer() as timer:
        response = staff.post(url, form)

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    assert response.status_code == 200
    assert says in response.content.decode().replace("&#x27;", "'")
    assert LicenseAssignment.objects.get().status == status
    assert AuditEvent.objects.filter(action=AuditAction.LICENSE_ASSIGN).count() == 1
    assert_books_balance(vendor)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_catalogue_page_under_every_fault(fault, vendor, inject, staff, customer):
    inject(fault, "available")

    with Timer() as timer:
        response = staff.get("/customers/1001/catalogue/")

    # The page also reads two directories (not faulted): allow for three calls.
    assert within_deadline(timer.elapsed, calls=3), f"{fault}: {timer.elapsed:.2f}s"
    assert response.status_code == 200
    page = response.content.decode()
    if fault == "html502":
        assert CODE in page  # retried read
    else:
        assert "The catalogue could not be loaded" in page
        assert CODE not in page


@pytest.mark.parametrize("fault", ["reset_after", "status401", "timeout_before"])
def test_dashboard_button_under_fault_goes_back_with_a_message(
    fault, vendor, inject, staff, customer
):
    inject(fault, "auth_token")

    with Timer() as timer:
        response = staff.post("/customers/1001/dashboard/")

    assert within_deadline(timer.elapsed), f"{fault}: {timer.elapsed:.2f}s"
    assert response.status_code == 302
    assert response["Location"] == "/customers/1001/"
    page = staff.get("/customers/1001/").content.decode()
    assert "FlashStart" in page and "message-error" in page


@pytest.mark.parametrize("fault", ["timeout_after", "validation500", "html502"])
def test_create_customer_page_under_fault(fault, vendor, inject, staff):
    inject(fault, "customer_new")
    data = {
        "mode": "create",
        "email": "nuovo@example.com",
        "password": "Page-Fault-Pw-1234",
        "customer_name": "Nuovo",
        "company_name": "Nuovo SRL",
        "country_code": "IT",
        "industry_code": "1",
        "lang": "it",
    }

    with Timer() as timer:
        response = staff.post("/customers/new/", data)

    assert within_deadline(timer.elapsed, calls=3), f"{fault}: {timer.elapsed:.2f}s"
    assert response.status_code == 200
    page = response.content.decode()
    assert "Page-Fault-Pw-1234" not in page
    assert 'role="alert"' in page or "error" in page
    assert AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CREATE).count() == 1
