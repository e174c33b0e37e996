"""Read side for `explain` and `pool`: find a contact by email, explain its score now, build the ranked call list."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from connector.errors import ConnectorError
from connector.hubspot.pull import normalize_email
from connector.hubspot.timeparse import ms_to_dt
from connector.models import Contact, ContactEmail
from connector.scores import displayed_score, load_touchpoints, score_stats
from connector.scoring.config import ScoringModel
from connector.scoring.explain import contribution_rows, reasons_text
from connector.scoring.model import Score, compute_score
from connector.views.safe_text import open_private, spreadsheet_cell


class NotFoundError(ConnectorError):
    """No such contact (or list) in the state DB."""


def find_contact(session: Session, email: str) -> Contact:
    """The live contact holding this email (primary or additional); a clear error when none or several."""
    normalized = normalize_email(email)
    if normalized is None:
        raise NotFoundError(f"{email!r} is not an email address")
    ids = session.exec(select(ContactEmail.contact_id).join(Contact, Contact.id == ContactEmail.contact_id).where(
        ContactEmail.email == normalized, Contact.merged_into.is_(None), Contact.archived.is_(False))).all()
    if not ids:
        raise NotFoundError(f"no contact with email {normalized} in the state DB (run `connector sync` first)")
    if len(set(ids)) > 1:
        raise NotFoundError(f"email {normalized} is on several contacts ({', '.join(sorted(set(ids)))}): ambiguous")
    return session.get(Contact, ids[0])


@dataclass
class Explanation:
    contact: Contact
    score: Score
    now: datetime
    language: str = "en"

    def as_dict(self) -> dict:
        s = self.score
        groups: dict[str, float] = {}
        for c in s.contributions:
            groups[c.group] = groups.get(c.group, 0.0) + c.points
        return {
            "contact_id": self.contact.id, "email": self.contact.email,
            "name": " ".join(x for x in (self.contact.first_name, self.contact.last_name) if x),
            "score": displayed_score(s.value), "value": round(s.value, 4), "band": s.band,
            "model_version": s.model_version, "suppressed": s.suppressed,
            "reasons": reasons_text(s, self.now, language=self.language), "group_points": {k: round(v, 4) for k, v in groups.items()},
            "contributions": contribution_rows(s, self.now), "as_of": self.now.isoformat(),
        }


def explain(session: Session, email: str, model: ScoringModel, now: datetime, language: str = "en") -> Explanation:
    """The contact's score recomputed now from its stored touchpoints, with every contribution."""
    contact = find_contact(session, email)
    touchpoints = load_touchpoints(session, [contact.id])[contact.id]
    return Explanation(contact=contact, score=compute_score(touchpoints, now, model), now=now, language=language)


@dataclass(frozen=True)
class PoolEntry:
    rank: int
    contact_id: str
    name: str
    email: str | None
    owner_id: str | None
    owner_name: str | None
    phone: str | None
    score: int
    band: str
    trend_7d: int
    rank_pct: int
    last_touch_at: datetime | None
    reasons: str
    application_status: str
    suppressed: bool


def ranked_pool(session: Session, now: datetime, *, top: int | None = 20, owner_id: str | None = None,
                band: str | None = None, contact_ids: set[str] | None = None,
                owner_names: dict[str, str] | None = None) -> list[PoolEntry]:
    """Live scored contacts, highest score first (ties: most recent touch, then id); owners named where known."""
    stats = score_stats(session, now)
    names = owner_names or {}
    contacts = {c.id: c for c in session.exec(select(Contact).where(Contact.id.in_(list(stats))))} if stats else {}
    rows = []
    for cid, st in stats.items():
        contact, row = contacts.get(cid), st["row"]
        if contact is None or (owner_id and contact.owner_id != owner_id) or (band and row.band != band):
            continue
        if contact_ids is not None and cid not in contact_ids:
            continue
        rows.append((contact, row, st))
    rows.sort(key=lambda t: (-t[1].value, -(t[1].last_touch_ms or 0), t[0].id))
    entries = []
    chosen = rows[:top] if top else rows
    statuses = _application_statuses(session, [c.id for c, _, _ in chosen])
    for i, (contact, row, st) in enumerate(chosen, 1):
        entries.append(PoolEntry(
            rank=i, contact_id=contact.id,
            name=" ".join(x for x in (contact.first_name, contact.last_name) if x) or "(no name)",
            email=contact.email, owner_id=contact.owner_id, phone=contact.phone,
            owner_name=names.get(contact.owner_id) if contact.owner_id else None, score=displayed_score(row.value), band=row.band,
            trend_7d=round(st["trend"]), rank_pct=round(st["rank"]),
            last_touch_at=ms_to_dt(row.last_touch_ms) if row.last_touch_ms else None, reasons=row.reasons,
            application_status=statuses.get(contact.id, "none"), suppressed=row.suppressed))
    return entries


def _application_statuses(session: Session, contact_ids: list[str]) -> dict[str, str]:
    from connector.state.ats_store import application_summaries
    return {cid: s.status for cid, s in application_summaries(session, contact_ids).items()}


def write_pool_csv(entries: list[PoolEntry], path: str | Path) -> None:
    """The call list as CSV (UTF-8, header row), for spreadsheets: 0600 (names and emails), formulas defused."""
    fields = list(PoolEntry.__dataclass_fields__)
    rows = []
    for e in entries:
        row = asdict(e)
        row["last_touch_at"] = e.last_touch_at.isoformat() if e.last_touch_at else ""
        rows.append([row[f] for f in fields])
    write_rows_csv(path, fields, rows)


def write_rows_csv(path: str | Path, header: list[str], rows: list[list]) -> None:
    """A CSV of personal data: created 0600, no cell a spreadsheet would run as a formula."""
    with open_private(path) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([spreadsheet_cell(v) for v in row])
