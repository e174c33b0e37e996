"""save_*/load_* of the joined local model: contacts, identities (emails), touchpoints, scores, pushed values, quarantine."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from connector.models import (
    Contact,
    ContactAlias,
    ContactEmail,
    EmailCampaign,
    Pushed,
    Quarantine,
    ScoreRow,
    Touchpoint,
    WebCursor,
)
from connector.state import utcnow

CONTACT_COLUMNS = ("email", "additional_emails", "first_name", "last_name", "owner_id", "phone", "modified_ms",
                   "web_last_ms", "archived", "email_optout", "email_bounced", "email_optout_ms", "email_bounced_ms")


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def save_contacts(session: Session, rows: list[dict]) -> int:
    """Upsert contacts by id (an older modified_ms never overwrites a newer one), refresh their emails, and record
    the ids each one absorbed (merges: state/aliases.py). A row of an id known to be merged away is stale: skipped."""
    from connector.state.aliases import alias_ids, record_merges
    stale = alias_ids(session, [r["id"] for r in rows]) if rows else set()
    rows = [r for r in rows if r["id"] not in stale]
    if not rows:
        return 0
    now = utcnow()
    values = _with_state_times(session, [{"id": r["id"], **{k: r.get(k) for k in CONTACT_COLUMNS}, "pulled_at": now,
                                          "merged_into": None} for r in _dedupe(rows)])
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
    merges: dict[str, set[str]] = {}
    for r in rows:
        if r.get("merged_ids"):
            merges.setdefault(r["id"], set()).update(str(m) for m in r["merged_ids"])
    if merges:
        record_merges(session, merges)
    return len(values)


def _with_state_times(session: Session, values: list[dict]) -> list[dict]:
    """Stamp each email state value with when it was first seen: kept while the value stays the same."""
    before = {}
    for chunk in _chunks([v["id"] for v in values], 500):
        for cid, *rest in session.exec(select(Contact.id, Contact.email_optout, Contact.email_optout_ms,
                                              Contact.email_bounced, Contact.email_bounced_ms).where(Contact.id.in_(chunk))):
            before[cid] = rest
    for v in values:
        optout, optout_ms, bounced, bounced_ms = before.get(v["id"], (None, None, None, None))
        v["email_optout_ms"] = optout_ms if v["email_optout"] == optout and optout_ms else v["modified_ms"]
        v["email_bounced_ms"] = bounced_ms if v["email_bounced"] == bounced and bounced_ms else v["modified_ms"]
    return values


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
    """A merged-away contact: its touchpoints, history, cursor, flags, task ledger and pushed values move to the
    survivor (the last one of a chain), and nothing is written to it again (state/aliases.py)."""
    from connector.state.aliases import record_merges
    record_merges(session, {survivor_id: {merged_id}})


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


def save_touchpoint_rows(session: Session, rows: Iterable[dict]) -> list[tuple[str, str]]:
    """Insert touchpoints, ignoring ones already stored; (source id, kind) of the new ones (RETURNING: no count
    of the table)."""
    rows = list(rows)
    if not rows:
        return []
    stmt = _insert(session, Touchpoint).on_conflict_do_nothing(index_elements=["source", "source_id", "kind"])
    table = Touchpoint.__table__.c
    return [tuple(r) for r in session.execute(stmt.returning(table.source_id, table.kind), rows).all()]


def drop_email_touchpoints(session: Session, identities: list[str]) -> int:
    """Remove what earlier reads stored of these email events (they are obsolete now); how many rows went."""
    gone = 0
    for chunk in _chunks(sorted(set(identities)), 500):
        gone += session.exec(delete(Touchpoint).where(Touchpoint.source == "email_event",
                                                      Touchpoint.source_id.in_(chunk))).rowcount or 0
    return gone


def email_event_kinds(session: Session, identities: Iterable[str]) -> dict[str, set[str]]:
    """The stored kinds of these email events (by identity): what a STATUSCHANGE's `causedBy` names."""
    out: dict[str, set[str]] = {}
    for chunk in _chunks(sorted(set(identities)), 500):
        for sid, kind in session.exec(select(Touchpoint.source_id, Touchpoint.kind).where(
                Touchpoint.source == "email_event", Touchpoint.source_id.in_(chunk))):
            out.setdefault(sid, set()).add(kind)
    return out


def touch_counts(session: Session) -> dict[str, int]:
    """Touchpoints per resolved contact: a contact whose count differs from its score's needs rescoring."""
    stmt = select(Touchpoint.contact_id, func.count()).where(Touchpoint.contact_id.is_not(None)).group_by(
        Touchpoint.contact_id)
    return dict(session.exec(stmt).all())


def resolve_identities(session: Session) -> dict[str, int]:
    """Attach unresolved email touchpoints to the one live contact holding that email (primary or additional), in
    one correlated UPDATE (portable to SQLite and PostgreSQL); count ambiguities. An event whose recipient no
    contact had, or had not yet, is attached as soon as one gains the address. Then the contacts' current email
    state (state/contact_state.py)."""
    from connector.state.contact_state import apply_contact_states

    def owners(column):
        return select(column).select_from(ContactEmail).join(Contact, Contact.id == ContactEmail.contact_id).where(
            ContactEmail.email == Touchpoint.recipient, Contact.merged_into.is_(None),
            Contact.archived.is_(False)).correlate(Touchpoint).scalar_subquery()
    unresolved = (Touchpoint.contact_id.is_(None), Touchpoint.recipient.is_not(None))
    ambiguous = session.exec(select(func.count(func.distinct(Touchpoint.recipient))).where(
        *unresolved, owners(func.count()) > 1)).one()
    result = session.exec(update(Touchpoint).where(*unresolved, owners(func.count()) == 1).values(
        contact_id=owners(func.min(ContactEmail.contact_id))).execution_options(synchronize_session=False))
    states = apply_contact_states(session, lambda s, rows: len(save_touchpoint_rows(s, rows)))
    return {"resolved": result.rowcount or 0, "ambiguous_emails": ambiguous, "state_touchpoints": states}


def ambiguous_emails(session: Session) -> list[tuple[str, list[str]]]:
    rows = session.exec(select(ContactEmail.email, ContactEmail.contact_id).join(
        Contact, Contact.id == ContactEmail.contact_id).where(Contact.merged_into.is_(None), Contact.archived.is_(False)))
    owners: dict[str, list[str]] = {}
    for email, cid in rows:
        owners.setdefault(email, []).append(cid)
    return sorted((e, sorted(ids)) for e, ids in owners.items() if len(ids) > 1)


def live_contact_ids(session: Session) -> list[str]:
    """Contacts that are scored and written: never archived ones, never an id merged away (alias table)."""
    return list(session.exec(select(Contact.id).where(Contact.merged_into.is_(None), Contact.archived.is_(False),
                                                      Contact.id.not_in(select(ContactAlias.alias_id)))))


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
