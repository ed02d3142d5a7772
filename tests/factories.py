"""Test data: factory_boy factories with sensible defaults; override any field by keyword.

    UserFactory(groups=[roles.MANAGERS])    a user in those groups (Sales by default)
    CustomerFactory(name="Rossi")           a registered customer
    AssignmentFactory(status="unknown")     a paid licence, active unless told otherwise
    AuditEventFactory(action=...)           one row appended through `audit.record`

The lower-case functions below (`user_factory`, `make_assignment`, ...) are the older
spellings the suites use; they keep their defaults and go through the factories.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from licensing import audit, roles
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Customer,
    LicenseAssignment,
    Renewal,
)

PASSWORD = "correct-horse-battery-staple"


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = roles.SALES


class UserFactory(DjangoModelFactory):
    """A user who can sign in with PASSWORD, in `groups` (names or Groups; Sales by default)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n + 1}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password it is given, overridden or not.
        return model_class._default_manager.create_user(*args, **kwargs)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if not create:
            return
        for group in (roles.SALES,) if extracted is None else extracted:
            self.groups.add(group if isinstance(group, Group) else GroupFactory(name=group))


class CustomerFactory(DjangoModelFactory):
    """A registered customer. Codes 1001-1006 are the sandbox's seed customers: not used here."""

    class Meta:
        model = Customer

    customer_code = factory.Sequence(lambda n: 900_001 + n)
    name = factory.Sequence(lambda n: f"Customer {n + 1}")
    email = factory.Sequence(lambda n: f"customer{n + 1}@example.com")
    language = "en"


class AssignmentFactory(DjangoModelFactory):
    """An active paid licence, renewing, expiring in a year.

    A licence that is not active has no vendor licence id unless one is given.
    """

    class Meta:
        model = LicenseAssignment

    customer = factory.SubFactory(CustomerFactory)
    kind = AssignmentKind.PAID
    license_code = "CL-Q-A005-M12"
    license_name = "Business Filter License"
    license_info = "Headquarter"
    status = AssignmentStatus.ACTIVE
    license_id = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status == AssignmentStatus.ACTIVE),
        yes_declaration=factory.Sequence(lambda n: str(50_001 + n)),
        no_declaration=None,
    )
    renewal = Renewal.ON
    start_date = factory.LazyFunction(timezone.localdate)
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    amount = Decimal("50.00")
    quoted_amount = Decimal("50.00")
    currency = "EUR"
    points = Decimal("0.5")


class AuditEventFactory(factory.Factory):
    """One audit row, appended through `audit.record`: rows are hash-chained, so a row saved
    any other way would break the chain (and the table refuses updates)."""

    class Meta:
        model = AuditEvent

    meta = None
    action = AuditAction.LOGIN
    outcome = AuditOutcome.SUCCESS
    message = factory.Sequence(lambda n: f"event {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return audit.record(*args, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("audit rows are only made by audit.record: use create(), not build()")


# --- the suites' spellings ------------------------------------------------------------------


def user_factory(*, groups=(roles.SALES,), username=None, password=PASSWORD, **fields):
    """A user in `groups` (Sales by default; pass groups=[] for a user with no role)."""
    if username is not None:
        fields["username"] = username
    return UserFactory(groups=groups, password=password, **fields)


def customer_factory(**fields) -> Customer:
    """A registered customer (codes from 900001). Codes 1001-1006 are the sandbox's seed."""
    return CustomerFactory(**fields)


def assignment_factory(*, customer=None, **fields) -> LicenseAssignment:
    """An active paid licence, renewing, expiring in a year (override to taste)."""
    if customer is not None:
        fields["customer"] = customer
    return AssignmentFactory(**fields)


# Compact customers and licences for the managers' tests: codes from 700001, no e-mail,
# "FS-1Y" licences with LIC-n ids, and nothing but the status for one not active.
_codes = itertools.count(700_001)
_license_ids = itertools.count(1)


def make_customer(**fields) -> Customer:
    code = fields.pop("customer_code", None) or next(_codes)
    fields.setdefault("name", f"Customer {code}")
    fields.setdefault("email", "")
    return CustomerFactory(customer_code=code, **fields)


def make_assignment(customer=None, **fields) -> LicenseAssignment:
    kind = fields.pop("kind", AssignmentKind.PAID)
    status = fields.pop("status", AssignmentStatus.ACTIVE)
    values = {
        "customer": customer or make_customer(),
        "kind": kind,
        "status": status,
        "license_code": "FS-1Y" if kind == AssignmentKind.PAID else "demo",
        "license_name": "FlashStart 1 year",
        "license_info": "",
        "license_id": None,
        "start_date": None,
        "expiry_date": None,
        "amount": None,
        "quoted_amount": None,
        "points": None,
        "currency": "EUR",
    }
    if status == AssignmentStatus.ACTIVE:
        today = timezone.localdate()
        values.update(
            license_id=f"LIC-{next(_license_ids)}",
            start_date=today,
            expiry_date=today + timedelta(days=365),
            amount=Decimal("12.50") if kind == AssignmentKind.PAID else None,
        )
    values.update(fields)
    return AssignmentFactory(**values)


def make_events(n: int, **fields) -> list[AuditEvent]:
    """`n` audit rows through `audit.record`, messages "event 0" ... (or "<message> i")."""
    message = fields.pop("message", "event")
    return [AuditEventFactory(message=f"{message} {i}", **fields) for i in range(n)]
