"""State database: migrations recorded in the DB, applied from blank, idempotent; private file modes."""

import os
import stat

import sqlalchemy as sa

from connector.db import current_revision, make_engine, migrate, migration_heads
from connector.models import SQLModel


def test_migrations_from_blank_database_create_every_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/blank.db")
    applied = migrate(engine)
    assert applied == migration_heads()
    assert current_revision(engine) == migration_heads()[-1]
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrated_schema_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    migrate(engine)
    inspector = sa.inspect(engine)
    for name, table in SQLModel.metadata.tables.items():
        columns = {c["name"] for c in inspector.get_columns(name)}
        assert columns == {c.name for c in table.columns}, name


def test_second_migrate_applies_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/twice.db")
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
