"""Screenshots of the home page (a salesperson's and a manager's) and of a reminder e-mail,
into docs/screenshots/.

Run:  .venv/bin/python -m pytest -p no:cacheprovider tests/reminders/screenshots.py -q
(Not collected by a plain `pytest` run: the file name does not start with test_.)
The e-mail is rendered by the reminders service (a dry run) into an HTML file, which
Chromium opens from disk: no mail is sent.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from licensing import audit, roles, services
from licensing.models import AssignmentKind, AssignmentStatus, AuditAction, AuditOutcome, Renewal
from tests.e2e.conftest import browser, log_in, new_page, portal  # noqa: F401 - fixtures
from tests.factories import make_assignment, make_customer, user_factory

pytestmark = pytest.mark.e2e

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
NAMES = [
    ("Bianchi Dental Srl", "amministrazione@bianchidental.it"),
    ("Hotel Riva Lago", "booking@hotelrivalago.it"),
    ("Nordwind Logistik GmbH", "it@nordwind.de"),
    ("Scuola Primaria Verdi", "segreteria@scuolaverdi.edu.it"),
    ("Farmacia Centrale", "info@farmaciacentrale.it"),
    ("Studio Legale Conti", "studio@contilegale.it"),
]


def populate(owner, colleague):
    """A salesperson's week: licences expiring (renewing and lapsing), demos ending, an
    unknown outcome, and their recent actions."""
    today = timezone.localdate()
    customers = [make_customer(name=n, email=e, owner=owner) for n, e in NAMES]
    theirs = make_customer(name="Alpine Print SA", email="admin@alpineprint.ch", owner=colleague)
    plans = [
        (0, 4, "Business Filter License", "Headquarter", "49.90", "EUR", Renewal.ON),
        (1, 9, "Business Filter License", "Reception", "24.00", "EUR", Renewal.ON),
        (2, 12, "School Filter License", "Lab building", "187.50", "EUR", Renewal.SUSPENDED),
        (3, 19, "MSP Filter License", "Office 2", "99.00", "USD", Renewal.ON),
        (4, 27, "Business Filter License", "Branch", "12.50", "EUR", Renewal.ON),
    ]
    for index, days, name, label, amount, currency, renewal in plans:
        make_assignment(
            customers[index],
            license_code="CL-Q-A010-M12",
            license_name=name,
            license_info=label,
            expiry_date=today + timedelta(days=days),
            amount=Decimal(amount),
            currency=currency,
            renewal=renewal,
        )
    make_assignment(theirs, expiry_date=today + timedelta(days=6), amount=Decimal("480.00"))
    for index, days in ((5, 2), (1, -4)):
        make_assignment(
            customers[index],
            kind=AssignmentKind.DEMO,
            license_name="Internet Protection Trial DEMO",
            expiry_date=today + timedelta(days=days),
            created_at=timezone.now() - timedelta(days=30 - days),
        )
    make_assignment(
        customers[3],
        status=AssignmentStatus.UNKNOWN,
        created_by=owner,
        license_name="Business Filter License",
        quoted_amount=Decimal("49.90"),
    )
    meta = audit.RequestMeta(user=owner, ip="10.0.0.7", user_agent="Firefox")
    for action, customer, message in [
        (AuditAction.CUSTOMER_REGISTER, customers[5], "Registered Studio Legale Conti."),
        (AuditAction.DEMO_ASSIGN, customers[5], "Demo assigned, ends in 2 days."),
        (AuditAction.RENEWAL_SUSPEND, customers[2], "Renewal suspended. Reason: school closes."),
        (AuditAction.LICENSE_ASSIGN, customers[0], "Assigned Business Filter License."),
    ]:
        audit.record(
            meta=meta,
            action=action,
            outcome=AuditOutcome.SUCCESS,
            customer_code=customer.customer_code,
            message=message,
        )


def test_take_screenshots(browser, portal, tmp_path):  # noqa: F811 - the imported fixtures
    from django.contrib.auth import get_user_model

    OUT.mkdir(parents=True, exist_ok=True)
    owner = get_user_model().objects.get(username=portal["username"])
    owner.email = "sally@reseller.example"
    owner.save()
    colleague = user_factory(username="carl", first_name="Carl", groups=[roles.SALES])
    user_factory(
        username="mia", first_name="Mia", email="mia@reseller.example", groups=[roles.MANAGERS]
    )
    populate(owner, colleague)

    for device, width in WIDTHS.items():
        page = new_page(browser, width=width, height=900)
        log_in(page, portal)
        page.goto(portal["url"] + "/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / f"home-{device}.png", full_page=True)
        assert page.problems == [], page.problems
        page.context.close()

    page = new_page(browser, width=1280, height=900)
    log_in(page, portal, "mia")
    page.goto(portal["url"] + "/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / "home-manager-desktop.png", full_page=True)
    page.context.close()

    run = services.reminders_send(dry_run=True)
    [mail] = [m for m in run.mails if m.recipient == owner]
    html = tmp_path / "reminder-email.html"
    html.write_text(mail.html)
    page = new_page(browser, width=760, height=900)
    page.goto(html.as_uri())
    page.screenshot(path=OUT / "reminder-email.png", full_page=True)
    page.context.close()
