"""Friendly 403, 404 and 500 pages with DEBUG off: no traceback, no settings, no
exception text, no SQL; the 500 page quotes the request id so staff can report it."""

import logging

import pytest
from django.test import Client

from licensing import roles
from tests.factories import user_factory
from tests.security.urls_boom import BOOM_DETAIL

LEAKS = (
    "Traceback",
    "RuntimeError",
    BOOM_DETAIL,
    "hunter2",
    "settings.py",
    "SECRET_KEY",
    'File "/',
    "DJANGO_SETTINGS_MODULE",
    "SELECT ",
    "django.core",
)


def assert_no_details(page: str) -> None:
    for leak in LEAKS:
        assert leak not in page, leak


@pytest.mark.urls("tests.security.urls_boom")
def test_a_crash_shows_the_friendly_500_page_with_the_request_id(db, settings, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(user_factory(groups=[roles.SALES]))

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/", HTTP_X_REQUEST_ID="crash-trace-000123")

    assert response.status_code == 500
    page = response.content.decode()
    assert_no_details(page)
    assert "crash-trace-000123" in page
    assert response["X-Request-ID"] == "crash-trace-000123"
    # The details go to the log, for whoever reads it, under the same request id.
    crash = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert crash and BOOM_DETAIL in str(crash[0].exc_info[1])


def test_not_found_is_friendly_and_says_nothing_about_the_urlconf(db, settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(user_factory(groups=[roles.SALES]))

    response = client.get("/customers/424242/")
    missing = client.get("/wp-admin/setup.php")

    assert response.status_code == 404 and missing.status_code == 404
    assert "No customer with code 424242" in response.content.decode()
    for page in (response.content.decode(), missing.content.decode()):
        assert_no_details(page)
        assert "URLconf" not in page and "customers/&lt;int:customer_code&gt;" not in page


def test_forbidden_is_friendly(db, settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(user_factory(groups=[]))

    response = client.get("/customers/")

    assert response.status_code == 403
    page = response.content.decode()
    assert_no_details(page)
    assert "permission" in page.lower()
