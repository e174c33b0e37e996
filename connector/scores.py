"""Rescoring the state DB: which contacts need a new score, stored scores, and the te_* values they push."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sqlmodel import Session, select

from connector import store
from connector.hubspot.timeparse import ms_to_dt
from connector.models import ScoreRow
from connector.models import Touchpoint as TouchpointRow
from connector.scoring.config import ScoringModel
from connector.scoring.explain import reasons_text
from connector.scoring.model import Score, Touchpoint, can_band_change, score_many

REASONS_MAX_CHARS = 1_000


def to_touchpoint(row: TouchpointRow) -> Touchpoint:
    return Touchpoint(kind=row.kind, occurred_at=ms_to_dt(row.occurred_ms), key=row.key, label=row.label,
                      source_id=f"{row.source}:{row.source_id}")


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def contacts_to_rescore(session: Session, model: ScoringModel, now: datetime) -> tuple[list[str], dict[str, int]]:
    """Live contacts with new touchpoints, no score yet, another model version, or a decay that can matter."""
    counts = store.touch_counts(session)
    existing = {row.contact_id: row for row in session.exec(select(ScoreRow))}
    dirty = []
    for cid in store.live_contact_ids(session):
        row = existing.get(cid)
        if (row is None or row.model_version != model.version or row.touch_count != counts.get(cid, 0)
                or can_band_change(row.value, _aware(row.computed_at), now, model)):
            dirty.append(cid)
    return dirty, counts


def rescore(session: Session, model: ScoringModel, now: datetime) -> int:
    """Recompute and store the scores that can have changed; return how many were computed."""
    dirty, counts = contacts_to_rescore(session, model, now)
    if not dirty:
        return 0
    rows = store.touchpoints_for(session, dirty)
    scores = score_many({cid: [to_touchpoint(r) for r in tps] for cid, tps in rows.items()}, now, model)
    for cid, score in scores.items():
        save_score(session, cid, score, now, counts.get(cid, 0))
    return len(scores)


def save_score(session: Session, contact_id: str, score: Score, now: datetime, touch_count: int) -> None:
    row = session.get(ScoreRow, contact_id) or ScoreRow(contact_id=contact_id, value=0, band="cold",
                                                        model_version=score.model_version, computed_at=now)
    row.value, row.band, row.suppressed = score.value, score.band, score.suppressed
    row.reasons = reasons_text(score, now)[:REASONS_MAX_CHARS]
    row.model_version = score.model_version
    row.last_touch_ms = int(score.last_touch_at.timestamp() * 1000) if score.last_touch_at else None
    row.computed_at = now
    row.touch_count = touch_count
    session.add(row)


def displayed_score(value: float) -> int:
    """The whole number recruiters see; floored so it always agrees with the band (thresholds are whole numbers)."""
    return int(math.floor(value + 1e-9))


def desired_properties(session: Session, now: datetime) -> dict[str, dict[str, str]]:
    """te_* values every live scored contact should carry in HubSpot (strings, as on the wire)."""
    live = set(store.live_contact_ids(session))
    out: dict[str, dict[str, str]] = {}
    for row in session.exec(select(ScoreRow)):
        if row.contact_id not in live:
            continue
        out[row.contact_id] = {
            "te_engagement_score": str(displayed_score(row.value)),
            "te_engagement_band": row.band,
            "te_engagement_reasons": row.reasons,
            "te_last_engaged_at": str(row.last_touch_ms) if row.last_touch_ms else "",
            "te_score_model": row.model_version,
            "te_scored_at": str(int(_aware(row.computed_at).timestamp() * 1000)),
        }
    return out
