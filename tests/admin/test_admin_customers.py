"""Customers in the admin: edits and deletions go through `customer_update` and
`customer_delete`, so they are checked and audited there; a refusal is a message, not a 500."""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry

from licensing import services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer
from tests.factories import make_assignment, make_customer

CUSTOMERS = "/admin/licensing/customer/"


def _edit(client, customer, **changes):
    data = {"name": customer.name, "email": customer.email, "language": customer.language}
    data.update(notes=customer.notes, **changes)
    return client.post(f"{CUSTOMERS}{customer.pk}/change/", data)


def _delete(client, customer):
    return client.post(f"{CUSTOMERS}{customer.pk}/delete/", {"post": "yes"})


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


@pytest.mark.django_db
def test_customer_edit_is_saved_and_audited_but_the_code_stays(manager_client, manager_user):
    customer = make_customer(name="Old name")
    url = f"{CUSTOMERS}{customer.pk}/change/"
    assert b'name="customer_code"' not in manager_client.get(url).content
    response = _edit(manager_client, customer, customer_code="999", name="New name", language="it")
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.language) == ("New name", "it")
    assert customer.customer_code != 999
    [row] = _events(AuditAction.CUSTOMER_UPDATE)
    assert (row.outcome, row.actor, row.customer_code) == (
        AuditOutcome.SUCCESS,
        manager_user,
        customer.customer_code,
    )
    assert "'Old name' → 'New name'" in row.message
    assert LogEntry.objects.filter(action_flag=CHANGE, object_id=str(customer.pk)).exists()


@pytest.mark.django_db
def test_customer_edit_with_an_invalid_email_shows_the_error_and_saves_nothing(manager_client):
    customer = make_customer(email="old@example.com")
    page = _edit(manager_client, customer, email="not an e-mail")
    assert page.status_code == 200
    assert "Enter a valid email address." in page.content.decode()
    customer.refresh_from_db()
    assert customer.email == "old@example.com"
    assert not _events(AuditAction.CUSTOMER_UPDATE)


@pytest.mark.django_db
def test_customer_edit_the_service_refuses_is_an_error_message_not_a_500(
    manager_client, monkeypatch
):
    customer = make_customer(name="Old name")
    update = services.customer_update

    def deleted_meanwhile(**kwargs):
        Customer.objects.filter(pk=customer.pk).delete()
        return update(**kwargs)

    monkeypatch.setattr(services, "customer_update", deleted_meanwhile)
    response = _edit(manager_client, customer, name="New name")
    assert response.status_code == 302
    page = manager_client.get(response["Location"], follow=True).content.decode()
    assert "This customer was deleted a moment ago." in page
    assert "changed successfully" not in page
    [row] = _events(AuditAction.CUSTOMER_UPDATE)
    assert row.outcome == AuditOutcome.INVALID
    assert not LogEntry.objects.filter(action_flag=CHANGE).exists()


@pytest.mark.django_db
def test_customer_edit_refused_permission_is_an_error_message(manager_client, monkeypatch):
    customer = make_customer(name="Old name")

    def refused(*, meta, customer, changed):
        raise services.access_refuse(
            meta=meta, what="change customers", action=AuditAction.CUSTOMER_UPDATE
        )

    monkeypatch.setattr(services, "customer_update", refused)
    response = _edit(manager_client, customer, name="New name")
    assert response.status_code == 302
    assert response["Location"] == f"{CUSTOMERS}{customer.pk}/change/"
    page = manager_client.get(response["Location"]).content.decode()
    assert "You do not have permission to change customers." in page
    customer.refresh_from_db()
    assert customer.name == "Old name"


@pytest.mark.django_db
def test_customer_without_assignments_is_deleted_through_the_service(manager_client):
    customer = make_customer(name="Bianchi SNC")
    assert _delete(manager_client, customer).status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    [row] = _events(AuditAction.CUSTOMER_DELETE)
    assert row.outcome == AuditOutcome.SUCCESS and row.customer_code == customer.customer_code
    assert "Deleted Bianchi SNC" in row.message
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(customer.pk)).exists()


@pytest.mark.django_db
def test_customer_with_assignments_cannot_be_deleted(manager_client):
    customer = make_assignment().customer
    url = f"{CUSTOMERS}{customer.pk}/delete/"
    assert manager_client.get(url).status_code == 403
    assert _delete(manager_client, customer).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.django_db
def test_customer_deletion_the_service_refuses_is_an_error_message_not_a_500(
    manager_client, monkeypatch
):
    customer = make_customer(name="Bianchi SNC")
    delete = services.customer_delete

    def assigned_meanwhile(**kwargs):
        make_assignment(customer=customer)
        return delete(**kwargs)

    monkeypatch.setattr(services, "customer_delete", assigned_meanwhile)
    response = _delete(manager_client, customer)
    assert response.status_code == 302
    assert response["Location"] == f"{CUSTOMERS}{customer.pk}/change/"
    page = manager_client.get(response["Location"]).content.decode()
    assert "Bianchi SNC has licence assignments, so it cannot be deleted." in page
    assert "deleted successfully" not in page
    assert Customer.objects.filter(pk=customer.pk).exists()
    [row] = _events(AuditAction.CUSTOMER_DELETE)
    assert row.outcome == AuditOutcome.INVALID
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


@pytest.mark.django_db
def test_adding_a_customer_goes_to_the_portal_registration(manager_client):
    response = manager_client.get(f"{CUSTOMERS}add/")
    assert response.status_code == 302
    assert response["Location"] == "/customers/new/"


@pytest.mark.django_db
def test_saving_a_customer_as_new_goes_to_the_portal_registration(manager_client):
    customer = make_customer(name="Old name")
    response = _edit(manager_client, customer, name="Copy", _saveasnew="Save as new")
    assert response.status_code == 302
    assert response["Location"] == "/customers/new/"
    assert list(Customer.objects.values_list("name", flat=True)) == ["Old name"]
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_UPDATE).exists()
