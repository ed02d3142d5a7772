"""Suspending and resuming renewal for several licences from the customer page, against
the sandbox over real HTTP (and, in one test, the portal itself on a loopback port)."""

import re
import urllib.parse

import pytest
from django.conf import settings as django_settings
from django.test import Client

from licensing import roles
from licensing.models import AuditAction, AuditEvent, AuditOutcome, LicenseAssignment
from licensing.upstream.sandbox import catalogue, endpoints
from tests.factories import assignment_factory, customer_factory, user_factory
from tests.http.browsing import open_url
from tests.http.conftest import portal_url  # noqa: F401  (the live portal fixture)
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db
URL = "/customers/1001/renewals/"
REASON = "Customer moves to another reseller"
REFUSAL = {"license_id": ["The selected license id is invalid."]}


def licences_at_vendor(sandbox, customer, count: int = 5) -> list[LicenseAssignment]:
    """`count` active paid licences that FlashStart (the sandbox) has for `customer`."""
    made = []
    for number in range(1, count + 1):
        lic = sandbox.state.assign(
            customer_code=customer.customer_code,
            item=catalogue.ITEMS["CL-Q-A005-M12"],
            license_info=f"Office {number}",
            currency_code="EUR",
        )
        made.append(
            assignment_factory(
                customer=customer,
                license_code="CL-Q-A005-M12",
                license_name="FlashStart Cloud 5",
                license_info=f"Office {number}",
                license_id=lic.license_id,
            )
        )
    return made


def refuse_for(monkeypatch, endpoint: str, license_id: str) -> None:
    """FlashStart refuses `endpoint` for one licence (a validation 500), serves the rest."""
    real = endpoints.HANDLERS[endpoint]

    def handler(state, data):
        if str(data.get("license_id")) == license_id:
            return endpoints.invalid(REFUSAL)
        return real(state, data)

    monkeypatch.setitem(endpoints.HANDLERS, endpoint, handler)


def bulk(action: str, licences, reason: str = REASON) -> dict:
    return {"action": action, "reason": reason, "assignment": [a.pk for a in licences]}


def renewals(licences) -> list[str]:
    return [LicenseAssignment.objects.get(pk=a.pk).renewal for a in licences]


def test_customer_page_ticks_licences_into_one_form(sales_client, customer):
    licence = assignment_factory(customer=customer, license_id="L-1")
    demo = assignment_factory(customer=customer, kind="demo", license_code="CL-DEMO")

    page = sales_client.get("/customers/1001/").content.decode()

    assert f'id="bulk-select-{licence.pk}"' in page
    assert f'id="bulk-select-{demo.pk}"' not in page
    assert 'form="bulk-renewals"' in page and '<form id="bulk-renewals"' in page
    assert "js/bulk.js" in page and "<script>" not in page


def test_bulk_suspend_five_with_one_vendor_failure(
    sales_client, customer, sandbox_settings, monkeypatch
):
    licences = licences_at_vendor(sandbox_settings, customer)
    failing = licences[2]
    refuse_for(monkeypatch, "suspend", failing.license_id)

    response = sales_client.post(URL, bulk("suspend", licences))

    assert response.status_code == 200
    page = response.content.decode()
    assert renewals(licences) == ["suspended", "suspended", "on", "suspended", "suspended"]
    vendor = [sandbox_settings.state.license(a.license_id).renewal for a in licences]
    assert vendor == ["suspended", "suspended", "enabled", "suspended", "suspended"]
    assert "Renewal suspended for 4 of 5 licences. 1 was not changed: try it again." in page
    failed = re.search(rf'id="bulk-outcome-{failing.pk}".*?</li>', page, re.S).group(0)
    assert "Not changed" in failed and "The selected license id is invalid." in failed
    # Only the failed licence is offered again, ticked, with the same action and reason.
    assert re.findall(r'name="assignment" value="(\d+)"[^>]*checked', page) == [str(failing.pk)]
    assert re.search(rf'<textarea name="reason"[^>]*>\s*{REASON}</textarea>', page)
    rows = AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND)
    assert rows.count() == 5
    assert rows.filter(outcome=AuditOutcome.SUCCESS).count() == 4
    assert rows.get(assignment_id=failing.pk).outcome == AuditOutcome.FAILED
    assert all(REASON in row.message for row in rows)


