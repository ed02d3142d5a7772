"""The same assign form submitted 50 times at once over real HTTP buys one licence."""

import threading
import urllib.parse

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from licensing import audit, roles
from licensing.models import AssignmentStatus, Customer, LicenseAssignment
from tests.http.browsing import form_fields, open_url

SUBMITS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_posts_of_one_assign_form(portal_url, sandbox_settings, client):
    user = get_user_model().objects.create_user("sam", password="unused-pw-123")
    user.groups.add(Group.objects.get_or_create(name=roles.SALES)[0])
    customer = Customer.objects.create(customer_code=1001, name="Rossi Ufficio SRL")
    client.force_login(user)
    cookies = {django_settings.SESSION_COOKIE_NAME: client.cookies["sessionid"].value}
    sandbox_settings.latency = 0.2  # the first call is still in flight when the rest arrive

    url = (
        f"{portal_url}/customers/{customer.customer_code}/assign/"
        "?license_code=CL-Q-A005-M12&currency_code=EUR"
    )
    status, page = open_url(url, cookies=cookies)
    assert status == 200, page[:500]
    fields = form_fields(page)
    fields["license_info"] = "Headquarter"
    assert "csrftoken" in cookies and "csrfmiddlewaretoken" in fields
    body = urllib.parse.urlencode(fields).encode()

    barrier = threading.Barrier(SUBMITS)
    statuses, failures = [], []

    def submit():
        try:
            barrier.wait(timeout=20)
            statuses.append(open_url(url, cookies=dict(cookies), data=body)[0])
        except Exception as exc:  # reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=submit) for _ in range(SUBMITS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert failures == []
    assert len(statuses) == SUBMITS
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert sandbox_settings.state.assign_deductions == 1
    assert LicenseAssignment.objects.count() == 1
    assert LicenseAssignment.objects.get().status == AssignmentStatus.ACTIVE
    assert audit.verify()[1] is None
