"""The money path through the real portal over HTTP, as staff use it with a browser:
Back-then-Assign needs an explicit confirmation, and two staff suspending and resuming
one licence at once leave the portal in step with FlashStart."""

import threading

import pytest
from django.conf import settings as django_settings
from django.test import Client

from licensing import audit, roles
from licensing.models import LicenseAssignment, Renewal
from tests.factories import customer_factory, user_factory
from tests.http.browsing import form_fields, open_url

ROUNDS = 20
IN_STEP = {Renewal.ON: "enabled", Renewal.SUSPENDED: "suspended"}


def session_for(username: str, group: str) -> dict[str, str]:
    client = Client()
    client.force_login(user_factory(groups=[group], username=username))
    return {django_settings.SESSION_COOKIE_NAME: client.cookies["sessionid"].value}


@pytest.fixture
def staff(portal_url, sandbox_settings):
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL")
    return {"sam": session_for("sam", roles.SALES), "sue": session_for("sue", roles.SALES)}


def assign_page(portal_url) -> str:
    return f"{portal_url}/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"


@pytest.mark.django_db(transaction=True)
def test_back_then_assign_shows_the_earlier_purchase_and_buys_only_when_confirmed(
    portal_url, sandbox_settings, staff
):
    url, cookies = assign_page(portal_url), staff["sam"]
    status, page = open_url(url, cookies=cookies)
    assert status == 200
    first = {**form_fields(page), "license_info": "Headquarter"}
    assert open_url(url, cookies=cookies, data=first, follow=False)[0] == 302

    # Back: the browser asks for the confirmation page again, with a new token.
    _, page = open_url(url, cookies=cookies)
    again = {**form_fields(page), "license_info": "Headquarter"}
    assert again["token"] != first["token"]
    status, held = open_url(url, cookies=cookies, data=again)

    assert status == 200
    assert "Rossi Ufficio SRL already has this licence" in held
    assert "sam bought Business Filter License" in held
    assert "Confirming buys another licence" in held
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1

    confirm = form_fields(held, marker='name="repeat_of"')
    assert open_url(url, cookies=cookies, data=confirm, follow=False)[0] == 302
    # A double click on the confirmation buys nothing more.
    assert open_url(url, cookies=cookies, data=confirm)[0] == 200
    assert sandbox_settings.state.assign_deductions == 2
    assert LicenseAssignment.objects.count() == 2
    assert audit.verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_twenty_rounds_of_suspend_and_resume_at_once_end_in_step(
    portal_url, sandbox_settings, staff
):
    url = assign_page(portal_url)
    _, page = open_url(url, cookies=staff["sam"])
    open_url(url, cookies=staff["sam"], data={**form_fields(page), "license_info": "Main"})
    licence = LicenseAssignment.objects.get()
    for who in ("sam", "sue"):  # each session gets its CSRF cookie, as a browser would
        open_url(f"{portal_url}/assignments/{licence.pk}/suspend/", cookies=staff[who])
    sandbox_settings.latency = 0.05  # each call is still in flight when the other arrives
    statuses: list[int] = []
    failures: list[str] = []

    def post(kind: str, who: str, barrier: threading.Barrier) -> None:
        try:
            cookies = dict(staff[who])
            data = {"csrfmiddlewaretoken": cookies["csrftoken"], "reason": "Two staff at once"}
            barrier.wait(timeout=10)
            target = f"{portal_url}/assignments/{licence.pk}/{kind}/"
            statuses.append(open_url(target, cookies=cookies, data=data, follow=False)[0])
        except Exception as exc:  # reported below
            failures.append(repr(exc))

    for round_no in range(ROUNDS):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=post, args=("suspend", "sam", barrier)),
            threading.Thread(target=post, args=("resume", "sue", barrier)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        licence.refresh_from_db()
        vendor = sandbox_settings.state.license(licence.license_id).renewal
        assert failures == [], failures
        assert IN_STEP[licence.renewal] == vendor, f"round {round_no}: out of step"
        # The customer page offers the action that makes sense now.
        _, detail = open_url(f"{portal_url}/customers/1001/", cookies=staff["sam"])
        offered = "Resume renewal" if licence.renewal == Renewal.SUSPENDED else "Suspend renewal"
        assert offered in detail, f"round {round_no}"

    assert len(statuses) == 2 * ROUNDS and all(s < 500 for s in statuses), statuses
    assert audit.verify()[1] is None
