"""Merged-away contact ids (the alias table) and folding their local state onto the id they resolve to now.

HubSpot merges contacts into a NEW record with a new id, and both old ids resolve to it ([V] developer changelog
"Updated merge functionality for contacts and companies"; before that the primary kept its id: both are handled,
the survivor is whatever id HubSpot answers). The signals: the survivor's `hs_merged_object_ids` and
`hs_calculated_merged_vids` (unioned: the latter can omit ids [V Fivetran #168]), and a read that answers another
id than the one asked (the contacts pull puts the asked id into the row's `merged_ids`). A chain of merges
(A+B→C, C+D→E) resolves to the last survivor. Nothing is ever written to an alias again: its touchpoints,
score history, web cursor, forgotten-application flags, task ledger and pushed values move to the survivor.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, update
from sqlmodel import Session, select

from connector.models import (
    AbandonedFlag,
    Contact,
    ContactAlias,
    ContactEmail,
    Pushed,
    ScoreHistory,
    ScoreRow,
    TaskOutbox,
    TaskTrigger,
    Touchpoint,
    WebCursor,
)
from connector.scoring.records import BANDS
from connector.state import utcnow
from connector.state.ats_models import AtsCandidate

IN_CHUNK = 500


def survivor_of(session: Session, contact_id: str) -> str:
    """The id a contact id resolves to now (itself when it was never merged away)."""
    row = session.get(ContactAlias, contact_id)
    return row.survivor_id if row is not None else contact_id


def alias_ids(session: Session, contact_ids) -> set[str]:
    """Which of these ids are merged away (never to be written to)."""
    wanted, out = sorted(set(contact_ids)), set()
    for i in range(0, len(wanted), IN_CHUNK):
        out.update(session.exec(select(ContactAlias.alias_id).where(ContactAlias.alias_id.in_(wanted[i:i + IN_CHUNK]))))
    return out


def record_merges(session: Session, merges: dict[str, set[str]]) -> int:
    """survivor id → ids merged into it: record the aliases and fold each alias's state onto the last survivor.
    Returns how many ids became aliases now."""
    added = 0
    for survivor, merged in merges.items():
        final = survivor_of(session, survivor)
        fresh = sorted(m for m in merged if m not in (survivor, final) and survivor_of(session, m) != final)
        if not fresh:
            continue
        now = utcnow()
        for alias in fresh:
            row = session.get(ContactAlias, alias) or ContactAlias(alias_id=alias, survivor_id=final, seen_at=now)
            row.survivor_id, row.seen_at = final, now
            session.add(row)
            # A chain: whatever resolved to this alias resolves to the last survivor now.
            session.exec(update(ContactAlias).where(ContactAlias.survivor_id == alias).values(survivor_id=final))
        session.flush()
        fold(session, fresh, final)
        added += len(fresh)
    return added


def fold(session: Session, aliases: list[str], survivor: str) -> None:
    """Move every local trace of the aliases onto the survivor (one ledger, one score, one history)."""
    for alias in aliases:
        existing = session.get(Contact, alias)
        if existing is not None:
            existing.merged_into = survivor
            session.add(existing)
    session.flush()
    session.exec(update(Contact).where(Contact.merged_into.in_(aliases)).values(merged_into=survivor))
    session.exec(update(Touchpoint).where(Touchpoint.contact_id.in_(aliases)).values(contact_id=survivor))
    session.exec(delete(ContactEmail).where(ContactEmail.contact_id.in_(aliases)))
    session.exec(delete(ScoreRow).where(ScoreRow.contact_id.in_(aliases)))
    session.exec(update(AbandonedFlag).where(AbandonedFlag.contact_id.in_(aliases)).values(contact_id=survivor))
    session.exec(update(AtsCandidate).where(AtsCandidate.contact_id.in_(aliases)).values(contact_id=survivor))
    _fold_history(session, aliases, survivor)
    _fold_web_cursor(session, aliases, survivor)
    _fold_pushed(session, aliases, survivor)
    _fold_tasks(session, aliases, survivor)


def _fold_history(session: Session, aliases: list[str], survivor: str) -> None:
    """Score history: per day the survivor's own value, else the highest of the aliases' (the trend goes on)."""
    own = {r.day for r in session.exec(select(ScoreHistory).where(ScoreHistory.contact_id == survivor))}
    best: dict = {}
    for row in session.exec(select(ScoreHistory).where(ScoreHistory.contact_id.in_(aliases))):
        if row.day not in own and (row.day not in best or row.value > best[row.day]):
            best[row.day] = row.value
    session.exec(delete(ScoreHistory).where(ScoreHistory.contact_id.in_(aliases)))
    for day, value in best.items():
        session.add(ScoreHistory(contact_id=survivor, day=day, value=value))


def _fold_web_cursor(session: Session, aliases: list[str], survivor: str) -> None:
    """The survivor reads page views from the earliest cursor of all: HubSpot moved every alias's views to it,
    and page-view ids dedupe what was read before."""
    cursors = [r.occurred_ms for r in session.exec(select(WebCursor).where(WebCursor.contact_id.in_(aliases)))]
    session.exec(delete(WebCursor).where(WebCursor.contact_id.in_(aliases)))
    if not cursors:
        return
    row = session.get(WebCursor, survivor)
    if row is None:
        session.add(WebCursor(contact_id=survivor, occurred_ms=min(cursors)))
    else:
        row.occurred_ms = min(row.occurred_ms, *cursors)
        session.add(row)


def _fold_pushed(session: Session, aliases: list[str], survivor: str) -> None:
    """A pushed value moves to the survivor only where every alias had the same one (HubSpot's merged record then
    holds it, whichever was primary); a conflict is dropped so the next push writes the survivor in full."""
    own = {r.property for r in session.exec(select(Pushed).where(Pushed.contact_id == survivor))}
    values: dict[str, set[str]] = defaultdict(set)
    stamps = {}
    for row in session.exec(select(Pushed).where(Pushed.contact_id.in_(aliases))):
        values[row.property].add(row.value)
        stamps[row.property] = row.pushed_at
    session.exec(delete(Pushed).where(Pushed.contact_id.in_(aliases)))
    for prop, seen in values.items():
        if prop not in own and len(seen) == 1:
            session.add(Pushed(contact_id=survivor, property=prop, value=next(iter(seen)), pushed_at=stamps[prop]))


def _fold_tasks(session: Session, aliases: list[str], survivor: str) -> None:
    """One task ledger: the aliases' tasks become the survivor's (a pending one is created for the survivor, at
    most one), and one trigger state: armed only if all were, the latest firing, the highest band seen."""
    session.exec(update(TaskOutbox).where(TaskOutbox.contact_id.in_(aliases)).values(contact_id=survivor))
    pending = list(session.exec(select(TaskOutbox).where(TaskOutbox.contact_id == survivor,
                                                         TaskOutbox.status == "pending").order_by(TaskOutbox.id)))
    for row in pending[:-1]:      # never a second open task for one contact: the newest intent stays
        row.status, row.reason = "skipped", "contacts merged: one task per contact, the newest intent kept"
        session.add(row)
    triggers = list(session.exec(select(TaskTrigger).where(TaskTrigger.contact_id.in_([*aliases, survivor]))))
    if not triggers:
        return
    fired = [t.last_fired_at for t in triggers if t.last_fired_at is not None]
    bands = [t.band for t in triggers if t.band in BANDS]
    armed = all(t.armed for t in triggers)
    own = next((t for t in triggers if t.contact_id == survivor), None) or TaskTrigger(
        contact_id=survivor, updated_at=utcnow())
    session.exec(delete(TaskTrigger).where(TaskTrigger.contact_id.in_(aliases)))
    own.armed, own.last_fired_at = armed, max(fired) if fired else None
    own.band, own.updated_at = (max(bands, key=BANDS.index) if bands else None), utcnow()
    session.add(own)
