"""Every URL refuses a POST (and the other unsafe methods) without a CSRF token, for a
logged-in superuser (who could otherwise do anything) and for an anonymous visitor (the
login form: login CSRF). Nothing changes in the database or at the vendor."""

import pytest
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string

from licensing.models import AuditEvent, Customer, LicenseAssignment

# /healthz is answered before the CSRF check, and takes GET only (405): nothing changes.
GET_ONLY_BEFORE_CSRF = {"healthz"}


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
        assert b"CSRF" in response.content, (method, url.path)

    assert snapshot(world) == before


def test_a_post_with_the_token_is_accepted(world, client_for):
    client = client_for("sales", enforce_csrf_checks=True)
    path = f"/assignments/{world['assignment'].pk}/suspend/"
    page = client.get(path).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(path, {"csrfmiddlewaretoken": token, "reason": "Customer leaves"})

    assert response.status_code == 302
