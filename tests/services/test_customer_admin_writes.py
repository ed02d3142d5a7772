"""customer_update and customer_delete: the writes managers make in the admin."""

import pytest

from licensing import services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer
from tests.factories import assignment_factory, customer_factory


def only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [(e.outcome, e.message) for e in events]
    return events[0]


# --- customer_update ---------------------------------------------------------------------


def test_update_saves_the_changed_fields_and_names_them_in_the_audit(manager_meta):
    customer = customer_factory(name="Old name", language="en", notes="kept")
    customer.name, customer.language = "New name", "it"

    services.customer_update(meta=manager_meta, customer=customer, changed=["name", "language"])

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.language, stored.notes) == ("New name", "it", "kept")
    event = only_event(AuditAction.CUSTOMER_UPDATE)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.customer_code == customer.customer_code
    assert event.actor == manager_meta.user
    assert event.message == (
        "Changed in the admin: name: 'Old name' → 'New name'; language: 'en' → 'it'"
    )


def test_update_writes_only_the_fields_named_as_changed(manager_meta):
    customer = customer_factory(name="Old name", notes="old notes")
    customer.name, customer.notes = "New name", "not meant to be saved"

    services.customer_update(meta=manager_meta, customer=customer, changed=["name"])

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.notes) == ("New name", "old notes")


def test_update_with_nothing_changed_writes_nothing(manager_meta):
    customer = customer_factory()

    services.customer_update(meta=manager_meta, customer=customer, changed=[])

    assert not AuditEvent.objects.exists()


def test_update_with_an_invalid_value_is_refused_and_audited(manager_meta):
    customer = customer_factory(email="old@example.com")
    customer.email = "not an e-mail"

    with pytest.raises(services.InputInvalid) as refused:
        services.customer_update(meta=manager_meta, customer=customer, changed=["email"])

    assert "email" in refused.value.errors
    assert Customer.objects.get(pk=customer.pk).email == "old@example.com"
    event = only_event(AuditAction.CUSTOMER_UPDATE)
    assert event.outcome == AuditOutcome.INVALID
    assert event.message.startswith("Refused: E-mail: ")  # fields named by their labels


def test_update_of_the_customer_code_is_refused(manager_meta):
    customer = customer_factory(customer_code=900_999)
    customer.customer_code = 999

    with pytest.raises(services.InputInvalid):
        services.customer_update(meta=manager_meta, customer=customer, changed=["customer_code"])

    assert Customer.objects.filter(customer_code=900_999).exists()
    assert only_event(AuditAction.CUSTOMER_UPDATE).outcome == AuditOutcome.INVALID


def test_update_by_a_salesperson_is_refused_and_audited(sales_meta):
    customer = customer_factory(name="Old name")
    customer.name = "New name"

    with pytest.raises(services.PermissionRefused):
        services.customer_update(meta=sales_meta, customer=customer, changed=["name"])

    assert Customer.objects.get(pk=customer.pk).name == "Old name"
    assert only_event(AuditAction.CUSTOMER_UPDATE).outcome == AuditOutcome.DENIED


def test_update_of_a_customer_deleted_meanwhile_is_refused(manager_meta):
    customer = customer_factory()
    Customer.objects.filter(pk=customer.pk).delete()
    customer.name = "New name"

    with pytest.raises(services.InputInvalid):
        services.customer_update(meta=manager_meta, customer=customer, changed=["name"])

    assert not Customer.objects.exists()
    assert only_event(AuditAction.CUSTOMER_UPDATE).outcome == AuditOutcome.INVALID


# --- customer_delete ---------------------------------------------------------------------


def test_delete_forgets_a_customer_without_assignments_and_audits_it(manager_meta):
    customer = customer_factory(customer_code=900_555, name="Bianchi SNC")

    services.customer_delete(meta=manager_meta, customer=customer)

    assert not Customer.objects.filter(customer_code=900_555).exists()
    event = only_event(AuditAction.CUSTOMER_DELETE)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.customer_code == 900_555
    assert event.message == "Deleted Bianchi SNC (900555) in the admin; it had no assignments."


def test_delete_of_a_customer_with_assignments_is_refused_and_audited(manager_meta):
    customer = assignment_factory().customer

    with pytest.raises(services.InputInvalid) as refused:
        services.customer_delete(meta=manager_meta, customer=customer)

    assert refused.value.errors == {
        "__all__": [f"{customer.name} has licence assignments, so it cannot be deleted."]
    }
    assert Customer.objects.filter(pk=customer.pk).exists()
    event = only_event(AuditAction.CUSTOMER_DELETE)
    assert event.outcome == AuditOutcome.INVALID
    assert event.customer_code == customer.customer_code


def test_delete_by_a_salesperson_is_refused_and_audited(sales_meta):
    customer = customer_factory()

    with pytest.raises(services.PermissionRefused):
        services.customer_delete(meta=sales_meta, customer=customer)

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert only_event(AuditAction.CUSTOMER_DELETE).outcome == AuditOutcome.DENIED


def test_delete_of_a_customer_already_deleted_is_refused(manager_meta):
    customer = customer_factory()
    Customer.objects.filter(pk=customer.pk).delete()

    with pytest.raises(services.InputInvalid):
        services.customer_delete(meta=manager_meta, customer=customer)

    assert only_event(AuditAction.CUSTOMER_DELETE).outcome == AuditOutcome.INVALID
