"""The home page: each person's work ahead; a manager's is the team's."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import audit, roles
from licensing.models import AssignmentKind, AssignmentStatus, AuditAction, AuditOutcome, Renewal
from tests.factories import PASSWORD, make_assignment, make_customer, user_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    return user_factory(username="carl", groups=[roles.SALES])


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def act(user, customer, action=AuditAction.LICENSE_ASSIGN, message="did it"):
    return audit.record(
        meta=audit.RequestMeta(user=user),
        action=action,
        outcome=AuditOutcome.SUCCESS,
        customer_code=customer.customer_code if customer else None,
        message=message,
    )


def test_signing_in_lands_on_the_home_page(client, sales_user):
    response = client.post(
        "/accounts/login/", {"username": "sally", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "My work" in response.content.decode()


def test_a_salesperson_sees_their_own_work_and_not_their_colleagues(
    sales_client, sales_user, colleague
):
    mine = make_customer(owner=sales_user, name="Mine Srl")
    theirs = make_customer(owner=colleague, name="Theirs GmbH")
    expiring = make_assignment(mine, expiry_date=days(3), amount=None, quoted_amount=None)
    expiring.amount = "49.90"
    expiring.save()
    lapsing = make_assignment(mine, expiry_date=days(20), renewal=Renewal.SUSPENDED)
    make_assignment(theirs, expiry_date=days(3))
    # Unknown outcomes: on my customer (by anyone), or started by me on anyone's.
    on_mine = make_assignment(mine, status=AssignmentStatus.UNKNOWN, created_by=colleague)
    demo = make_assignment(mine, kind=AssignmentKind.DEMO, expiry_date=days(1))
    make_assignment(theirs, kind=AssignmentKind.DEMO, expiry_date=days(1))
    by_me = make_assignment(theirs, status=AssignmentStatus.UNKNOWN, created_by=sales_user)
    make_assignment(theirs, status=AssignmentStatus.UNKNOWN, created_by=colleague)
    act(sales_user, mine, message="my own action")
    act(colleague, theirs, message="a colleague's action")
    act(sales_user, None, action=AuditAction.LOGIN, message="signing in is not work")

    page = sales_client.get("/").content.decode()

    assert "My work" in page
    assert "Mine Srl" in page and "Theirs GmbH" in page  # theirs: only through my unknown one
    assert f"/customers/{mine.customer_code}/#assignment-{expiring.pk}" in page
    assert "in 3 days" in page and "Renews, about" in page
    assert f"/assignments/{expiring.pk}/suspend/" in page
    assert f"/assignments/{lapsing.pk}/resume/" in page and "lapses" in page
    assert f"/customers/{demo.customer.customer_code}/catalogue/" in page and "tomorrow" in page
    assert f"#assignment-{on_mine.pk}" in page and f"#assignment-{by_me.pk}" in page
    assert "do not assign again" in page and "/resolve/" not in page
    assert "my own action" in page
    assert "a colleague&#x27;s action" not in page and "signing in is not work" not in page
    home = sales_client.get("/").context["home"]
    assert (home.expiring.count, home.demos.count, home.waiting.count) == (2, 1, 2)


def test_a_manager_sees_the_teams_work_or_only_their_own(manager_client, manager_user, colleague):
    theirs = make_customer(owner=colleague, name="Theirs GmbH")
    make_assignment(theirs, expiry_date=days(5))
    unknown = make_assignment(theirs, status=AssignmentStatus.UNKNOWN, created_by=colleague)
    act(colleague, theirs, message="a colleague's action")

    page = manager_client.get("/").content.decode()

    assert "The team's work" in page
    assert "Theirs GmbH" in page and ">carl<" in page  # the owner column
    assert f"/assignments/{unknown.pk}/resolve/" in page
    assert "a colleague&#x27;s action" in page and "by carl" in page

    mine_only = manager_client.get("/?scope=mine")
    assert mine_only.context["home"].team is False
    assert "Theirs GmbH" not in mine_only.content.decode()


def test_an_empty_home_says_what_to_do(sales_client):
    page = sales_client.get("/").content.decode()

    assert "Nothing expires in the next 30 days." in page
    assert "No demo to follow up." in page
    assert "Nothing is waiting." in page
    assert 'href="/customers/"' in page


def test_a_demo_followed_by_a_paid_licence_leaves_the_list(sales_client, sales_user):
    customer = make_customer(owner=sales_user)
    demo = make_assignment(
        customer,
        kind=AssignmentKind.DEMO,
        expiry_date=days(-3),
        created_at=timezone.now() - timedelta(days=27),
    )
    assert sales_client.get("/").context["home"].demos.items == [demo]
    assert "3 days ago" in sales_client.get("/").content.decode()

    make_assignment(customer)  # bought

    assert sales_client.get("/").context["home"].demos.items == []


def test_someone_without_a_role_is_refused(client, nobody_user):
    client.force_login(nobody_user)
    assert client.get("/").status_code == 403


def _populate(n: int, owner, colleague) -> None:
    for i in range(n):
        customer = make_customer(owner=owner if i % 2 else colleague)
        make_assignment(customer, expiry_date=days(i % 30), created_by=owner)
        make_assignment(customer, kind=AssignmentKind.DEMO, expiry_date=days(i % 7))
        make_assignment(make_customer(owner=owner), status=AssignmentStatus.UNKNOWN)
        act(owner, customer)
        act(colleague, customer)


@pytest.mark.parametrize("who", ["sales", "manager"])
def test_the_number_of_queries_does_not_grow_with_the_data(
    who, client, sales_user, manager_user, colleague, django_assert_num_queries
):
    user = sales_user if who == "sales" else manager_user
    client.force_login(user)
    _populate(3, user, colleague)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/")
    assert page.status_code == 200
    home = page.context["home"]
    assert home.expiring.count and home.demos.count and home.waiting.count and home.actions

    _populate(40, user, colleague)
    with django_assert_num_queries(len(few.captured_queries)):
        many = client.get("/")
    assert many.context["home"].expiring.count > home.expiring.count
    # The page's own reads: (the salesperson's customers;) three sections, each counted
    # and listed; the actions and their customers; the approvals waiting (none: counted).
    from licensing import selectors

    with django_assert_num_queries(9 if who == "manager" else 10):
        selectors.home.home(user=user, team=who == "manager")


@pytest.mark.parametrize("few_customers", [0, 2000])
def test_both_ways_of_finding_my_customers_lines_agree(
    few_customers, monkeypatch, sales_user, colleague
):
    from licensing import selectors

    monkeypatch.setattr(selectors.home, "FEW_CUSTOMERS", few_customers)
    _populate(12, sales_user, colleague)

    home = selectors.home.home(user=sales_user, team=False)

    owned = {c.pk for c in sales_user.owned_customers.all()}
    assert home.expiring.count == 6 and {a.customer_id for a in home.expiring.items} <= owned
    assert home.demos.count == 6 and {a.customer_id for a in home.demos.items} <= owned
    assert home.waiting.count == 12  # on customers of mine (the unknown ones)


def test_counts_stop_at_the_cap(sales_client, sales_user, monkeypatch):
    from licensing import selectors

    monkeypatch.setattr(selectors.home, "COUNT_CAP", 4)
    customer = make_customer(owner=sales_user)
    for i in range(6):
        make_assignment(customer, expiry_date=days(i))

    response = sales_client.get("/")

    assert response.context["home"].expiring.count == 5  # read no further than the cap + 1
    assert "4+" in response.content.decode()
