"""Engine for SQLite (default state/connector.db) or DATABASE_URL (PostgreSQL); sessions; schema migrations (Alembic)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from connector.errors import ConfigError, StateError

# Alembic is imported only when a migration must run: it costs more start-up time than the rest of a command.
MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|None)', re.MULTILINE)
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
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=PRIVATE_FILE_MODE)
        _tighten(path)
    engine = create_engine(database_url)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


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


def migration_heads() -> list[str]:
    """Every migration the code knows, oldest first (read from the revision files, without importing alembic)."""
    return list(_chain())


@cache
def _chain() -> tuple[str, ...]:
    parent: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {m.group(1): m.group(2) or m.group(3) for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if found.get("revision"):
            parent[found["revision"]] = found.get("down_revision")
    children = {down: rev for rev, down in parent.items()}
    chain, rev = [], children.get(None)
    while rev is not None:
        chain.append(rev)
        rev = children.get(rev)
    if len(chain) != len(parent):
        raise StateError("the migrations do not form one chain: " + ", ".join(sorted(set(parent) - set(chain))))
    return tuple(chain)


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the state DB (one plain query), or None for a blank database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations, one transaction each; return the names applied (none: alembic is not loaded)."""
    known = migration_heads()
    before = current_revision(engine)
    if before is not None and before not in known:
        raise StateError(f"the state database is at migration {before!r}, which this version does not know; upgrade the connector")
    if before == known[-1]:
        return []
    from alembic import command
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    start = known.index(before) + 1 if before else 0
    return known[start:]


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
