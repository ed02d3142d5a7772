"""The same assign form submitted 50 times at once over real HTTP buys one licence."""

import html
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from licensing import audit, roles
from licensing.models import AssignmentStatus, Customer, LicenseAssignment

SUBMITS = 50


class _Server(ThreadedWSGIServer):
    # pytest-django's live server listens with a backlog of 10: fifty simultaneous
    # connections would be reset by the kernel before Django ever saw them.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def portal_url(transactional_db):
    httpd = _Server(("127.0.0.1", 0), _QuietHandler)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _open(url, *, cookies, data=None, timeout=60):
    request = urllib.request.Request(url, data=data)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Referer", url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _form_fields(page: str) -> dict[str, str]:
    """Every named input of the assign form (hidden token, csrf, licence code ...)."""
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, re.S | re.I)
    form = next((f for f in forms if 'name="token"' in f), None)
    assert form, "the confirmation page has a POST form with a one-time token"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form, re.I):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


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
    status, page = _open(url, cookies=cookies)
    assert status == 200, page[:500]
    fields = _form_fields(page)
    fields["license_info"] = "Headquarter"
    assert "csrftoken" in cookies and "csrfmiddlewaretoken" in fields
    body = urllib.parse.urlencode(fields).encode()

    barrier = threading.Barrier(SUBMITS)
    statuses, failures = [], []

    def submit():
        try:
            barrier.wait(timeout=20)
            statuses.append(_open(url, cookies=dict(cookies), data=body)[0])
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
