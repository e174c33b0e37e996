"""Engine for SQLite (default state/connector.db) or DATABASE_URL (PostgreSQL); sessions; schema migrations (Alembic)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from connector.errors import ConfigError, StateError
from connector.migration_chain import MIGRATIONS, migration_heads  # noqa: F401 - migration_heads re-exported

# Alembic is imported only when a migration must run: it costs more start-up time than the rest of a command.
SQLITE_BUSY_TIMEOUT_MS = 30_000
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def make_engine(database_url: str) -> Engine:
    """An engine for the state DB; SQLite files are created private (0600) in their folder."""
    try:
        url = make_url(database_url)
    except Exception as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL ({type(exc).__name__})") from None
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        prepare_sqlite_file(Path(url.database))
    try:
        # hide_parameters: a failing statement's error never carries contacts' emails and names.
        engine = create_engine(database_url, hide_parameters=True)
    except ModuleNotFoundError as exc:
        raise ConfigError(f"DATABASE_URL needs the database driver {exc.name!r}, which is not installed "
                          "(for PostgreSQL: pip install 'talent-engagement-connector[postgres]')") from None
    except Exception as exc:      # noqa: BLE001 - SQLAlchemy raises several kinds for an unusable URL
        raise ConfigError(f"DATABASE_URL cannot be used: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", lambda *_: _tighten(Path(url.database)) if url.database else None)
    return engine


def prepare_sqlite_file(path: Path) -> None:
    """Create the DB file 0600 in a 0700 folder; a folder that holds only the state is tightened too."""
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True)
        elif path.parent.resolve() != Path.cwd().resolve() and \
                set(os.listdir(path.parent)) <= {path.name, *_sidecar_names(path), ".gitkeep"}:
            os.chmod(path.parent, PRIVATE_DIR_MODE)
        if not path.exists():
            path.touch(mode=PRIVATE_FILE_MODE)
        _tighten(path)
    except OSError as exc:
        raise StateError(f"cannot create the state database {path}: {exc.strerror or type(exc).__name__}") from None


def _sidecar_names(path: Path) -> list[str]:
    return [path.name + s for s in ("-wal", "-shm", "-journal")]


def _tighten(path: Path) -> None:
    for sidecar in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if sidecar.exists() and (sidecar.stat().st_mode & 0o077):
            os.chmod(sidecar, PRIVATE_FILE_MODE)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _alembic_config():
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the state DB (one plain query), or None for a blank database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations, one transaction each; return the names applied (none: alembic is not loaded)."""
    known = migration_heads()
    try:
        _create_schema(engine)
        before = current_revision(engine)
    except sa_exc.DBAPIError as exc:
        raise StateError(f"cannot open the state database{_where(engine)}: {_first_line(exc)}") from None
    if before is not None and before not in known:
        raise StateError(f"the state database is at migration {before!r}, which this version does not know; upgrade the connector")
    if before == known[-1]:
        return []
    from alembic import command
    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sa_exc.DBAPIError as exc:
        raise StateError(f"cannot migrate the state database{_where(engine)}: {_first_line(exc)}") from None
    start = known.index(before) + 1 if before else 0
    return known[start:]


def _create_schema(engine: Engine) -> None:
    """PostgreSQL: portals sharing one database each keep their state in their own schema, named first in the URL's
    search_path (`?options=-csearch_path%3Dportal_a`); a schema that does not exist yet is created."""
    if engine.url.get_backend_name() != "postgresql":
        return
    with engine.begin() as conn:
        if conn.execute(text("SELECT current_schema()")).scalar() is not None:
            return
        first = conn.execute(text("SHOW search_path")).scalar().split(",")[0].strip().strip('"')
        if first and first != "$user":
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{first.replace(chr(34), "")}"'))


def _where(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f" {url.database}" if url.database else ""
    return f" at {url.host or 'localhost'}:{url.port or 'default port'}" + (f"/{url.database}" if url.database else "")


def _first_line(exc: Exception) -> str:
    """The driver's own message, first line only (never the statement or its parameters)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return (lines[0] if lines else type(orig).__name__)[:300]


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
