"""Read-only view of the state DB for `connector status`, in plain SQL over a DB-API connection.

No ORM: SQLAlchemy and SQLModel cost ~0.6 s of imports, more than the 0.5 s `status` may take to start (issue 11).
A SQLite state file already at the newest migration is read with the standard library's sqlite3; anything else
(PostgreSQL, a new or older SQLite file) goes through the engine, which migrates first, and its raw connection.
The queries are the same for both: no bound parameters, booleans as `NOT column`, datetimes parsed here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connector.leases import LEASE_NAME, holder_is_dead
from connector.migration_chain import migration_heads
from connector.views.when import from_ms

NEXT_RUN_FACT = "daemon.next_run_ms"
SQLITE_PREFIX = "sqlite:///"
BUSY_TIMEOUT_S = 30


@dataclass(frozen=True)
class RunRow:
    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: str
    api_calls: int
    error: str | None


@dataclass(frozen=True)
class CursorRow:
    stream: str
    value: int


@dataclass(frozen=True)
class QuarantineRow:
    source: str
    record_id: str
    field: str | None
    error: str


@dataclass(frozen=True)
class CandidateRow:
    ats: str
    id: str
    match: str


@dataclass
class Status:
    runs: list[RunRow]
    cursors: list[CursorRow]
    quarantined: int
    recent_quarantine: list[QuarantineRow]
    ambiguous: list[tuple[str, list[str]]]
    ats_unmatched: list[CandidateRow] = None
    ats_unmapped_recruiters: list[str] = None
    lease_fresh: bool = False          # a run row says `running` truthfully only while the lease's heartbeat lives
    lease: tuple[str, datetime, bool] | None = None     # (holder, heartbeat valid until, fresh)
    facts: dict[str, str] = field(default_factory=dict)
    next_run: datetime | None = None   # when the daemon recorded its next run (fact NEXT_RUN_FACT, epoch ms)

    def shown_status(self, run: RunRow) -> str:
        return "killed" if run.status == "running" and not self.lease_fresh else run.status


def run_counts(run: RunRow) -> dict:
    return json.loads(run.counts or "{}")


@contextmanager
def open_state(database_url: str, engine_factory) -> Iterator:
    """A DB-API connection to the state DB: sqlite3 directly when the file is current, else `engine_factory()`'s."""
    conn = _current_sqlite(database_url)
    if conn is None:
        conn = engine_factory().raw_connection()
    try:
        yield conn
    finally:
        conn.close()


def _current_sqlite(database_url: str) -> sqlite3.Connection | None:
    if not database_url.startswith(SQLITE_PREFIX) or "?" in database_url:
        return None
    path = Path(database_url[len(SQLITE_PREFIX):])
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,)
    except sqlite3.Error:
        revision = None
    if revision != migration_heads()[-1]:
        conn.close()
        return None
    return conn


def _rows(conn, sql: str) -> list[tuple]:
    cur = conn.cursor()
    try:
        cur.execute(sql)
        return list(cur.fetchall())
    finally:
        cur.close()


def _moment(value) -> datetime | None:
    """A stored datetime (SQLite: text; PostgreSQL: datetime) as aware UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def load_status(conn, limit: int = 10, recruiter_map: dict[str, str] | None = None) -> Status:
    limit = max(0, int(limit))
    runs = [RunRow(i, k, _moment(s), _moment(f), st, c or "{}", a or 0, e) for i, k, s, f, st, c, a, e in _rows(
        conn, f"SELECT id, kind, started_at, finished_at, status, counts, api_calls, error FROM run "
              f"ORDER BY id DESC LIMIT {limit}")]
    facts = dict(_rows(conn, "SELECT key, value FROM portalfact"))
    lease = _lease(conn)
    next_ms = facts.get(NEXT_RUN_FACT, "")
    (quarantined,) = _rows(conn, "SELECT count(*) FROM quarantine WHERE NOT resolved")[0]
    return Status(
        runs=runs, cursors=[CursorRow(s, int(v)) for s, v in _rows(conn, "SELECT stream, value FROM cursor")],
        quarantined=int(quarantined),
        recent_quarantine=[QuarantineRow(*r) for r in _rows(
            conn, f"SELECT source, record_id, field, error FROM quarantine ORDER BY id DESC LIMIT {limit}")],
        ambiguous=_ambiguous(conn),
        ats_unmatched=[CandidateRow(*r) for r in _rows(
            conn, "SELECT ats, id, match FROM ats_candidate WHERE contact_id IS NULL ORDER BY ats, id")],
        ats_unmapped_recruiters=_unmapped_recruiters(conn, recruiter_map or {}),
        lease_fresh=bool(lease and lease[2]), lease=lease, facts=facts,
        next_run=from_ms(int(next_ms)) if next_ms.isdigit() else None)


def _lease(conn) -> tuple[str, datetime, bool] | None:
    found = _rows(conn, f"SELECT holder, expires_at FROM lease WHERE name = '{LEASE_NAME}'")
    if not found:
        return None
    holder, expires = found[0][0], _moment(found[0][1])
    return holder, expires, expires > datetime.now(UTC) and not holder_is_dead(holder)


def _ambiguous(conn) -> list[tuple[str, list[str]]]:
    """Emails held by more than one live contact: their events are attributed to nobody."""
    owners: dict[str, list[str]] = {}
    for email, cid in _rows(conn, "SELECT e.email, e.contact_id FROM contactemail e JOIN contact c ON c.id = e.contact_id "
                                  "WHERE c.merged_into IS NULL AND NOT c.archived"):
        owners.setdefault(email, []).append(cid)
    return sorted((e, sorted(ids)) for e, ids in owners.items() if len(ids) > 1)


def _unmapped_recruiters(conn, overrides: dict[str, str]) -> list[str]:
    """Recruiters of matched candidates' applications with no HubSpot owner (by owner email, or the admin's map)."""
    owners = {e.lower() for (e,) in _rows(conn, "SELECT email FROM owner WHERE NOT archived") if e} | set(overrides)
    seen = {(own or job or "").strip().lower() for own, job in _rows(
        conn, "SELECT a.recruiter, j.recruiter FROM ats_application a JOIN ats_candidate c ON c.ats = a.ats AND "
              "c.id = a.candidate_id LEFT JOIN ats_job j ON j.ats = a.ats AND j.id = a.job_id "
              "WHERE c.contact_id IS NOT NULL")}
    return sorted(r for r in seen if r and r not in owners)
