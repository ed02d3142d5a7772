"""Every form page, fed generated input through the test client: never a server error,
and every rejection says why on the page.

Values are a mix of what a person would type, what a browser could send (empty, missing,
very long, control characters, NUL, other scripts, numbers out of range) and what an
attacker would try (markup, SQL, forged hidden fields). Valid submissions go through to
the sandbox and change things, as they would.
"""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from licensing import audit, roles, selectors
from licensing import forms as portal_forms
from licensing.forms import AuditFilterForm
from licensing.models import AssignmentStatus, AuditAction, AuditEvent, AuditOutcome
from tests.factories import assignment_factory, customer_factory, user_factory

FUZZ = hypothesis_settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
# What a page shows when it refuses input (portal forms, alerts, the admin's forms).
MESSAGE_MARKERS = ('class="field-error"', 'role="alert"', "errornote", "errorlist")

EDGE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\t\n\r",
        "<script>alert(1)</script>",
        "' OR '1'='1' --",
        "😀" * 40,
        "x" * 5000,
        "١٢٣",
        "-1",
        "0",
        "1e309",
        "99999999999999999999999",
        "NaN",
        "2022-02-30",
        "9999-12-31",
        "0001-01-01",
        "null",
        "[]",
        "{}",
        "%00",
        "../../etc/passwd",
    ]
)
TEXT = st.one_of(
    EDGE,
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300),
)
INTEGERS = st.one_of(st.integers(min_value=-(10**20), max_value=10**20).map(str), TEXT)


def fields(**strategies) -> st.SearchStrategy[dict]:
    """A form submission: each field present or missing, plus stray extra fields."""
    return st.fixed_dictionaries({}, optional=strategies).flatmap(
        lambda data: st.dictionaries(st.text(max_size=10), TEXT, max_size=2).map(
            lambda extra: {**extra, **data}
        )
    )


def shows_a_message(page: str) -> bool:
    return any(marker in page for marker in MESSAGE_MARKERS)


@pytest.fixture
def world(sandbox_settings, db):
    customer = customer_factory(customer_code=1001, name="Rossi Ufficio SRL", language="en")
    sandbox_settings.state.set_balances({"EUR": "100000000"})
    sales = user_factory(groups=[roles.SALES], username="fuzz-sales")
    manager = user_factory(groups=[roles.MANAGERS], username="fuzz-manager")
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in (("sales", sales), ("manager", manager)):
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    item = selectors.license_quote(customer=customer, license_code="CL-Q-A005-M12")
    return {
        "customer": customer,
        "clients": clients,
        "quote": portal_forms.quote_sign(portal_forms.quote_data(item)),
        "sandbox": sandbox_settings,
    }


def check_post(client, path: str, data: dict) -> None:
    response = client.post(path, data)
    assert response.status_code < 500, f"{path}: {response.status_code} for {data!r}"
    if response.status_code == 200:
        page = response.content.decode()
        assert shows_a_message(page), f"{path}: refused without a message for {data!r}"
    else:
        assert response.status_code in (302, 429), f"{path}: {response.status_code}"


def check_get(client, path: str, params: dict, form=None) -> str:
    response = client.get(path, params)
    assert response.status_code < 500, f"{path}: {response.status_code} for {params!r}"
    page = response.content.decode() if not response.streaming else ""
    if form is not None and form.is_bound and not form.is_valid() and response.status_code == 200:
        assert shows_a_message(page), f"{path}: invalid filter without a message {params!r}"
    return page


# --- staff pages --------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_login_form(world, data):
    submission = data.draw(fields(username=TEXT, password=TEXT))
    client = Client(REMOTE_ADDR=f"10.{data.draw(st.integers(0, 255))}.0.1")
    check_post(client, "/accounts/login/", submission)


@FUZZ
@given(data=st.data())
def test_link_customer_form(world, data):
    submission = data.draw(
        fields(
            customer_code=st.one_of(st.sampled_from(["1002", "1003", "1001", "424242"]), INTEGERS),
            name=TEXT,
            email=st.one_of(st.emails(), TEXT),
            language=st.one_of(st.sampled_from(["en", "it", "de", "es"]), TEXT),
            notes=TEXT,
        )
    )
    check_post(world["clients"]["sales"], "/customers/new/", {**submission, "mode": "link"})


@FUZZ
@given(data=st.data())
def test_create_customer_form(world, data):
    submission = data.draw(
        fields(
            customer_name=TEXT,
            customer_surname=TEXT,
            company_name=TEXT,
            email=st.one_of(st.emails(), TEXT),
            password=st.one_of(st.just("Fuzz-Pass-1234"), TEXT),
            country_code=st.one_of(st.sampled_from(["IT", "DE", "XX", "it"]), TEXT),
            industry_code=st.one_of(st.sampled_from(["1", "5", "99"]), INTEGERS),
            phone=st.one_of(st.from_regex(r"\+?[0-9 ]{4,20}", fullmatch=True), TEXT),
            lang=st.one_of(st.sampled_from(["en", "it"]), TEXT),
            notes=TEXT,
        )
    )
    check_post(
        world["clients"]["sales"], "/customers/new/?mode=create", {**submission, "mode": "create"}
    )


@FUZZ
@given(data=st.data())
def test_assign_form(world, data):
    submission = data.draw(
        fields(
            token=st.one_of(st.uuids().map(str), TEXT),
            quote=st.one_of(st.just(world["quote"]), st.just(world["quote"] + "x"), TEXT),
            license_info=st.one_of(st.from_regex(r"[A-Za-z0-9 -]{1,30}", fullmatch=True), TEXT),
        )
    )
    url = "/customers/1001/assign/?license_code=CL-Q-A005-M12&currency_code=EUR"
    check_post(world["clients"]["sales"], url, submission)


