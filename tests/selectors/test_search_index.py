"""Customer search on PostgreSQL goes through the trigram indexes of migration 0005: their
expressions are the ones Django's `icontains` compares, for the portal's search and the
admin's. On SQLite the migration step does nothing and the search is as it was."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from licensing import selectors
from tests.factories import customer_factory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("licensing.migrations.0006_reports_rollup_and_search")


def _create_indexes() -> None:
    # Idempotent (IF NOT EXISTS): the test database may have been made without migrations.
    with connection.schema_editor() as editor:
        migration.create_trigram_indexes(apps, editor)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: prove usability
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_name_and_email_searches_use_the_trigram_indexes():
    _create_indexes()
    rossi = customer_factory(name="Rossi Ufficio SRL", email="it@rossi.it")
    customer_factory(name="Bianchi SpA", email="info@bianchi.example")

    search = selectors.customer_search(query="ufficio")

    assert list(search) == [rossi]
    plan = _plan(search)
    assert "customer_name_trgm_idx" in plan and "customer_email_trgm_idx" in plan
    assert "customer_name_idx" not in plan  # sorted, not walked in name order
    # Two letters: no trigram to look up, and many names match: the name index is walked.
    assert str(selectors.customer_search(query="ro").query).endswith(
        'ORDER BY "licensing_customer"."name" ASC, "licensing_customer"."customer_code" ASC'
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_the_admin_search_uses_them_too(manager_client):
    _create_indexes()
    customer_factory(name="Rossi Ufficio SRL")
    customer_factory(name="Zenit Dental GmbH")

    page = manager_client.get("/admin/licensing/customer/", {"q": "dental"})

    assert page.status_code == 200
    assert "Zenit Dental GmbH" in page.content.decode()
    assert "Rossi Ufficio" not in page.content.decode()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's own path")
def test_on_sqlite_the_index_step_does_nothing_and_search_works_as_before():
    class Editor:  # what the migration step is given; it must run nothing here
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params=()):
            raise AssertionError(f"ran on SQLite: {sql}")

    migration.create_trigram_indexes(apps, Editor())
    migration.drop_trigram_indexes(apps, Editor())
    rossi = customer_factory(name="Rossi Ufficio SRL")

    assert list(selectors.customer_search(query="UFFICIO")) == [rossi]
    assert str(selectors.customer_search(query="x").query).endswith(
        'ORDER BY "licensing_customer"."name" ASC, "licensing_customer"."customer_code" ASC'
    )
