"""Only Managers (and superusers) reach the audit trail, its exports, the reports and the
admin; every refusal is a 403 and is itself audited."""

import pytest

from licensing.models import AuditAction, AuditEvent, AuditOutcome
from licensing.views.decorators import manager_required
from tests.factories import assignment_factory

MANAGER_PAGES = [
    "/audit/",
    "/audit/export.csv",
    "/audit/export.xlsx",
    "/reports/",
    "/admin/",
    "/admin/licensing/auditevent/",
    "/admin/licensing/customer/",
    "/admin/licensing/licenseassignment/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_sales_staff_are_refused_and_the_refusal_is_audited(sales_client, sales_user, url):
    response = sales_client.get(url)
    assert response.status_code == 403
    refusal = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).get()
    assert refusal.actor_username == sales_user.username
    assert refusal.message.startswith("Refused: ")
    assert not AuditEvent.objects.filter(
        action=AuditAction.AUDIT_EXPORT, outcome=AuditOutcome.SUCCESS
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/audit/export.csv", "/reports/", "/admin/"])
def test_users_without_a_group_are_refused(client, nobody_user, url):
    client.force_login(nobody_user)
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED, actor=nobody_user).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "refused", "action"),
    [
        ("/audit/", "view the audit trail", AuditAction.ACCESS_DENIED),
        ("/audit/export.csv", "export the audit trail", AuditAction.AUDIT_EXPORT),
        ("/audit/export.xlsx", "export the audit trail", AuditAction.AUDIT_EXPORT),
        ("/reports/", "view the reports", AuditAction.ACCESS_DENIED),
        ("/assignments/{pk}/resolve/", "resolve unknown outcomes", AuditAction.ACCESS_DENIED),
    ],
)
def test_a_refusal_names_what_was_refused(sales_client, url, refused, action):
    assignment = assignment_factory(status="unknown")

    response = sales_client.get(url.format(pk=assignment.pk))

    assert response.status_code == 403
    what = f"{refused} (managers only)"
    assert f"You do not have permission to {what}." in response.content.decode()
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.DENIED)
    assert (refusal.action, refusal.message) == (action, f"Refused: {what}")


def test_manager_required_must_say_what_it_refuses():
    with pytest.raises(TypeError, match="Say what is refused"):
        manager_required(lambda request: None)


@pytest.mark.django_db
def test_export_refusal_is_recorded_as_an_export_attempt(sales_client):
    sales_client.get("/audit/export.csv")
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.DENIED)
    assert refusal.action == AuditAction.AUDIT_EXPORT


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/audit/", "/reports/", "/admin/", "/admin/login/"])
def test_signed_out_visitors_go_to_the_portal_login(client, url):
    response = client.get(url, follow=True)
    final, status = response.redirect_chain[-1]
    assert status == 302
    assert final.startswith("/accounts/login/?next=")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_managers_without_is_staff_get_in(manager_client, manager_user, url):
    assert not manager_user.is_staff
    assert manager_client.get(url).status_code == 200


@pytest.mark.django_db
def test_superusers_get_in(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/licensing/auditevent/").status_code == 200
    assert client.get("/reports/").status_code == 200


@pytest.mark.django_db
def test_audit_admin_is_read_only_even_for_superusers(client, superuser):
    from licensing import audit

    event = audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)
    client.force_login(superuser)
    base = "/admin/licensing/auditevent/"
    assert client.get(f"{base}add/").status_code == 403
    assert client.get(f"{base}{event.pk}/delete/").status_code == 403
    page = client.get(f"{base}{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = client.post(f"{base}{event.pk}/change/", {"message": "changed"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.message == ""
    listing = client.get(base)
    assert b"delete_selected" not in listing.content