@FUZZ
@given(data=st.data())
def test_demo_form(world, data):
    submission = data.draw(
        fields(
            token=st.one_of(st.uuids().map(str), TEXT),
            lang=st.one_of(st.sampled_from(["en", "it", "es", "de"]), TEXT),
        )
    )
    check_post(world["clients"]["sales"], "/customers/1001/demo/", submission)


@FUZZ
@given(data=st.data())
def test_suspend_and_resume_forms(world, data):
    licence = world["sandbox"].state.assign(
        customer_code=1001,
        item=__import__("licensing.upstream.sandbox.catalogue", fromlist=["ITEMS"]).ITEMS[
            "CL-Q-A005-M1"
        ],
        license_info="Fuzz",
        currency_code="EUR",
    )
    assignment = assignment_factory(customer=world["customer"], license_id=licence.license_id)
    client = world["clients"]["sales"]
    check_post(client, f"/assignments/{assignment.pk}/suspend/", data.draw(fields(reason=TEXT)))
    check_post(client, f"/assignments/{assignment.pk}/resume/", data.draw(fields()))


@FUZZ
@given(data=st.data())
def test_resolve_form(world, data):
    assignment = assignment_factory(
        customer=world["customer"], status=AssignmentStatus.UNKNOWN, amount=Decimal("5")
    )
    submission = data.draw(
        fields(
            outcome=st.one_of(st.sampled_from(["assigned", "failed"]), TEXT),
            license_id=st.one_of(
                st.from_regex(r"[0-9]{3,8}", fullmatch=True), st.just(str(uuid.uuid4())), TEXT
            ),
            expiry_date=st.one_of(st.dates().map(str), TEXT),
            note=TEXT,
        )
    )
    check_post(world["clients"]["manager"], f"/assignments/{assignment.pk}/resolve/", submission)


# --- filters (GET forms) --------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_customer_search(world, data):
    params = data.draw(fields(q=TEXT, page=INTEGERS))
    check_get(world["clients"]["sales"], "/customers/", params)


@FUZZ
@given(data=st.data())
def test_catalogue_filters(world, data):
    params = data.draw(
        fields(
            lang=st.one_of(st.sampled_from(["en", "it", "xx"]), TEXT),
            version_code=st.one_of(st.sampled_from(["0", "1", "2", "7"]), INTEGERS),
            license_duration=st.one_of(st.sampled_from(["1", "12", "5"]), INTEGERS),
            currency_code=st.one_of(st.sampled_from(["EUR", "USD", "XXX"]), TEXT),
        )
    )
    form = portal_forms.CatalogueFilterForm(
        params or None,
        versions=selectors.directory("versions"),
        currencies=selectors.directory("currencies"),
    )
    check_get(world["clients"]["sales"], "/customers/1001/catalogue/", params, form)


@FUZZ
@given(data=st.data())
def test_audit_filters_and_exports(world, data):
    # The first and last days Python can represent are their own (expected-failure) test.
    dates = st.one_of(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)), TEXT)
    dates = dates.map(str).filter(lambda value: value not in EXTREME_DAYS)
    params = data.draw(
        fields(
            date_from=dates,
            date_to=dates,
            actor=TEXT,
            action=st.one_of(st.sampled_from(["license_assign", "login", "nope"]), TEXT),
            outcome=st.one_of(st.sampled_from(["success", "denied", "nope"]), TEXT),
            customer=INTEGERS,
            before=INTEGERS,
            after=INTEGERS,
        )
    )
    client = world["clients"]["manager"]
    form = AuditFilterForm(params)
    check_get(client, "/audit/", params, form)
    exported = client.get("/audit/export.csv", params)
    assert exported.status_code in (200, 400), exported.status_code
    if exported.status_code == 400:
        assert shows_a_message(exported.content.decode())


EXTREME_DAYS = ("0001-01-01", "9999-12-31")
AUDIT_PATHS = ("/audit/", "/audit/export.csv", "/audit/export.xlsx")


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("path", AUDIT_PATHS)
def test_the_first_and_last_representable_days_are_answered(world, path, field, day):
    client = world["clients"]["manager"]

    response = client.get(path, {field: day})

    assert response.status_code == 200, (path, field, day, response.status_code)


def test_a_range_over_all_of_time_lists_every_row_and_an_empty_one_none(world):
    for _ in range(3):
        audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)
    client = world["clients"]["manager"]
    everything = client.get("/audit/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    nothing = client.get("/audit/", {"date_from": "9999-12-31", "date_to": "9999-12-31"})

    assert len(everything.context["page"].events) == AuditEvent.objects.count() >= 3
    assert nothing.status_code == 200 and nothing.context["page"].events == []


@pytest.mark.parametrize(
    "query",
    [
        "created_at__gte=0001-01-01&created_at__lt=9999-12-31",
        "created_at__gte=0001-01-01+00:00:00",
        "created_at__lt=9999-12-31+23:59:59",
        "created_at__gte=9999-12-31&created_at__lt=0001-01-01",
    ],
)
@pytest.mark.parametrize("model", ["auditevent", "licenseassignment", "customer"])
def test_the_admins_date_filters_clamp_the_extreme_days(world, model, query):
    client = world["clients"]["manager"]

    response = client.get(f"/admin/licensing/{model}/?{query}")

    assert response.status_code == 200, (model, query, response.status_code)
