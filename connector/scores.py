"""Rescoring the state DB: which contacts need a new score, stored scores and history, and the te_* values they push."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from connector import store
from connector.hubspot.timeparse import ms_to_dt
from connector.models import ScoreHistory, ScoreRow
from connector.models import Touchpoint as TouchpointRow
from connector.scoring.config import ScoringModel
from connector.scoring.explain import reasons_text
from connector.scoring.model import Score, Touchpoint, can_band_change, score_many
from connector.scoring.phrases import DEFAULT_LANGUAGE
from connector.scoring.stats import percentile_ranks, rank_moved_enough

REASONS_MAX_CHARS = 1_000
TREND_DAYS = 7
IN_CHUNK = 500
STREAM_ALL_ABOVE = 5_000          # past this many contacts, one ordered scan beats IN-lists
RANK_PROPERTY, BAND_PROPERTY, SCORED_AT_PROPERTY = "te_engagement_rank_pct", "te_engagement_band", "te_scored_at"
SCORE_COLUMNS = ("value", "band", "suppressed", "reasons", "model_version", "last_touch_ms", "computed_at",
                 "touch_count", "horizon_exit_ms")
_TP_COLUMNS = (TouchpointRow.contact_id, TouchpointRow.kind, TouchpointRow.occurred_ms, TouchpointRow.key,
               TouchpointRow.label, TouchpointRow.source, TouchpointRow.source_id)


def _ms(dt: datetime | None) -> int | None:
    return int(dt.timestamp() * 1000) if dt else None


EMAIL_KINDS = frozenset({"email_open", "email_click"})


def _tp(kind, occurred_ms, key, label, source, source_id, campaigns: dict[str, str]) -> Touchpoint:
    if label is None and kind in EMAIL_KINDS:
        label = campaigns.get(key)
    return Touchpoint(kind=kind, occurred_at=ms_to_dt(occurred_ms), key=key, label=label,
                      source_id=f"{source}:{source_id}")


def load_touchpoints(session: Session, contact_ids: Iterable[str]) -> dict[str, list[Touchpoint]]:
    """Scoring touchpoints per contact, read as plain columns (no ORM objects: a full rescore reads millions)."""
    wanted = set(contact_ids)
    campaigns = store.campaign_names(session)
    out: dict[str, list[Touchpoint]] = {cid: [] for cid in wanted}
    if len(wanted) > STREAM_ALL_ABOVE:
        rows = session.exec(select(*_TP_COLUMNS).where(TouchpointRow.contact_id.is_not(None)))
        for cid, *rest in rows:
            if cid in wanted:
                out[cid].append(_tp(*rest, campaigns))
        return out
    ids = sorted(wanted)
    for i in range(0, len(ids), IN_CHUNK):
        for cid, *rest in session.exec(select(*_TP_COLUMNS).where(TouchpointRow.contact_id.in_(ids[i:i + IN_CHUNK]))):
            out[cid].append(_tp(*rest, campaigns))
    return out


def contacts_to_rescore(session: Session, model: ScoringModel, now: datetime) -> tuple[list[str], dict[str, int]]:
    """Live contacts with new touchpoints, no score yet, another model version, or a decay/horizon that can matter."""
    counts = store.touch_counts(session)
    existing = {row[0]: row for row in session.exec(select(
        ScoreRow.contact_id, ScoreRow.model_version, ScoreRow.touch_count, ScoreRow.value, ScoreRow.computed_at,
        ScoreRow.horizon_exit_ms))}
    dirty = []
    for cid in store.live_contact_ids(session):
        row = existing.get(cid)
        if row is None or row[1] != model.version or row[2] != counts.get(cid, 0) or can_band_change(row[3], row[4], now, model,
                             horizon_exit_at=ms_to_dt(row[5]) if row[5] is not None else None):
            dirty.append(cid)
    return dirty, counts


def rescore(session: Session, model: ScoringModel, now: datetime, language: str = DEFAULT_LANGUAGE) -> int:
    """Recompute and store the scores that can have changed; return how many were computed."""
    dirty, counts = contacts_to_rescore(session, model, now)
    if not dirty:
        return 0
    touchpoints = load_touchpoints(session, dirty)
    scores = score_many(touchpoints, now, model)
    save_scores(session, scores, now, counts, language)
    save_history(session, scores, touchpoints, now, model)
    return len(scores)


def save_scores(session: Session, scores: dict[str, Score], now: datetime, counts: dict[str, int],
                language: str = DEFAULT_LANGUAGE) -> None:
    rows = [{"contact_id": cid, "value": s.value, "band": s.band, "suppressed": s.suppressed,
             "reasons": reasons_text(s, now, language=language)[:REASONS_MAX_CHARS], "model_version": s.model_version,
             "last_touch_ms": _ms(s.last_touch_at), "computed_at": now, "touch_count": counts.get(cid, 0),
             "horizon_exit_ms": _ms(s.horizon_exit_at)} for cid, s in scores.items()]
    store.upsert_rows(session, ScoreRow, rows, ["contact_id"], SCORE_COLUMNS)


def save_history(session: Session, scores: dict[str, Score], touchpoints: dict[str, list[Touchpoint]],
                 now: datetime, model: ScoringModel) -> None:
    """Today's value per contact; a contact seen for the first time also gets its value of a week ago,
    computed from the same touchpoints, so its first trend is real rather than "everything is new"."""
    today = now.date()
    rows = [{"contact_id": cid, "day": today, "value": s.value} for cid, s in scores.items()]
    known = set(session.exec(select(ScoreHistory.contact_id).where(
        ScoreHistory.contact_id.in_(list(scores)) if len(scores) <= IN_CHUNK else ScoreHistory.day < today).distinct()))
    week_ago = now - timedelta(days=TREND_DAYS)
    then = {cid: [t for t in touchpoints[cid] if t.occurred_at <= week_ago]
            for cid in scores if cid not in known and touchpoints.get(cid)}
    for cid, past in score_many(then, week_ago, model).items():
        rows.append({"contact_id": cid, "day": week_ago.date(), "value": past.value})
    store.upsert_rows(session, ScoreHistory, rows, ["contact_id", "day"], ("value",))


def trend_baselines(session: Session, today: date) -> dict[str, float]:
    """Per contact, the score as of TREND_DAYS ago: the last history entry on or before that day."""
    cut = today - timedelta(days=TREND_DAYS)
    latest = select(ScoreHistory.contact_id, func.max(ScoreHistory.day).label("day")).where(
        ScoreHistory.day <= cut).group_by(ScoreHistory.contact_id).subquery()
    stmt = select(ScoreHistory.contact_id, ScoreHistory.value).join(
        latest, (latest.c.contact_id == ScoreHistory.contact_id) & (latest.c.day == ScoreHistory.day))
    return dict(session.exec(stmt).all())


def displayed_score(value: float) -> int:
    """The whole number recruiters see; floored so it always agrees with the band (thresholds are whole numbers)."""
    return int(math.floor(value + 1e-9))


def score_stats(session: Session, now: datetime) -> dict[str, dict]:
    """Per live scored contact: its score row plus 7-day trend and percentile rank among scored contacts."""
    live = set(store.live_contact_ids(session))
    rows = {r.contact_id: r for r in session.exec(select(ScoreRow)) if r.contact_id in live}
    ranks = percentile_ranks({cid: r.value for cid, r in rows.items()})
    baselines = trend_baselines(session, now.astimezone(UTC).date())
    return {cid: {"row": r, "trend": r.value - baselines.get(cid, 0.0), "rank": ranks.get(cid, 0.0)}
            for cid, r in rows.items()}


def desired_properties(session: Session, now: datetime) -> dict[str, dict[str, str]]:
    """te_* values every live scored contact should carry in HubSpot (strings, as on the wire)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for cid, st in score_stats(session, now).items():
        row = st["row"]
        out[cid] = {
            "te_engagement_score": str(displayed_score(row.value)),
            "te_engagement_band": row.band,
            "te_engagement_reasons": row.reasons,
            "te_engagement_trend_7d": str(round(st["trend"])),
            "te_engagement_rank_pct": str(round(st["rank"])),
            "te_last_engaged_at": str(row.last_touch_ms) if row.last_touch_ms else "",
            "te_score_model": row.model_version,
            "te_scored_at": str(_ms(row.computed_at)),
        }
    _merge_application_properties(session, out)
    return dict(out)


