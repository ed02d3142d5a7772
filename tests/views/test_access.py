"""Who may see what: login everywhere, roles, the no-access page, logging in and out."""

import pytest
from django.urls import reverse

from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import PASSWORD, assignment_factory, user_factory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/customers/",
    "/customers/new/",
    "/customers/1001/",
    "/customers/1001/catalogue/",
    "/customers/1001/assign/?license_code=CL-Q-A005-M1",
    "/customers/1001/demo/",
    "/assignments/1/suspend/",
    "/assignments/1/resume/",
    "/assignments/1/resolve/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_post_to_an_action_is_sent_to_the_login_page(client, customer):
    response = client.post(f"/customers/{customer.customer_code}/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/customers/", "/customers/1001/catalogue/"])
def test_user_in_no_group_gets_the_no_access_page_and_the_refusal_is_audited(client, url):
    client.force_login(user_factory(groups=[], username="otto"))

    response = client.get(url)

    assert response.status_code == 403
    page = response.content.decode()
    assert "No access" in page
    assert "not in the Sales or Managers group" in page
    refusal = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert refusal.outcome == AuditOutcome.DENIED
    assert refusal.actor_username == "otto"


def test_sales_cannot_open_the_managers_resolution_page(sales_client, customer):
    assignment = assignment_factory(customer=customer, status="unknown")

    response = sales_client.get(f"/assignments/{assignment.pk}/resolve/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have permission to resolve unknown outcomes (managers only)." in page


def test_login_page_renders_with_labelled_fields(client):
    response = client.get("/accounts/login/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in page
    assert '<label for="id_password">' in page


def test_logging_in_through_the_form_lands_on_the_home_page(client, sales_user):
    response = client.post(
        "/accounts/login/", {"username": "sally", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_username="sally").exists()


def test_wrong_password_says_so_without_saying_which_part(client, sales_user):
    response = client.post("/accounts/login/", {"username": "sally", "password": "nope"})

    assert response.status_code == 200
    assert "username or password is not right" in response.content.decode()


def test_repeated_failures_show_the_locked_out_page(client, sales_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "sally", "password": "nope"})

    response = client.post("/accounts/login/", {"username": "sally", "password": "nope"})

    assert response.status_code in (403, 429)
    assert "Logging in is locked for now" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(sales_client):
    assert sales_client.get("/accounts/logout/").status_code == 405

    response = sales_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert sales_client.get("/customers/").status_code == 302


def test_navigation_marks_the_current_page_and_hides_manager_links_from_sales(sales_client):
    page = sales_client.get("/customers/").content.decode()

    assert 'href="/customers/" aria-current="page"' in page
    assert 'href="/audit/"' not in page
    assert 'href="/admin/"' not in page
    assert "sally" in page
    assert f'action="{reverse("logout")}"' in page


def test_managers_see_audit_reports_and_admin_in_the_navigation(manager_client):
    page = manager_client.get("/customers/").content.decode()

    assert 'href="/audit/"' in page
    assert 'href="/reports/"' in page
    assert 'href="/admin/"' in page


def test_unknown_address_gets_the_friendly_not_found_page(sales_client):
    response = sales_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_pages_use_no_inline_script_or_style(sales_client, customer):
    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert "<script>" not in page
    assert "style=" not in page
    assert "onclick" not in page
    assert 'name="htmx-config"' in page
    assert '"includeIndicatorStyles": false' in page


def test_server_error_page_is_friendly_and_quotes_the_request_id(rf):
    from licensing.views import errors

    request = rf.get("/customers/")
    request.request_id = "abc123def456"

    response = errors.server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "abc123def456" in page


def test_times_are_shown_in_the_zone_the_browser_reported(sales_client, customer):
    assignment_factory(customer=customer)
    sales_client.cookies["portal_tz"] = "America/New_York"

    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert "Times are shown in America/New_York." in page


def test_a_bogus_time_zone_cookie_is_ignored(sales_client, customer, settings):
    assignment_factory(customer=customer)
    sales_client.cookies["portal_tz"] = "Mars/Olympus_Mons"

    page = sales_client.get(f"/customers/{customer.customer_code}/").content.decode()

    assert f"Times are shown in {settings.TIME_ZONE}." in page


def test_htmx_history_restore_gets_the_full_page(sales_client):
    response = sales_client.get(
        "/customers/?q=x", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


def test_an_expired_form_gets_a_friendly_explanation(sales_user, customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sales_user)

    response = browser.post(f"/customers/{customer.customer_code}/dashboard/")

    assert response.status_code == 403
    assert "This form had expired" in response.content.decode()
