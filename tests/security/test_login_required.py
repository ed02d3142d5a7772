"""Every URL needs a login, except an explicit allow-list: the login page, /healthz,
static files and the admin's login (which only forwards to the portal's)."""

import pytest
from django.core.management import call_command
from django.test import Client

from tests.security import expectations


def test_anonymous_get_and_post_are_sent_to_log_in(url, client):
    if url.name in expectations.PUBLIC:
        pytest.skip("public by design (see the allow-list test)")

    for method in ("get", "post"):
        response = getattr(client, method)(url.path)
        assert expectations.is_login_redirect(response), (
            f"anonymous {method.upper()} {url.path}: {response.status_code} "
            f"{response.get('Location', '')}"
        )


def test_the_allow_list_is_exactly_login_healthz_and_static(db, client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    # The admin's own login page does not exist: it forwards to the portal's.
    admin_login = client.get("/admin/login/")
    assert expectations.is_login_redirect(admin_login)
    assert admin_login["Location"].startswith("/accounts/login/")


def test_static_files_need_no_login(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new handler, so WhiteNoise reads the new STATIC_ROOT

    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_login_next_parameter_cannot_send_users_off_site(world):
    client = Client()

    response = client.post(
        "/accounts/login/?next=https://evil.example.net/phish",
        {"username": "walker-sales", "password": "Walker-Pw-4d1e9c7b"},
    )

    assert response.status_code == 302
    assert not response["Location"].startswith(("http://", "https://", "//"))
