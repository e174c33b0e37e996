"""Cursors, run records, portal facts and the run lease: the only code touching those tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from connector.errors import StateError
from connector.leases import LEASE_NAME, holder_is_dead, holder_name  # noqa: F401 - LEASE_NAME re-exported
from connector.models import Cursor, Lease, PortalFact, Run

LEASE_SECONDS = 120          # a lease whose heartbeat stopped this long ago is free (another host may take it)
HEARTBEAT_FRACTION = 3       # renewed three times per lease span, so one slow commit never loses it


def utcnow() -> datetime:
    """Aware UTC now: SQLModel stores aware datetimes and returns them in UTC."""
    return datetime.now(UTC)


def get_cursor(session: Session, stream: str) -> int | None:
    row = session.get(Cursor, stream)
    return row.value if row else None


def set_cursor(session: Session, stream: str, value: int) -> None:
    """Move a cursor forward; moving it backwards is a StateError (use reset_cursor for admin resets)."""
    row = session.get(Cursor, stream)
    if row is None:
        session.add(Cursor(stream=stream, value=value, updated_at=utcnow()))
        return
    if value < row.value:
        raise StateError(f"cursor {stream} would move backwards from {row.value} to {value}")
    row.value = value
    row.updated_at = utcnow()
    session.add(row)


def reset_cursor(session: Session, stream: str) -> None:
    row = session.get(Cursor, stream)
    if row is not None:
        session.delete(row)


def get_fact(session: Session, key: str) -> str | None:
    row = session.get(PortalFact, key)
    return row.value if row else None


def set_fact(session: Session, key: str, value: str) -> None:
    row = session.get(PortalFact, key) or PortalFact(key=key, value=value, updated_at=utcnow())
    row.value, row.updated_at = value, utcnow()
    session.add(row)


def start_run(session: Session, kind: str) -> Run:
    run = Run(kind=kind, started_at=utcnow(), status="running", counts="{}")
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, *, status: str, counts: dict, api_calls: int,
               error: str | None = None) -> Run:
    run = session.get(Run, run_id)
    run.finished_at = utcnow()
    run.status = status
    run.counts = json.dumps(counts, sort_keys=True)
    run.api_calls = api_calls
    run.error = error
    session.add(run)
    return run


def last_runs(session: Session, limit: int = 10) -> list[Run]:
    return list(session.exec(select(Run).order_by(Run.id.desc()).limit(limit)))


def acquire_lease(session: Session, *, seconds: int = LEASE_SECONDS, name: str = LEASE_NAME) -> str:
    """Take the run lease or raise StateError naming the holder; an expired lease is taken over (from any host:
    a restarted container has a new hostname, so only the heartbeat tells a live holder from a dead one)."""
    holder = holder_name()
    now = utcnow()
    row = session.get(Lease, name, with_for_update=True)
    if row is not None and row.expires_at > now and row.holder != holder and not holder_is_dead(row.holder):
        raise StateError(f"another run ({row.holder}) holds the lease, its heartbeat valid until "
                         f"{row.expires_at:%Y-%m-%d %H:%M:%S} UTC; wait for it to finish, or if that process is "
                         "gone remove the lease with `connector unlock --force`")
    if row is None:
        row = Lease(name=name, holder=holder, expires_at=now + timedelta(seconds=seconds))
    row.holder, row.expires_at = holder, now + timedelta(seconds=seconds)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise StateError("another run took the lease at the same moment; try again") from None
    return holder


def release_lease(session: Session, *, name: str = LEASE_NAME, force: bool = False) -> bool:
    row = session.get(Lease, name)
    if row is None or (row.holder != holder_name() and not force):
        return False
    session.delete(row)
    session.commit()
    return True


def renew_lease(session: Session, *, seconds: int = LEASE_SECONDS, name: str = LEASE_NAME) -> bool:
    """The heartbeat: push our lease's expiry forward; False when it is no longer ours (taken over or removed)."""
    row = session.get(Lease, name, with_for_update=True)
    if row is None or row.holder != holder_name():
        return False
    row.expires_at = utcnow() + timedelta(seconds=seconds)
    session.add(row)
    session.commit()
    return True


def lease_holder(session: Session, *, name: str = LEASE_NAME) -> tuple[str, datetime, bool] | None:
    """(holder, heartbeat valid until, fresh) of the lease, or None when nobody holds it."""
    row = session.get(Lease, name)
    if row is None:
        return None
    return row.holder, row.expires_at, row.expires_at > utcnow() and not holder_is_dead(row.holder)


def close_dead_runs(session: Session) -> int:
    """Runs still `running` when the lease is taken belong to processes that died (kill -9, power loss): mark them
    `killed`, so `status` never shows a dead run as running."""
    dead = list(session.exec(select(Run).where(Run.status == "running")))
    for run in dead:
        run.status, run.finished_at = "killed", utcnow()
        run.error = run.error or "the process ended without finishing the run (killed or crashed)"
        session.add(run)
    return len(dead)
