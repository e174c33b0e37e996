"""State database: migrations recorded in the DB, applied from blank, idempotent; private file modes."""

import os
import stat

import pytest
import sqlalchemy as sa

from connector.db import current_revision, make_engine, migrate, migration_heads
from connector.models import SQLModel


@pytest.mark.both_databases
def test_migrations_from_blank_database_create_every_table(database_url):
    engine = make_engine(database_url())
    applied = migrate(engine)
    assert applied == migration_heads()
    assert current_revision(engine) == migration_heads()[-1]
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.both_databases
def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url())
    migrate(engine)
    inspector = sa.inspect(engine)
    for name, table in SQLModel.metadata.tables.items():
        columns = {c["name"] for c in inspector.get_columns(name)}
        assert columns == {c.name for c in table.columns}, name


@pytest.mark.both_databases
def test_second_migrate_applies_nothing(database_url):
    engine = make_engine(database_url())
    migrate(engine)
    assert migrate(engine) == []


def test_sqlite_file_is_private(tmp_path):
    path = tmp_path / "sub" / "state.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_looser_mode_is_tightened(tmp_path):
    path = tmp_path / "loose.db"
    path.touch()
    os.chmod(path, 0o644)
    make_engine(f"sqlite:///{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_upgrade_from_previous_schema_keeps_data(tmp_path):
    from alembic import command

    from connector.db import _alembic_config
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, migration_heads()[0])
    with engine.begin() as conn:
        conn.execute(sa.text("insert into score (contact_id, value, band, suppressed, reasons, model_version, "
                             "computed_at, touch_count) values ('7', 81.5, 'fan', 0, 'r', 'v1', '2026-01-01', 3)"))
    applied = migrate(engine)
    assert applied == migration_heads()[1:]
    with engine.connect() as conn:
        row = conn.execute(sa.text("select value, band, horizon_exit_ms from score where contact_id = '7'")).one()
    assert tuple(row) == (81.5, "fan", None)


def test_unknown_migration_in_db_is_a_state_error(tmp_path):
    import pytest

    from connector.errors import StateError
    engine = make_engine(f"sqlite:///{tmp_path}/future.db")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("update alembic_version set version_num = '9999_future'"))
    with pytest.raises(StateError, match="9999_future"):
        migrate(engine)


def test_upgrade_keys_stored_email_events_by_id_and_created(tmp_path):
    from alembic import command

    from connector.db import _alembic_config
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_email_campaign")
    with engine.begin() as conn:
        conn.execute(sa.text("insert into touchpoint (source, source_id, kind, occurred_ms) values "
                             "('email_event', 'ev-1', 'email_open', 1767225600000), "
                             "('web_event', 'wv-1', 'page_view', 1767225600000)"))
    migrate(engine)
    with engine.connect() as conn:
        ids = sorted(r[0] for r in conn.execute(sa.text("select source_id from touchpoint")))
    assert ids == ["ev-1@1767225600000", "wv-1"]


def test_known_migrations_are_alembics_chain():
    from alembic.script import ScriptDirectory

    from connector.db import _alembic_config
    script = ScriptDirectory.from_config(_alembic_config())
    assert migration_heads() == [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert migration_heads()[-1] == script.get_current_head()


def test_a_current_database_is_opened_without_loading_alembic(tmp_path):
    import subprocess
    import sys
    url = f"sqlite:///{tmp_path}/current.db"
    migrate(make_engine(url))
    code = ("import sys; from connector.db import make_engine, migrate; "
            f"applied = migrate(make_engine({url!r})); print(applied, 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] False"
