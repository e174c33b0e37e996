"""save_*/load_* of the joined local model: contacts, identities (emails), touchpoints, scores, pushed values, quarantine."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from connector.models import (
    AbandonedFlag,
    Contact,
    ContactEmail,
    EmailCampaign,
    Pushed,
    Quarantine,
    ScoreRow,
    TaskOutbox,
    TaskTrigger,
    Touchpoint,
    WebCursor,
)
from connector.state import utcnow

CONTACT_COLUMNS = ("email", "additional_emails", "first_name", "last_name", "owner_id", "phone", "modified_ms",
                   "web_last_ms", "archived")


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def save_contacts(session: Session, rows: list[dict]) -> int:
    """Upsert contacts by id (an older modified_ms never overwrites a newer one) and refresh their emails."""
    if not rows:
        return 0
    now = utcnow()
    values = [{**{k: r[k] for k in ("id", *CONTACT_COLUMNS)}, "pulled_at": now, "merged_into": None} for r in _dedupe(rows)]
    stmt = _insert(session, Contact)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={c: getattr(stmt.excluded, c) for c in (*CONTACT_COLUMNS, "pulled_at", "merged_into")},
        where=Contact.__table__.c.modified_ms <= stmt.excluded.modified_ms)
    session.exec(stmt, params=values)
    ids = [v["id"] for v in values]
    session.exec(delete(ContactEmail).where(ContactEmail.contact_id.in_(ids)))
    emails = [{"email": e, "contact_id": r["id"], "is_primary": i == 0}
              for r in _dedupe(rows) for i, e in enumerate(_emails_of(r)) if e]
    if emails:
        session.exec(_insert(session, ContactEmail).on_conflict_do_nothing(), params=emails)
    for r in rows:
        for merged in r.get("merged_ids") or ():
            mark_merged(session, merged, r["id"])
    return len(values)


def _dedupe(rows: list[dict]) -> list[dict]:
    newest: dict[str, dict] = {}
    for r in rows:
        if r["id"] not in newest or newest[r["id"]]["modified_ms"] <= r["modified_ms"]:
            newest[r["id"]] = r
    return list(newest.values())


def _emails_of(row: dict) -> list[str]:
    extra = (row.get("additional_emails") or "").split(";")
    seen, out = set(), []
    for e in [row.get("email"), *extra]:
        if e and e not in seen:
            seen.add(e)
            out.append(e)
    return out


def mark_merged(session: Session, merged_id: str, survivor_id: str) -> None:
    """A merged-away contact: re-key its touchpoints onto the survivor, drop its score, never push to it again."""
    existing = session.get(Contact, merged_id)
    if existing is not None:
        existing.merged_into = survivor_id
        session.add(existing)
    session.exec(update(Touchpoint).where(Touchpoint.contact_id == merged_id).values(contact_id=survivor_id))
    session.exec(delete(ContactEmail).where(ContactEmail.contact_id == merged_id))
    session.exec(delete(ScoreRow).where(ScoreRow.contact_id == merged_id))
    session.exec(delete(WebCursor).where(WebCursor.contact_id == merged_id))
    _merge_actions(session, merged_id, survivor_id)


def _merge_actions(session: Session, merged_id: str, survivor_id: str) -> None:
    """Tasks and forgotten-application flags follow the survivor: nothing is created for the merged-away id,
    and the survivor's own trigger decides its next task (the task ledger is one, the survivor's)."""
    session.exec(update(TaskOutbox).where(TaskOutbox.contact_id == merged_id, TaskOutbox.status == "pending").values(
        status="skipped", reason=f"contact merged into {survivor_id}: the survivor's trigger decides"))
    session.exec(update(TaskOutbox).where(TaskOutbox.contact_id == merged_id).values(contact_id=survivor_id))
    session.exec(delete(TaskTrigger).where(TaskTrigger.contact_id == merged_id))
    session.exec(update(AbandonedFlag).where(AbandonedFlag.contact_id == merged_id).values(contact_id=survivor_id))


def mark_archived(session: Session, contact_id: str) -> None:
    """HubSpot no longer has this contact: mark it (never drop it), stop scoring and writing it."""
    existing = session.get(Contact, contact_id)
    if existing is not None:
        existing.archived = True
        session.add(existing)
    session.exec(delete(ScoreRow).where(ScoreRow.contact_id == contact_id))


def save_touchpoints(session: Session, rows: Iterable[dict]) -> int:
    """Insert touchpoints, ignoring ones already stored (unique per source id); return how many were new."""
    rows = list(rows)
    if not rows:
        return 0
    before = session.exec(select(func.count()).select_from(Touchpoint)).one()
    session.exec(_insert(session, Touchpoint).on_conflict_do_nothing(index_elements=["source", "source_id", "kind"]),
                 params=rows)
    return session.exec(select(func.count()).select_from(Touchpoint)).one() - before


def touch_counts(session: Session) -> dict[str, int]:
    """Touchpoints per resolved contact: a contact whose count differs from its score's needs rescoring."""
    stmt = select(Touchpoint.contact_id, func.count()).where(Touchpoint.contact_id.is_not(None)).group_by(
        Touchpoint.contact_id)
    return dict(session.exec(stmt).all())