def _merge_application_properties(session: Session, out: dict[str, dict[str, str]]) -> None:
    """The ATS's te_application_* values (connector/state/ats_store.py) beside the scores."""
    from connector.state.ats_store import application_properties
    for cid, props in application_properties(session).items():
        out.setdefault(cid, {}).update(props)
def push_diff(desired: dict[str, dict[str, str]], last: dict[str, dict[str, str]],
              rank_step: float) -> dict[str, dict[str, str]]:
    """Per contact, the values that differ from what was last written to HubSpot; te_scored_at rides along with
    a change. The rank is left out while it moved less than `rank_step` points and the band stayed."""
    updates = {}
    for cid, props in desired.items():
        before = last.get(cid, {})
        changed = {k: v for k, v in props.items() if before.get(k) != v and k != SCORED_AT_PROPERTY}
        if RANK_PROPERTY in changed and BAND_PROPERTY not in changed and not rank_moved_enough(
                _number(changed[RANK_PROPERTY]), _number(before.get(RANK_PROPERTY)), rank_step):
            del changed[RANK_PROPERTY]
        if changed:
            if SCORED_AT_PROPERTY in props:
                changed[SCORED_AT_PROPERTY] = props[SCORED_AT_PROPERTY]
            updates[cid] = changed
    return updates


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None
