"""Each customer has an owner: whoever registered it, until a manager hands it over."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import F

from licensing import audit, roles, services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer
from tests.factories import customer_factory, user_factory

pytestmark = pytest.mark.django_db


def meta_for(user) -> audit.RequestMeta:
    return audit.RequestMeta(user=user, ip="127.0.0.1", user_agent="pytest")


def test_whoever_registers_a_customer_owns_it(sandbox_settings, owner):
    customer = services.customer_register(
        meta=meta_for(owner), customer_code=1002, name="Bäckerei Müller"
    )
    assert Customer.objects.get(pk=customer.pk).owner == owner


def test_whoever_creates_a_customer_at_flashstart_owns_it(sandbox_settings, owner):
    customer = services.customer_create(
        meta=meta_for(owner),
        email="it@example.org",
        password="Sup3r-secret-pw",
        customer_name="Anna",
        country_code="IT",
        industry_code="1",
        company_name="Bianchi Srl",
    )
    assert Customer.objects.get(pk=customer.pk).owner == owner


def test_a_manager_hands_a_customer_over_and_the_audit_names_both_people(
    owner, other_owner, manager
):
    customer = customer_factory(owner=owner)
    customer.owner = other_owner

    services.customer_update(meta=meta_for(manager), customer=customer, changed=["owner"])

    assert Customer.objects.get(pk=customer.pk).owner == other_owner
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_UPDATE)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.message == "Changed in the admin: owner: 'sam' → 'olga'"


def test_only_staff_can_own_a_customer(owner, manager):
    outsider = user_factory(username="otto", groups=[])
    customer = customer_factory(owner=owner)
    customer.owner = outsider

    with pytest.raises(services.InputInvalid) as refused:
        services.customer_update(meta=meta_for(manager), customer=customer, changed=["owner"])

    assert "owner" in refused.value.errors
    assert Customer.objects.get(pk=customer.pk).owner == owner


def test_a_salesperson_cannot_hand_a_customer_over(owner, other_owner):
    customer = customer_factory(owner=owner)
    customer.owner = other_owner

    with pytest.raises(services.PermissionRefused):
        services.customer_update(meta=meta_for(owner), customer=customer, changed=["owner"])

    assert Customer.objects.get(pk=customer.pk).owner == owner


def test_managers_change_the_owner_in_the_admin(client, owner, other_owner, manager):
    user_factory(username="nora", groups=[])  # no role: never offered
    customer = customer_factory(owner=owner, name="Rossi", email="", language="en")
    client.force_login(manager)
    url = f"/admin/licensing/customer/{customer.pk}/change/"

    form = client.get(url).content.decode()
    assert 'name="owner"' in form
    # Only staff are offered, each once (a manager who is also in Sales too).
    other_owner.groups.add(Group.objects.get_or_create(name=roles.MANAGERS)[0])
    form = client.get(url).content.decode()
    assert form.count(f'<option value="{other_owner.pk}"') == 1
    assert "nora" not in form

    response = client.post(
        url, {"name": "Rossi", "email": "", "language": "en", "notes": "", "owner": other_owner.pk}
    )

    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).owner == other_owner
    listing = client.get("/admin/licensing/customer/").content.decode()
    assert "column-owner" in listing and "olga" in listing


def test_demo_data_has_owners_with_e_mail_addresses():
    call_command("seed_demo", "--customers", "20", "--assignments", "0", "--events", "0")
    assert not Customer.objects.filter(owner__isnull=True).exists()
    assert not Customer.objects.exclude(owner=F("created_by")).exists()
    assert all(c.owner.email for c in Customer.objects.select_related("owner"))

    call_command("rundemo", "--no-server", stdout=StringIO())
    sandbox_customers = Customer.objects.filter(customer_code__lt=2000)
    assert sandbox_customers.exists()
    assert {c.owner.username for c in sandbox_customers.select_related("owner")} == {"sales"}
    assert Customer.objects.get(customer_code=1001).owner.email == "sales@example.com"