def resolve_identities(session: Session) -> dict[str, int]:
    """Attach unresolved email touchpoints to the one contact holding that email; count ambiguities."""
    live = select(ContactEmail.email, ContactEmail.contact_id).join(Contact, Contact.id == ContactEmail.contact_id).where(
        Contact.merged_into.is_(None), Contact.archived.is_(False))
    owners: dict[str, set[str]] = {}
    for email, cid in session.exec(live):
        owners.setdefault(email, set()).add(cid)
    pending = session.exec(select(Touchpoint.recipient).where(
        Touchpoint.contact_id.is_(None), Touchpoint.recipient.is_not(None)).distinct()).all()
    resolved = ambiguous = 0
    for email in pending:
        ids = owners.get(email, set())
        if len(ids) == 1:
            result = session.exec(update(Touchpoint).where(
                Touchpoint.recipient == email, Touchpoint.contact_id.is_(None)).values(contact_id=next(iter(ids))))
            resolved += result.rowcount or 0
        elif len(ids) > 1:
            ambiguous += 1
    return {"resolved": resolved, "ambiguous_emails": ambiguous}


def ambiguous_emails(session: Session) -> list[tuple[str, list[str]]]:
    rows = session.exec(select(ContactEmail.email, ContactEmail.contact_id).join(
        Contact, Contact.id == ContactEmail.contact_id).where(Contact.merged_into.is_(None), Contact.archived.is_(False)))
    owners: dict[str, list[str]] = {}
    for email, cid in rows:
        owners.setdefault(email, []).append(cid)
    return sorted((e, sorted(ids)) for e, ids in owners.items() if len(ids) > 1)


def live_contact_ids(session: Session) -> list[str]:
    return list(session.exec(select(Contact.id).where(Contact.merged_into.is_(None), Contact.archived.is_(False))))


def contacts_needing_web_pull(session: Session, floor_ms: int, overlap_ms: int = 0) -> list[tuple[str, int]]:
    """(contact id, read-from ms) for live contacts whose latest page view is past their web cursor less the
    overlap (views recorded late are re-read; ids dedupe them)."""
    stmt = select(Contact.id, Contact.web_last_ms, WebCursor.occurred_ms).join(
        WebCursor, WebCursor.contact_id == Contact.id, isouter=True).where(
        Contact.merged_into.is_(None), Contact.archived.is_(False), Contact.web_last_ms.is_not(None),
        Contact.web_last_ms >= floor_ms,
        or_(WebCursor.occurred_ms.is_(None), Contact.web_last_ms > WebCursor.occurred_ms - overlap_ms))
    return [(cid, max(floor_ms, (cur or floor_ms) - overlap_ms)) for cid, _last, cur in session.exec(stmt)]


def set_web_cursor(session: Session, contact_id: str, occurred_ms: int) -> None:
    row = session.get(WebCursor, contact_id)
    if row is None:
        session.add(WebCursor(contact_id=contact_id, occurred_ms=occurred_ms))
    elif occurred_ms > row.occurred_ms:
        row.occurred_ms = occurred_ms
        session.add(row)


def quarantine(session: Session, *, source: str, record_id: str, field: str | None, error: str,
               run_id: int | None) -> bool:
    """Keep a bad record's identity and problem, once per record and field (overlaps re-read it); the run goes on."""
    seen = session.exec(select(Quarantine.id).where(
        Quarantine.source == source, Quarantine.record_id == record_id, Quarantine.resolved.is_(False),
        Quarantine.field.is_(None) if field is None else Quarantine.field == field).limit(1)).first()
    if seen is not None:
        return False
    session.add(Quarantine(run_id=run_id, source=source, record_id=record_id, field=field, error=error[:2000],
                           created_at=utcnow()))
    session.flush()
    return True


def pushed_values(session: Session, contact_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for chunk in _chunks(list(contact_ids), 500):
        for row in session.exec(select(Pushed).where(Pushed.contact_id.in_(chunk))):
            out.setdefault(row.contact_id, {})[row.property] = row.value
    return out


def save_pushed(session: Session, updates: dict[str, dict[str, str]]) -> None:
    now = utcnow()
    rows = [{"contact_id": cid, "property": p, "value": v, "pushed_at": now}
            for cid, props in updates.items() for p, v in props.items()]
    if rows:
        stmt = _insert(session, Pushed)
        session.exec(stmt.on_conflict_do_update(index_elements=["contact_id", "property"],
                                                set_={"value": stmt.excluded.value, "pushed_at": now}), params=rows)


def save_campaign_names(session: Session, names: dict[str, str]) -> None:
    upsert_rows(session, EmailCampaign, [{"id": k, "subject": v} for k, v in names.items()], ["id"], ("subject",))


def campaign_names(session: Session) -> dict[str, str]:
    return dict(session.exec(select(EmailCampaign.id, EmailCampaign.subject)).all())


def upsert_rows(session: Session, model, rows: list[dict], keys: list[str], columns: Iterable[str]) -> None:
    """Insert rows, or update `columns` of the existing row with the same `keys` (one executemany)."""
    if not rows:
        return
    stmt = _insert(session, model)
    session.exec(stmt.on_conflict_do_update(index_elements=keys, set_={c: getattr(stmt.excluded, c) for c in columns}),
                 params=rows)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]



def bounced_recipients(session: Session, recipients: Iterable[str]) -> set[str]:
    """Which of these emails have a stored hard bounce (only their deliveries are worth keeping: they lift it)."""
    wanted = sorted(set(recipients))
    out: set[str] = set()
    for chunk in _chunks(wanted, 500):
        out.update(session.exec(select(Touchpoint.recipient).where(
            Touchpoint.kind == "hard_bounce", Touchpoint.recipient.in_(chunk)).distinct()))
    return out
