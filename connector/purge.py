"""Purging a person from the local state: a contact deleted in HubSpot, or `connector forget EMAIL`.

Everything personal goes (contact row, emails, touchpoints, scores, history, pushed values, quarantine rows);
only a salted SHA-256 of the contact id and of each email stays, so the person is never pulled, scored or
written again. SQLite's secure_delete (db.py) zeroes the freed pages, and the WAL is checkpointed and truncated
so no old copy of a page survives there either. Nothing is ever deleted in HubSpot or the ATS.

(This belongs in the state/ room of DESIGN.md, but `connector/state.py` is still a module: a `state/` package
beside it would shadow it. Move it when state.py moves.)
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, text
from sqlmodel import Session, select

from connector import state
from connector.models import (
    AbandonedFlag,
    Contact,
    ContactEmail,
    Forgotten,
    Pushed,
    Quarantine,
    ScoreHistory,
    ScoreRow,
    TaskOutbox,
    TaskTrigger,
    Touchpoint,
    WebCursor,
)

SALT_FACT = "privacy.salt"
DELETED_IN_HUBSPOT = "deleted in HubSpot"
FORGET_REQUEST = "connector forget"


@dataclass
class PurgeReport:
    contacts: int = 0
    removed: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.removed[table] = self.removed.get(table, 0) + (n or 0)


def _salt(session: Session) -> str:
    salt = state.get_fact(session, SALT_FACT)
    if salt is None:
        salt = secrets.token_hex(16)
        state.set_fact(session, SALT_FACT, salt)
    return salt


def digest(salt: str, kind: str, value: str) -> str:
    return hashlib.sha256(f"{salt}{kind}:{value}".encode()).hexdigest()


def _remember(session: Session, salt: str, kind: str, value: str, reason: str) -> None:
    key = digest(salt, kind, value)
    if session.get(Forgotten, key) is None:
        session.add(Forgotten(digest=key, kind=kind, reason=reason, forgotten_at=state.utcnow()))


def purge_contact(session: Session, contact_id: str, reason: str, report: PurgeReport | None = None) -> PurgeReport:
    """Remove every local trace of one contact (and of contacts merged into it), keeping salted hashes."""
    report = report or PurgeReport()
    salt = _salt(session)
    ids = {contact_id, *session.exec(select(Contact.id).where(Contact.merged_into == contact_id))}
    emails = set(session.exec(select(ContactEmail.email).where(ContactEmail.contact_id.in_(ids))))
    for row in session.exec(select(Contact).where(Contact.id.in_(ids))):
        emails.update(e for e in [row.email, *(row.additional_emails or "").split(";")] if e)
    _delete_traces(session, ids, emails, report)
    report.contacts += session.exec(delete(Contact).where(Contact.id.in_(ids))).rowcount or 0
    for cid in ids:
        _remember(session, salt, "contact", cid, reason)
    for email in emails:
        _remember(session, salt, "email", email, reason)
    return report


def _delete_traces(session: Session, ids: set[str], emails: set[str], report: PurgeReport) -> None:
    touch = or_(Touchpoint.contact_id.in_(ids), Touchpoint.recipient.in_(emails)) if emails else \
        Touchpoint.contact_id.in_(ids)
    report.add("touchpoints", session.exec(delete(Touchpoint).where(touch)).rowcount)
    for name, model, column in (("emails", ContactEmail, ContactEmail.contact_id),
                                ("scores", ScoreRow, ScoreRow.contact_id),
                                ("score history", ScoreHistory, ScoreHistory.contact_id),
                                ("pushed values", Pushed, Pushed.contact_id),
                                ("web cursors", WebCursor, WebCursor.contact_id),
                                ("quarantined records", Quarantine, Quarantine.record_id),
                                ("recruiter tasks (local outbox)", TaskOutbox, TaskOutbox.contact_id),
                                ("task triggers", TaskTrigger, TaskTrigger.contact_id),
                                ("forgotten-application flags", AbandonedFlag, AbandonedFlag.contact_id)):
        report.add(name, session.exec(delete(model).where(column.in_(ids))).rowcount)


def forget_email(session: Session, email: str) -> PurgeReport:
    """`connector forget`: purge every contact holding `email`, and events sent to it that matched nobody."""
    report = PurgeReport()
    for cid in sorted(set(session.exec(select(ContactEmail.contact_id).where(ContactEmail.email == email)))):
        purge_contact(session, cid, FORGET_REQUEST, report)
    report.add("touchpoints", session.exec(delete(Touchpoint).where(Touchpoint.recipient == email)).rowcount)
    _remember(session, _salt(session), "email", email, FORGET_REQUEST)
    return report


class ForgottenFilter:
    """Drops pulled rows that belong to purged people (HubSpot may still send their events in an overlap)."""

    def __init__(self, session: Session):
        self.salt = state.get_fact(session, SALT_FACT)
        self.known = set(session.exec(select(Forgotten.digest))) if self.salt else set()

    def _is(self, kind: str, value) -> bool:
        return bool(self.known) and value is not None and digest(self.salt, kind, str(value)) in self.known

    def contacts(self, rows: list[dict]) -> list[dict]:
        return [r for r in rows if not self._is("contact", r["id"])]

    def touchpoints(self, rows: list[dict]) -> list[dict]:
        return [r for r in rows if not (self._is("email", r.get("recipient")) or self._is("contact", r.get("contact_id")))]


def flush_freed_pages(session: Session) -> None:
    """After a purge on SQLite: move the WAL into the (secure-deleted) file and truncate it."""
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
        session.exec(text("PRAGMA wal_checkpoint(TRUNCATE)"))
