"""The owner cache: save_owners from HubSpot's owners list, load_* for names, email look-ups and per-owner counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from connector.db import session_scope
from connector.errors import ConnectorError
from connector.models import Contact, Owner, TaskOutbox
from connector.state import utcnow

OPEN_OUTBOX_STATUSES = ("pending", "created")


@dataclass(frozen=True)
class OwnerSummary:
    id: str
    name: str
    email: str | None
    archived: bool
    contacts: int
    open_tasks: int


def save_owners(session: Session, pages: Iterable[list[dict]]) -> int:
    """Upsert the fetched owners by id; owners HubSpot no longer lists are kept (their contacts still point at them)."""
    now, n = utcnow(), 0
    for row in (row for page in pages for row in page):
        n += 1
        owner = session.get(Owner, row["id"]) or Owner(id=row["id"], fetched_at=now)
        owner.email, owner.first_name, owner.last_name = row["email"], row["first_name"], row["last_name"]
        owner.archived, owner.fetched_at = row["archived"], now
        session.add(owner)
    return n


def owner_name(owner: Owner) -> str:
    return " ".join(x for x in (owner.first_name, owner.last_name) if x) or (owner.email or owner.id)


def owner_names(session: Session) -> dict[str, str]:
    """owner id -> display name, for every cached owner."""
    return {o.id: owner_name(o) for o in session.exec(select(Owner))}


def owner_id_by_email(session: Session, email: str) -> str | None:
    """The id of the cached owner with this email (case-insensitive); an active one wins over an archived one."""
    rows = session.exec(select(Owner).where(Owner.email == email.strip().lower())).all()
    rows = sorted(rows, key=lambda o: (o.archived, o.id))
    return rows[0].id if rows else None


def owner_id_for(engine, owner: str, fetch_pages: Callable[[], Iterable[list[dict]]]) -> str:
    """`--owner` as given: an id, or an owner's email found in the cache (refreshed with fetch_pages() on a miss)."""
    if "@" not in owner:
        return owner.strip()
    with session_scope(engine) as session:
        found = owner_id_by_email(session, owner)
    if found is None:
        pages = list(fetch_pages())         # fetched before the transaction: no write lock held over HTTP
        with session_scope(engine) as session:
            save_owners(session, pages)
            found = owner_id_by_email(session, owner)
    if found is None:
        raise ConnectorError("no HubSpot owner has that email (`connector owners` lists them)")
    return found


def created_task_ids(session: Session) -> dict[str, str]:
    """HubSpot task id -> owner id of every task the connector created."""
    rows = session.exec(select(TaskOutbox.hubspot_task_id, TaskOutbox.owner_id).where(
        TaskOutbox.status == "created", TaskOutbox.hubspot_task_id.is_not(None)))
    return {tid: oid for tid, oid in rows if oid}


def owner_summaries(session: Session, open_task_ids: set[str] | None = None) -> list[OwnerSummary]:
    """Every cached owner (and every owner id a live contact has) with its contacts and open connector tasks.

    open_task_ids: the created tasks HubSpot still has open; None counts every created one as open.
    """
    contacts = dict(session.exec(select(Contact.owner_id, func.count()).where(
        Contact.owner_id.is_not(None), Contact.merged_into.is_(None), Contact.archived.is_(False)).group_by(
        Contact.owner_id)).all())
    tasks: dict[str, int] = {}
    for status, tid, oid in session.exec(select(TaskOutbox.status, TaskOutbox.hubspot_task_id, TaskOutbox.owner_id)
                                         .where(TaskOutbox.status.in_(OPEN_OUTBOX_STATUSES))):
        if oid and (status == "pending" or open_task_ids is None or tid in open_task_ids):
            tasks[oid] = tasks.get(oid, 0) + 1
    owners = {o.id: o for o in session.exec(select(Owner))}
    out = []
    for oid in sorted(set(owners) | set(contacts) | set(tasks), key=lambda i: (i not in owners, i)):
        o = owners.get(oid)
        out.append(OwnerSummary(id=oid, name=owner_name(o) if o else "(unknown owner)", email=o.email if o else None,
                                archived=bool(o and o.archived), contacts=contacts.get(oid, 0),
                                open_tasks=tasks.get(oid, 0)))
    return out
