"""The call list: candidates ranked by score, with band, reasons and last touch (read-only queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from connector.hubspot.timeparse import ms_to_dt
from connector.models import Contact, ScoreRow
from connector.scores import displayed_score


@dataclass(frozen=True)
class PoolEntry:
    contact_id: str
    name: str
    email: str | None
    owner_id: str | None
    score: int
    value: float
    band: str
    reasons: str
    last_touch_at: datetime | None
    suppressed: bool


def ranked_pool(session: Session, *, top: int | None = 20, owner_id: str | None = None, band: str | None = None,
                contact_ids: set[str] | None = None) -> list[PoolEntry]:
    """Live scored contacts, highest score first (ties: most recent touch first, then id)."""
    stmt = select(ScoreRow, Contact).join(Contact, Contact.id == ScoreRow.contact_id).where(
        Contact.merged_into.is_(None), Contact.archived.is_(False))
    if owner_id:
        stmt = stmt.where(Contact.owner_id == owner_id)
    if band:
        stmt = stmt.where(ScoreRow.band == band)
    stmt = stmt.order_by(ScoreRow.value.desc(), ScoreRow.last_touch_ms.desc(), Contact.id)
    entries = []
    for score, contact in session.exec(stmt):
        if contact_ids is not None and contact.id not in contact_ids:
            continue
        entries.append(PoolEntry(
            contact_id=contact.id, name=" ".join(x for x in (contact.first_name, contact.last_name) if x) or "(no name)",
            email=contact.email, owner_id=contact.owner_id, score=displayed_score(score.value), value=score.value,
            band=score.band, reasons=score.reasons,
            last_touch_at=ms_to_dt(score.last_touch_ms) if score.last_touch_ms else None, suppressed=score.suppressed))
        if top and len(entries) >= top:
            break
    return entries
