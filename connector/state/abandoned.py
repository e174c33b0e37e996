"""Forgotten-application flags: load what detection needs per contact, store its decisions, the te_abandoned_* values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from connector.actions.abandoned import AbandonRules, ApplyIntent, Decision, Flag, Person, flag_properties
from connector.models import AbandonedFlag, Contact, ScoreRow, Touchpoint
from connector.scoring.urls import clean_url
from connector.state import utcnow

LOOKBACK_SLACK = timedelta(days=1)


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def load_people(session: Session, now: datetime, rules: AbandonRules,
                ats: dict[str, dict] | None = None) -> list[Person]:
    """Live contacts with a recent apply intent or a flag still set, with their applications and blockers.

    `ats`: per contact {"applications": [(vacancy key, at)], "hired": bool, "rejected_at": datetime | None}.
    """
    since_ms = int((now - rules.expiry - LOOKBACK_SLACK).timestamp() * 1000)
    live = select(Contact.id).where(Contact.merged_into.is_(None), Contact.archived.is_(False))
    intents: dict[str, list[ApplyIntent]] = {}
    for cid, key, label, url, ms, device in session.exec(
            select(Touchpoint.contact_id, Touchpoint.key, Touchpoint.label, Touchpoint.url, Touchpoint.occurred_ms,
                   Touchpoint.device).where(Touchpoint.kind == "apply_intent", Touchpoint.occurred_ms >= since_ms,
                                            Touchpoint.contact_id.in_(live), Touchpoint.key.is_not(None))):
        intents.setdefault(cid, []).append(ApplyIntent(key, _dt(ms), clean_url(url), label, device))
    active: dict[str, list[Flag]] = {}
    for row in session.exec(select(AbandonedFlag).where(AbandonedFlag.cleared_at.is_(None))):
        active.setdefault(row.contact_id, []).append(_flag(row))
    wanted = set(intents) | set(active)
    if not wanted:
        return []
    applications: dict[str, list[tuple[str | None, datetime]]] = {}
    for cid, key, ms in session.exec(select(Touchpoint.contact_id, Touchpoint.key, Touchpoint.occurred_ms).where(
            Touchpoint.kind == "application", Touchpoint.contact_id.in_(list(wanted)))):
        applications.setdefault(cid, []).append((key, _dt(ms)))
    suppressed = set(session.exec(select(ScoreRow.contact_id).where(ScoreRow.suppressed.is_(True),
                                                                    ScoreRow.contact_id.in_(list(wanted)))))
    flagged: dict[str, dict[str, datetime]] = {}
    for cid, key, at in session.exec(select(AbandonedFlag.contact_id, AbandonedFlag.vacancy_key,
                                            func.max(AbandonedFlag.flagged_at)).where(
            AbandonedFlag.contact_id.in_(list(wanted))).group_by(AbandonedFlag.contact_id, AbandonedFlag.vacancy_key)):
        flagged.setdefault(cid, {})[key] = _aware(at)
    live_ids = set(session.exec(live.where(Contact.id.in_(list(wanted)))))
    ats = ats or {}
    people = []
    for cid in sorted(wanted):
        known = ats.get(cid, {})
        people.append(Person(
            contact_id=cid, intents=tuple(intents.get(cid, ())),
            applications=tuple(applications.get(cid, ())) + tuple(known.get("applications", ())),
            hired=bool(known.get("hired")), rejected_at=known.get("rejected_at"),
            suppressed=cid in suppressed or cid not in live_ids, active=tuple(active.get(cid, ())),
            last_flagged=flagged.get(cid, {})))
    return people


def save_decisions(session: Session, decisions: dict[str, Decision]) -> tuple[int, int]:
    """Store new flags and clear the others (with the reason); (set, cleared)."""
    now, set_n, cleared_n = utcnow(), 0, 0
    for cid, decision in decisions.items():
        for flag in decision.new:
            session.add(AbandonedFlag(contact_id=cid, vacancy_key=flag.vacancy, title=flag.title[:500],
                                      apply_url=flag.apply_url, intent_ms=int(flag.intent_at.timestamp() * 1000),
                                      device=flag.device, flagged_at=flag.flagged_at))
            set_n += 1
        for flag, why in decision.cleared:
            for row in session.exec(select(AbandonedFlag).where(
                    AbandonedFlag.contact_id == cid, AbandonedFlag.vacancy_key == flag.vacancy,
                    AbandonedFlag.cleared_at.is_(None))):
                row.cleared_at, row.clear_reason = now, why
                session.add(row)
                cleared_n += 1
    return set_n, cleared_n


def abandoned_properties(session: Session) -> dict[str, dict[str, str]]:
    """te_abandoned_* per live contact that has ever been flagged (empty values clear a cleared flag)."""
    live = select(Contact.id).where(Contact.merged_into.is_(None), Contact.archived.is_(False))
    flags: dict[str, list[Flag]] = {}
    for row in session.exec(select(AbandonedFlag).where(AbandonedFlag.contact_id.in_(live))):
        flags.setdefault(row.contact_id, [])
        if row.cleared_at is None:
            flags[row.contact_id].append(_flag(row))
    return {cid: flag_properties(current) for cid, current in flags.items()}


@dataclass(frozen=True)
class FlagRow:
    contact_id: str
    name: str
    email: str | None
    owner_id: str | None
    vacancy: str
    apply_url: str | None
    intent_at: datetime
    device: str | None
    flagged_at: datetime


def current_flags(session: Session) -> list[FlagRow]:
    """Flags set now, newest intent first, with their contact (for `connector abandoned`)."""
    rows = session.exec(select(AbandonedFlag, Contact).join(Contact, Contact.id == AbandonedFlag.contact_id).where(
        AbandonedFlag.cleared_at.is_(None), Contact.merged_into.is_(None), Contact.archived.is_(False)).order_by(
        AbandonedFlag.intent_ms.desc()))
    return [FlagRow(c.id, " ".join(p for p in (c.first_name, c.last_name) if p) or f"contact {c.id}", c.email,
                    c.owner_id, f.title, f.apply_url, _dt(f.intent_ms), f.device, _aware(f.flagged_at))
            for f, c in rows]


def _flag(row: AbandonedFlag) -> Flag:
    return Flag(row.vacancy_key, row.title, row.apply_url, _dt(row.intent_ms), row.device, _aware(row.flagged_at))
