"""Task trigger state and the task outbox: save_*/load_* for the tables behind exactly-once recruiter tasks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from sqlmodel import Session, select

from connector.actions.tasks import TaskIntent
from connector.models import TaskOutbox, TaskTrigger
from connector.scoring.triggers import TaskTriggerState
from connector.state import utcnow

PENDING, CREATED, SKIPPED, FAILED = "pending", "created", "skipped", "failed"
MAX_ATTEMPTS = 10          # an input HubSpot refused this often is marked failed and left for the admin
REASON_MAX_CHARS = 1_000


def load_trigger_states(session: Session) -> dict[str, TaskTriggerState]:
    out = {}
    for row in session.exec(select(TaskTrigger)):
        fired = row.last_fired_at
        if fired is not None and fired.tzinfo is None:      # SQLite returns naive datetimes
            fired = fired.replace(tzinfo=UTC)
        out[row.contact_id] = TaskTriggerState(armed=row.armed, last_fired_at=fired)
    return out


def save_trigger_states(session: Session, states: dict[str, TaskTriggerState]) -> None:
    now = utcnow()
    for contact_id, st in states.items():
        row = session.get(TaskTrigger, contact_id) or TaskTrigger(contact_id=contact_id, updated_at=now)
        row.armed, row.last_fired_at, row.updated_at = st.armed, st.last_fired_at, now
        session.add(row)


def add_intents(session: Session, intents: Iterable[TaskIntent], run_id: int | None) -> int:
    """Write intents to the outbox: pending, or skipped with the reason (no owner, ...)."""
    now, n = utcnow(), 0
    for intent in intents:
        session.add(TaskOutbox(key=intent.key, contact_id=intent.contact_id, owner_id=intent.owner_id,
                               status=SKIPPED if intent.skip_reason else PENDING, reason=intent.skip_reason,
                               subject=intent.subject, body=intent.body, priority=intent.priority,
                               due_ms=intent.due_ms, score=intent.score, band=intent.band, run_id=run_id,
                               created_at=now, updated_at=now))
        n += 1
    return n


def pending(session: Session) -> list[TaskOutbox]:
    return list(session.exec(select(TaskOutbox).where(TaskOutbox.status == PENDING).order_by(TaskOutbox.id)))


def last_created(session: Session, contact_ids: Iterable[str]) -> dict[str, str]:
    """Per contact, the HubSpot id of the newest task the connector created for it."""
    wanted = set(contact_ids)
    rows = session.exec(select(TaskOutbox.contact_id, TaskOutbox.hubspot_task_id).where(
        TaskOutbox.status == CREATED).order_by(TaskOutbox.id))
    return {cid: tid for cid, tid in rows if cid in wanted and tid}


def mark_attempted(session: Session, keys: Iterable[str]) -> None:
    """Before the call: from now on a re-run must look in HubSpot before creating these again."""
    for row in _rows(session, keys):
        row.attempts += 1
        row.updated_at = utcnow()
        session.add(row)


def mark_created(session: Session, created: dict[str, str]) -> None:
    for row in _rows(session, created):
        row.status, row.hubspot_task_id, row.reason, row.updated_at = CREATED, created[row.key], None, utcnow()
        session.add(row)


def mark_skipped(session: Session, reasons: dict[str, str]) -> None:
    for row in _rows(session, reasons):
        row.status, row.reason, row.updated_at = SKIPPED, reasons[row.key][:REASON_MAX_CHARS], utcnow()
        session.add(row)


def mark_refused(session: Session, messages: dict[str, str]) -> list[str]:
    """HubSpot refused these inputs: keep them pending (retried next run) until MAX_ATTEMPTS; return failed keys."""
    failed = []
    for row in _rows(session, messages):
        row.reason, row.updated_at = messages[row.key][:REASON_MAX_CHARS], utcnow()
        if row.attempts >= MAX_ATTEMPTS:
            row.status = FAILED
            failed.append(row.key)
        session.add(row)
    return failed


def outbox(session: Session, *, status: str | None = None, limit: int = 50) -> list[TaskOutbox]:
    stmt = select(TaskOutbox).order_by(TaskOutbox.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(TaskOutbox.status == status)
    return list(session.exec(stmt))


def _rows(session: Session, keys: Iterable[str]) -> list[TaskOutbox]:
    keys = list(keys)
    if not keys:
        return []
    return list(session.exec(select(TaskOutbox).where(TaskOutbox.key.in_(keys))))
