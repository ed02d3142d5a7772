"""Registering customers: by code (checked at the vendor) or created at the vendor."""

import pytest

from licensing import services
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer

NEW = {
    "email": "it@example.org",
    "password": "Sup3r-secret-pw",
    "customer_name": "Anna",
    "customer_surname": "Bianchi",
    "country_code": "IT",
    "industry_code": "1",
    "company_name": "Bianchi Srl",
}


def test_register_known_code(sandbox_settings, sales_meta):
    c = services.customer_register(meta=sales_meta, customer_code=1002, name="Bäckerei Müller")
    assert Customer.objects.get(customer_code=1002) == c
    assert AuditEvent.objects.order_by("-seq").first().action == AuditAction.CUSTOMER_REGISTER


def test_register_unknown_code_is_refused_clearly(sandbox_settings, sales_meta):
    with pytest.raises(services.InputInvalid) as exc:
        services.customer_register(meta=sales_meta, customer_code=987654, name="Ghost")
    assert "does not know customer code 987654" in exc.value.errors["customer_code"][0]
    assert not Customer.objects.exists()


def test_register_twice_is_refused(sandbox_settings, sales_meta, customer):
    with pytest.raises(services.InputInvalid) as exc:
        services.customer_register(meta=sales_meta, customer_code=1001, name="Again")
    assert "already registered" in exc.value.errors["customer_code"][0]


def test_register_when_vendor_down(settings, sales_meta):
    settings.FLASHSTART_API_URL = "http://127.0.0.1:9/"
    with pytest.raises(services.InputInvalid) as exc:
        services.customer_register(meta=sales_meta, customer_code=1002, name="X")
    assert "not answering" in exc.value.errors["__all__"][0]


def test_create_at_vendor_registers_it_and_never_keeps_the_password(sandbox_settings, sales_meta):
    c = services.customer_create(meta=sales_meta, **NEW)
    assert c.customer_code and c.name == "Bianchi Srl"
    assert sandbox_settings.state.customer(c.customer_code) is not None
    for event in AuditEvent.objects.all():
        assert NEW["password"] not in event.sent + event.answer + event.message
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.outcome) == (AuditAction.CUSTOMER_CREATE, AuditOutcome.SUCCESS)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"country_code": "XX"}, "country_code"),
        ({"industry_code": "999"}, "industry_code"),
        ({"company_name": ""}, "company_name"),
    ],
)
def test_create_checks_vendor_rules_locally(sandbox_settings, sales_meta, change, field):
    with pytest.raises(services.InputInvalid) as exc:
        services.customer_create(meta=sales_meta, **{**NEW, **change})
    assert field in exc.value.errors
    assert sandbox_settings.state.snapshot()["requests"].get("customer_new", 0) == 0


def test_family_needs_no_company(sandbox_settings, sales_meta):
    from licensing import upstream

    family = next(
        c.value for c in upstream.get_client().industries() if "family" in c.label.lower()
    )
    c = services.customer_create(
        meta=sales_meta, **{**NEW, "company_name": "", "industry_code": family}
    )
    assert c.name == "Anna Bianchi"


def test_create_refused_for_outsider(sandbox_settings, nobody_meta):
    with pytest.raises(services.PermissionRefused):
        services.customer_create(meta=nobody_meta, **NEW)


def test_dashboard_link_is_audited_without_token(sandbox_settings, sales_meta, customer):
    url = services.dashboard_link(meta=sales_meta, customer=customer)
    assert url.startswith("https://cloud.flashstart.com/?auth_token=")
    token = url.split("auth_token=", 1)[1]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == AuditAction.DASHBOARD_OPEN and event.outcome == AuditOutcome.SUCCESS
    assert token not in event.sent + event.answer + event.message
    assert "issued" in event.message


def test_every_local_mistake_is_refused_at_once_and_audited_with_field_labels(
    sandbox_settings, sales_meta
):
    wrong = {**NEW, "email": "nope", "company_name": "", "phone": "call me", "country_code": "XX"}

    with pytest.raises(services.InputInvalid) as exc:
        services.customer_create(meta=sales_meta, **wrong)

    assert set(exc.value.errors) == {"email", "company_name", "phone", "country_code"}
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CREATE)
    assert event.message.startswith("Refused: E-mail: Enter a valid e-mail address. ")
    assert "Company name: " in event.message and "Country: " in event.message
    assert "company_name" not in event.message and "__all__" not in event.message
    assert sandbox_settings.state.requests["customer_new"] == 0
