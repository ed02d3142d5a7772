"""Finding customers: by name, e-mail or code, whatever a person types into the search."""

import pytest

from licensing import selectors
from tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def test_search_finds_a_customer_by_code_name_or_email():
    rossi = customer_factory(customer_code=1001, name="Rossi Ufficio SRL", email="it@rossi.it")
    customer_factory(customer_code=2002, name="Bianchi SpA")

    for query in ("1001", "rossi", "IT@ROSSI"):
        assert list(selectors.customer_search(query=query)) == [rossi]


@pytest.mark.parametrize("query", ["¹", "٣", "9" * 30])
def test_search_with_digits_that_are_not_a_code_finds_nothing_instead_of_failing(query):
    customer_factory(customer_code=1001, name="Rossi Ufficio SRL")

    assert list(selectors.customer_search(query=query)) == []
