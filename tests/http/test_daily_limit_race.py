"""Two purchases by one person submitted at the same moment cannot both pass a daily limit
that only one of them fits under (each check would otherwise count neither)."""

import threading
import urllib.parse

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from licensing import audit, roles
from licensing.models import AssignmentStatus, AuditEvent, Customer, LicenseAssignment
from tests.http.browsing import form_fields, open_url

CODE = "CL-Q-A005-M12"  # EUR 50.00 in the sandbox


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_purchases_under_a_daily_limit_for_one(
    portal_url, sandbox_settings, client, settings
):
    settings.PORTAL_APPROVAL_ABOVE_EUR = None
    settings.PORTAL_DAILY_LIMIT_EUR = "80"  # one EUR 50 purchase fits, two do not
    user = get_user_model().objects.create_user("sam", password="unused-pw-123")
    user.groups.add(Group.objects.get_or_create(name=roles.SALES)[0])
    customers = [
        Customer.objects.create(customer_code=1001, name="Rossi Ufficio SRL"),
        Customer.objects.create(customer_code=1002, name="Bianchi Scuola"),
    ]
    client.force_login(user)
    cookies = {django_settings.SESSION_COOKIE_NAME: client.cookies["sessionid"].value}
    sandbox_settings.latency = 0.3  # both price checks are in flight together

    forms = []
    for customer in customers:
        url = f"{portal_url}/customers/{customer.customer_code}/assign/?license_code={CODE}"
        status, page = open_url(url + "&currency_code=EUR", cookies=cookies)
        assert status == 200, page[:500]
        fields = form_fields(page)
        fields["license_info"] = "Headquarter"
        forms.append((url + "&currency_code=EUR", urllib.parse.urlencode(fields).encode()))

    barrier = threading.Barrier(len(forms))
    statuses, failures = [], []

    def submit(url, body):
        try:
            barrier.wait(timeout=20)
            statuses.append(open_url(url, cookies=dict(cookies), data=body)[0])
        except Exception as exc:  # reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=submit, args=form) for form in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert failures == []
    assert all(s < 500 for s in statuses), statuses
    assert sandbox_settings.state.assign_deductions == 1
    bought = LicenseAssignment.objects.filter(status=AssignmentStatus.ACTIVE)
    assert bought.count() == 1 and LicenseAssignment.objects.count() == 1
    refused = AuditEvent.objects.filter(action="license_assign", outcome="invalid")
    assert refused.count() == 1
    assert "daily limit" in refused.get().message
    assert audit.verify()[1] is None