def test_retry_of_the_failed_one_suspends_it(sales_client, customer, sandbox_settings):
    licences = licences_at_vendor(sandbox_settings, customer, count=2)
    sales_client.post(URL, bulk("suspend", licences[:1]))

    # The retry sends only what failed; a licence already suspended is reported as such.
    page = sales_client.post(URL, bulk("suspend", licences)).content.decode()

    assert renewals(licences) == ["suspended", "suspended"]
    assert "Renewal suspended for 2 of 2 licences." in page
    assert "Renewal was already suspended: nothing to change." in page


def test_bulk_resume(sales_client, customer, sandbox_settings):
    licences = licences_at_vendor(sandbox_settings, customer, count=3)
    sales_client.post(URL, bulk("suspend", licences))

    page = sales_client.post(URL, bulk("resume", licences, reason="")).content.decode()

    assert renewals(licences) == ["on", "on", "on"]
    assert all(sandbox_settings.state.license(a.license_id).renewal == "enabled" for a in licences)
    assert "Renewal resumed for 3 of 3 licences." in page
    assert AuditEvent.objects.filter(action=AuditAction.RENEWAL_RESUME).count() == 3


def test_bulk_by_htmx_opens_the_outcomes_and_updates_the_page(
    sales_client, customer, sandbox_settings, monkeypatch
):
    licences = licences_at_vendor(sandbox_settings, customer, count=2)
    refuse_for(monkeypatch, "suspend", licences[1].license_id)

    page = sales_client.post(URL, bulk("suspend", licences), **HTMX).content.decode()

    assert "<html" not in page
    assert 'id="bulk-panel"' in page and '<h2 id="panel-title"' in page
    assert '<section id="assignments"' in page and 'hx-swap-oob="true"' in page
    assert '<section id="timeline"' in page
    assert '<div id="messages" hx-swap-oob="innerHTML">' in page
    # The failed licence is ticked again in the page's table too.
    assert re.search(rf'id="bulk-select-{licences[1].pk}"[^>]*checked', page)
    assert not re.search(rf'id="bulk-select-{licences[0].pk}"[^>]*checked', page)


def test_foreign_licences_are_refused_and_nothing_is_sent(sales_client, customer, sandbox_settings):
    mine = licences_at_vendor(sandbox_settings, customer, count=1)
    other = customer_factory(customer_code=1002, name="Bianchi SpA")
    theirs = assignment_factory(customer=other, license_id="L-OTHER")

    response = sales_client.post(URL, bulk("suspend", [*mine, theirs]))

    assert response.status_code == 200
    assert f"Licence {theirs.pk} is not one of this customer&#x27;s." in response.content.decode()
    assert renewals([*mine, theirs]) == ["on", "on"]
    assert sandbox_settings.state.requests["suspend"] == 0
    refusal = AuditEvent.objects.get(action=AuditAction.RENEWAL_SUSPEND)
    assert refusal.outcome == AuditOutcome.INVALID
    assert "Bulk renewal change refused" in refusal.message


