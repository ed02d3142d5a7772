"""The profile page: each person turns reminder e-mails off (or on) for themselves."""

import pytest

from licensing.models import AuditAction, AuditEvent, AuditOutcome, Profile

pytestmark = pytest.mark.django_db


def test_the_header_links_to_the_profile(sales_client):
    page = sales_client.get("/customers/").content.decode()
    assert 'href="/profile/"' in page


def test_without_a_saved_profile_reminders_are_on_and_no_row_is_made(sales_client, sales_user):
    page = sales_client.get("/profile/").content.decode()

    assert 'name="reminders_opt_out"' in page
    assert "checked" not in page.split('name="reminders_opt_out"')[1].split(">")[0]
    assert not Profile.objects.exists()


def test_opting_out_is_saved_audited_and_shown(sales_client, sales_user):
    response = sales_client.post("/profile/", {"reminders_opt_out": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == "/profile/"
    assert Profile.objects.get(user=sales_user).reminders_opt_out is True
    page = response.content.decode()
    assert "reminder e-mails are off" in page
    assert " checked" in page.split('name="reminders_opt_out"')[1].split(">")[0]
    event = AuditEvent.objects.get(action=AuditAction.PROFILE_UPDATE)
    assert (event.outcome, event.actor, event.message) == (
        AuditOutcome.SUCCESS,
        sales_user,
        "Reminder e-mails turned off.",
    )


def test_opting_back_in_and_saving_unchanged(sales_client, sales_user):
    Profile.objects.create(user=sales_user, reminders_opt_out=True)

    sales_client.post("/profile/", {})  # the box unticked: not sent at all
    sales_client.post("/profile/", {})  # saved again, unchanged

    assert Profile.objects.get(user=sales_user).reminders_opt_out is False
    messages = AuditEvent.objects.filter(action=AuditAction.PROFILE_UPDATE)
    assert list(messages.values_list("message", flat=True)) == ["Reminder e-mails turned on."]


def test_each_person_changes_only_their_own_profile(sales_client, sales_user, manager_user):
    sales_client.post("/profile/", {"reminders_opt_out": "on", "user": manager_user.pk})

    assert Profile.objects.get(user=sales_user).reminders_opt_out is True
    assert not Profile.objects.filter(user=manager_user).exists()


def test_a_person_without_an_e_mail_address_is_told_reminders_cannot_reach_them(
    sales_client, sales_user
):
    sales_user.email = ""
    sales_user.save()
    assert "no e-mail address" in sales_client.get("/profile/").content.decode()


def test_someone_without_a_role_is_refused(client, nobody_user):
    client.force_login(nobody_user)
    assert client.get("/profile/").status_code == 403
    assert client.post("/profile/", {"reminders_opt_out": "on"}).status_code == 403
    assert not Profile.objects.exists()


def test_the_form_needs_its_csrf_token(sales_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_user)
    assert client.post("/profile/", {"reminders_opt_out": "on"}).status_code == 403
    assert not Profile.objects.exists()
