"""Every URL refuses a POST (and the other unsafe methods) without a CSRF token, for a
logged-in superuser (who could otherwise do anything) and for an anonymous visitor (the
login form: login CSRF). Nothing changes in the database or at the vendor, and the refusal
is the portal's own page, which the Content-Security-Policy lets render."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string

from licensing.models import AuditEvent, Customer, LicenseAssignment

# /healthz is answered before the CSRF check, and takes GET only (405): nothing changes.
GET_ONLY_BEFORE_CSRF = {"healthz"}
EXPIRED_FORM = b"This form had expired"
# What `style-src 'self'` blocks: a <style> element or a style attribute.
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.I)


def snapshot(world) -> tuple:
    return (
        Customer.objects.count(),
        list(LicenseAssignment.objects.values_list("pk", "status", "renewal")),
        AuditEvent.objects.count(),
        get_user_model().objects.count(),
        sum(world["sandbox"].state.requests.values()),
    )


@pytest.mark.parametrize("role", ["superuser", "anonymous"])
def test_unsafe_methods_without_a_token_are_refused(url, role, world, client_for):
    client = client_for(role, enforce_csrf_checks=True, raise_request_exception=False)
    # The browser holds a valid CSRF cookie; the forged request lacks the matching token.
    client.cookies["csrftoken"] = _get_new_csrf_string()
    before = snapshot(world)

    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url.path, data={"reason": "forged", "x": "1"})

        if url.name in GET_ONLY_BEFORE_CSRF:
            assert response.status_code == 405
            continue
        assert response.status_code == 403, (method, url.path, response.status_code)
        assert EXPIRED_FORM in response.content, (method, url.path)

    assert snapshot(world) == before


def test_a_post_with_the_token_is_accepted(world, client_for):
    client = client_for("sales", enforce_csrf_checks=True)
    path = f"/assignments/{world['assignment'].pk}/suspend/"
    page = client.get(path).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(path, {"csrfmiddlewaretoken": token, "reason": "Customer leaves"})

    assert response.status_code == 302


@pytest.mark.parametrize("role", ["sales", "anonymous"])
def test_a_refused_form_gets_the_portals_own_page(world, client_for, role):
    client = client_for(role, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    path = "/customers/new/" if role == "sales" else "/accounts/login/"

    response = client.post(path, {"name": "forged"})

    assert response.status_code == 403
    page = response.content.decode()
    assert '<h1 id="error-title">Form expired</h1>' in page
    assert "nothing was done" in page
    assert "/static/css/portal.css" in page  # the portal's stylesheet, not Django's page
    assert not INLINE_STYLE.search(page)
    assert "style-src 'self'" in response["Content-Security-Policy"]
    back = "/customers/" if role == "sales" else "/accounts/login/"
    assert f'href="{back}"' in page