@pytest.mark.parametrize(
    "data, says",
    [
        ({"action": "suspend", "reason": REASON}, "Select at least one licence."),
        ({"action": "suspend", "reason": REASON, "assignment": ["x1"]}, "not understood"),
        ({"action": "suspend", "reason": REASON, "assignment": ["99999999999999999999"]}, "not"),
        ({"action": "suspend", "reason": REASON, "assignment": ["-3"]}, "not understood"),
        ({"action": "suspend", "reason": ""}, "Say why renewal is being suspended"),
        ({"action": "delete", "reason": REASON}, "Choose one of the listed options."),
        ({"reason": REASON}, "This field is required."),
        ({"action": "suspend", "reason": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_input_gets_a_message_not_a_500(sales_client, customer, sandbox_settings, data, says):
    licences = licences_at_vendor(sandbox_settings, customer, count=1)
    if data.get("reason") == "" and "assignment" not in data:
        data = {**data, "assignment": [licences[0].pk]}

    response = sales_client.post(URL, data)

    assert response.status_code == 200
    assert says in response.content.decode()
    assert renewals(licences) == ["on"]


def test_duplicated_and_too_many_ids_are_refused(sales_client, customer, sandbox_settings):
    licence = licences_at_vendor(sandbox_settings, customer, count=1)[0]

    twice = sales_client.post(
        URL, {"action": "suspend", "reason": REASON, "assignment": [licence.pk] * 2}
    )
    many = sales_client.post(
        URL, {"action": "suspend", "reason": REASON, "assignment": list(range(1, 60))}
    )

    assert "names a licence more than once" in twice.content.decode()
    assert "Select at most 50 licences at a time (59 were selected)." in many.content.decode()
    assert renewals([licence]) == ["on"]


def test_a_demo_has_no_renewal_to_change_in_bulk(sales_client, customer, sandbox_settings):
    demo = assignment_factory(customer=customer, kind="demo", license_code="CL-DEMO")

    page = sales_client.post(URL, bulk("suspend", [demo])).content.decode()

    assert f"Licence {demo.pk} has no renewal to change" in page


def test_get_lists_the_licences_to_choose_from(sales_client, customer):
    licence = assignment_factory(customer=customer, license_id="L-1", license_info="Office A")

    page = sales_client.get(f"{URL}?assignment={licence.pk}&assignment=junk").content.decode()

    assert re.search(rf'value="{licence.pk}" id="bulk-choice-{licence.pk}" checked', page)
    assert "Office A" in page


def test_unknown_customer_is_a_404(sales_client):
    assert sales_client.post("/customers/424242/renewals/", {"action": "resume"}).status_code == 404


def test_only_sales_may_change_renewals_in_bulk(client, customer, sandbox_settings):
    licence = licences_at_vendor(sandbox_settings, customer, count=1)[0]
    client.force_login(user_factory(groups=[], username="nobody"))

    response = client.post(URL, bulk("suspend", [licence]))

    assert response.status_code == 403
    assert renewals([licence]) == ["on"]


@pytest.mark.django_db(transaction=True)
def test_bulk_suspend_over_real_http_reports_the_one_failure(
    portal_url,  # noqa: F811
    sandbox_settings,
    monkeypatch,
):
    customer = customer_factory(customer_code=1001, name="Rossi Ufficio SRL")
    licences = licences_at_vendor(sandbox_settings, customer)
    refuse_for(monkeypatch, "suspend", licences[4].license_id)
    browser = Client()
    browser.force_login(user_factory(groups=[roles.SALES], username="sam"))
    cookies = {django_settings.SESSION_COOKIE_NAME: browser.cookies["sessionid"].value}
    status, page = open_url(f"{portal_url}/customers/1001/", cookies=cookies)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    ticked = [("assignment", str(a.pk)) for a in licences]
    data = [("csrfmiddlewaretoken", token), ("action", "suspend"), ("reason", REASON), *ticked]

    status, page = open_url(
        f"{portal_url}{URL}", cookies=cookies, data=urllib.parse.urlencode(data).encode()
    )

    assert status == 200
    assert renewals(licences) == ["suspended"] * 4 + ["on"]
    assert "Renewal suspended for 4 of 5 licences." in page
    assert re.findall(r'name="assignment" value="(\d+)"[^>]*checked', page) == [str(licences[4].pk)]
    assert AuditEvent.objects.filter(action=AuditAction.RENEWAL_SUSPEND).count() == 5
