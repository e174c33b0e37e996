"""Engine for SQLite (default state/connector.db) or DATABASE_URL (PostgreSQL); sessions; schema migrations (Alembic)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from connector.errors import ConfigError, StateError

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


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def migration_heads() -> list[str]:
    """Every migration the code knows, oldest first."""
    script = ScriptDirectory.from_config(_alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations, one transaction each; return the names applied."""
    known = migration_heads()
    try:
        before = current_revision(engine)
    except sa_exc.DBAPIError as exc:
        raise StateError(f"cannot open the state database{_where(engine)}: {_first_line(exc)}") from None
    if before is not None and before not in known:
        raise StateError(f"the state database is at migration {before!r}, which this version does not know; upgrade the connector")
    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sa_exc.DBAPIError as exc:
        raise StateError(f"cannot migrate the state database{_where(engine)}: {_first_line(exc)}") from None
    start = known.index(before) + 1 if before else 0
    return known[start:]


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
