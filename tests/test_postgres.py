"""The same migrations and a full sync on PostgreSQL (agencies share one PostgreSQL across portals)."""


import pytest
import sqlalchemy as sa

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def pg_url(pg_database):
    """A throw-away PostgreSQL database (conftest: skipped without a server, a failure when CI is set)."""
    return pg_database()


def test_sync_on_postgresql_then_second_sync_writes_nothing(connector, sandbox, pg_url):
    connector.env["DATABASE_URL"] = pg_url
    connector.run("setup")
    first = connector.sync_json()
    assert first["status"] == "ok" and first["contacts_updated"] >= 200
    second = connector.sync_json()
    assert second["property_values_written"] == 0
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from score")).scalar() >= 200
        assert conn.execute(sa.text("select version_num from alembic_version")).scalar()
    engine.dispose()


def test_nul_in_a_name_on_postgresql_is_quarantined_and_the_run_goes_on(connector, sandbox, pg_url):
    connector.env["DATABASE_URL"] = pg_url
    bad = sandbox.create_contact({"email": "nul.pg@example.org", "firstname": "Nul\x00Name"})
    connector.run("setup")
    first = connector.sync_json()
    assert first["status"] == "ok" and first["quarantined"] == 1 and first["contacts_updated"] >= 200
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select source, record_id, field from quarantine")).all() == [
            ("contact", bad, "firstname")]
    engine.dispose()
    assert connector.sync_json()["status"] == "ok"
