"""A database that refuses to settle: for the tests of a settle failing after the vendor
said yes (as a full disk, a lock that does not clear or a value the columns cannot hold
would make it fail)."""

from django.db import connection


def refuse_active() -> None:
    """From now on, the database refuses any update making an assignment ACTIVE (a
    trigger; gone with the test's transaction, or by `allow_active`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_active() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_active BEFORE UPDATE ON licensing_licenseassignment "
                "FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION test_refuse_active()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_active BEFORE UPDATE ON licensing_licenseassignment "
                "WHEN NEW.status = 'active' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def allow_active() -> None:
    """Undo `refuse_active`."""
    table = " ON licensing_licenseassignment" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER test_refuse_active{table}")
