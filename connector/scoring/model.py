"""Pure engagement scoring: touchpoints + now + ScoringModel -> Score (value, band, contributions). No I/O.

How a score is built (DESIGN.md section 4):
1. Positive touchpoints older than the horizon are left out (no contribution at all); future ones (clock
   skew) count as age 0. Any negative (unsubscribe, hard bounce, spam report; no horizon) floors the score
   to the model's floor and marks it suppressed, unless a later re-subscribe or delivery lifted it (signals.py);
   positive contributions are then cut down to the floor.
2. Decay per kind: 0.5 ** (age_days / half_life_days).
3. Repeats: touchpoints of one (kind, key) on one UTC calendar day are ranked newest first; rank r counts
   repeat_factor ** r (1, 1/2, 1/4, ...), and ranks past `max_per_key_per_day` count 0.
4. Then `max_per_day` (per UTC day, all keys) or `max_per_key` (per key), then `max_count`, keep the touchpoints
   adding most. Return visits (one per extra UTC day on the careers site) are derived in signals.py.
5. Each group sum is capped, then the total; cuts are proportional, so contributions add up to the value.
Why a new positive touchpoint never lowers the score: in a bucket all share one half-life, so newest-first
is biggest-first; pairing the biggest weights with the biggest values leaves every sorted weighted value at
least as big, plus one more (rearrangement inequality); a top-N of such a list and the caps keep that.
Per-key and per-day limits together would break this (config.py refuses them). Passing time only lowers each
decayed value, never reorders a bucket, so the score never rises without new touchpoints.
Why a UTC day, not the sliding 24 h of DESIGN.md: no sliding window stays monotone. Smallest counterexample
(default model, now 2025-06-04 12:00 UTC; 1 view per vacancy per 24 h, rank = newer views < 24 h later):
vacancy views of one vacancy at 06-03 11:00 and 06-04 12:00 (25 h apart) score 15.598; add one at 06-04 00:00
(13 h after the first, 12 h before the last) and only the newest counts: 8.000. The UTC day keeps 15.598.
Generally, with repeat_factor f: a new touchpoint less than 24 h after a lone one and less than 24 h before a
newer one turns that one from 1 into at most f and adds at most f itself: 1 + 2f < 2 (decay aside) for f < 1/2
or a per-key limit of 1, whichever weighting damps every repeat within 24 h. With f = 1/2 and no limit, ranks by
newer ones within 24 h fail with clicks on one mail at 06-03 09:00, 06-04 09:30 and 06-04 10:00 (14.635) plus
one at 06-03 12:00 (13.225: the first becomes 1/2, the new one is the third repeat within 24 h, 1/4).
Windows anchored at the newest touchpoint (24 h back from it; the next older one opens a new window) pass brute
force on their own, but do not damp every repeat within 24 h, and fail with max_per_day: a window across
midnight moves value between days and the day limit drops the gain but not the loss (page views /a at 06-02
20:00, three others at 06-03 12:00: 11.328; add /a at 06-03 10:00: 9.946). See tests/test_scoring_model.py.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from connector.scoring.compiled import SECONDS_PER_DAY, Rule, Table, compiled
from connector.scoring.records import (  # noqa: F401 - re-exported: the public face of the scoring model
    BANDS,
    KIND_WORDS,
    NEGATIVE_GROUP,
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    STATE_GROUP,
    STATE_KINDS,
    TOUCHPOINT_KINDS,
    Contribution,
    Score,
    Touchpoint,
)
from connector.scoring.signals import return_visit_rows, split_negatives

if TYPE_CHECKING:
    from connector.scoring.config import ScoringModel



def compute_score(touchpoints: Iterable[Touchpoint], now: datetime, model: ScoringModel) -> Score:
    """Score one contact's touchpoints as of `now` (timezone-aware)."""
    return _score(touchpoints, _timestamp(now), compiled(model), model)


def score_many(touchpoints_by_contact: Mapping[str, Iterable[Touchpoint]], now: datetime,
               model: ScoringModel) -> dict[str, Score]:
    """Score many contacts at one `now`, sharing the compiled model (full rescoring)."""
    now_ts, table = _timestamp(now), compiled(model)
    # Scores hold no reference cycles; generational GC passes over the millions of live touchpoints
    # would otherwise nearly double a full rescore (measured 16 s -> 9 s for 2M touchpoints).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return {contact: _score(tps, now_ts, table, model) for contact, tps in touchpoints_by_contact.items()}
    finally:
        if gc_was_enabled:
            gc.enable()


def score_band(value: float, model: ScoringModel) -> str:
    """Band of an exact score value: below the first edge is the lowest band."""
    return BANDS[bisect_right(model.bands, value)]


def can_band_change(previous_value: float, last_computed_at: datetime, now: datetime, model: ScoringModel,
                    *, horizon_exit_at: datetime | None = None) -> bool:
    """True when decay since `last_computed_at` can have moved the score >= 1 point or across an edge.

    Sound because every contribution (and so every capped sum) keeps at least 0.5 ** (dt / shortest
    half-life) of its value. Touchpoints leaving the horizon drop at once: pass Score.horizon_exit_at to
    cover that; without it such a drop is noticed once decay alone passes the 1-point test.
    Edges are the band edges and the task re-arm threshold.
    """
    elapsed_days = (now - last_computed_at).total_seconds() / SECONDS_PER_DAY
    if elapsed_days <= 0:
        return False
    if horizon_exit_at is not None and now >= horizon_exit_at:
        return True
    half_lives = [r.half_life_days for r in model.touchpoints.values() if r.points > 0]
    if not half_lives or previous_value <= 0:
        return False
    lowest = previous_value * 0.5 ** (elapsed_days / min(half_lives))
    if previous_value - lowest >= 1:
        return True
    edges = (*model.bands, model.triggers.rearm_below)
    return any(lowest < edge <= previous_value for edge in edges)


def _timestamp(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError(f"datetime must be timezone-aware (UTC), got naive {moment.isoformat()}")
    return moment.timestamp()


def _score(touchpoints: Iterable[Touchpoint], now_ts: float, table: Table, model: ScoringModel) -> Score:
    by_kind, negatives, lifters, oldest, newest = _collect(touchpoints, now_ts, table)
    rows: list[list] = []  # [touchpoint, ts, rule, decay, dampening, note, points before caps]
    sums: dict[str, list[float]] = {}
    for kind, rule in table.rules.items():  # fixed kind order keeps float sums deterministic
        items = by_kind.get(kind)
        if items:
            kind_rows = _kind_rows(rule, items, now_ts, table)
            rows.extend(kind_rows)
            sums.setdefault(rule.group, []).append(math.fsum(row[6] for row in kind_rows))
    if table.return_rule is not None and by_kind:
        kind_rows = return_visit_rows(table.return_rule, by_kind, now_ts)
        rows.extend(kind_rows)
        sums.setdefault(table.return_rule.group, []).append(math.fsum(row[6] for row in kind_rows))
    value, ratios = _cap_ratios(sums, table)
    lifted: list[Touchpoint] = []
    if lifters:
        negatives, lifted = split_negatives(negatives, lifters)
    elif len(negatives) > 1:
        negatives.sort(key=_BY_TIME)
    if negatives:
        if value > table.floor:
            cut = table.floor / value
            ratios = {group: (r * cut, f"{note}; score floored" if note else "score floored")
                      for group, (r, note) in ratios.items()}
        value = table.floor
    rows.sort(key=_ROW_TS, reverse=True)
    contributions = []
    for tp, _ts, rule, decay, damp, note, raw in rows:
        ratio, cap_note = ratios[rule.group]
        points = raw * ratio
        if ratio < 1.0 and raw > 0:
            note = f"{note}; {cap_note}" if note else cap_note
        contributions.append(Contribution(tp, rule.group, rule.points, decay, damp, raw - points, points, note))
    contributions.sort(key=_BY_POINTS, reverse=True)
    notes = table.negative_notes
    contributions.extend(Contribution(tp, NEGATIVE_GROUP, 0.0, 1.0, 1.0, 0.0, 0.0, notes[tp.kind]) for tp in negatives)
    if lifters:
        state = [(tp, notes[f"lifted:{tp.kind}"]) for tp in lifted] + [(tp, notes[tp.kind]) for tp in lifters]
        state.sort(key=lambda pair: _BY_TIME(pair[0]))
        contributions.extend(Contribution(tp, STATE_GROUP, 0.0, 1.0, 1.0, 0.0, 0.0, note) for tp, note in state)
    return Score(
        value=value,
        band=BANDS[bisect_right(model.bands, value)],
        contributions=tuple(contributions),
        suppressed=bool(negatives),
        model_version=table.version,
        last_touch_at=None if newest is None else newest.occurred_at,
        horizon_exit_at=None if oldest is None else datetime.fromtimestamp(oldest + table.horizon_s, UTC),
    )


def _collect(touchpoints: Iterable[Touchpoint], now_ts: float, table: Table):
    """Split into positive touchpoints within the horizon (per kind, as (ts, source id, tp)), negatives, lifters."""
    rules, horizon_s = table.rules, table.horizon_s
    by_kind: dict[str, list[tuple[float, str, Touchpoint]]] = {}
    negatives: list[Touchpoint] = []
    lifters: list[Touchpoint] = []
    oldest, newest, newest_tp = None, None, None
    for tp in touchpoints:
        when = tp.occurred_at
        if when.tzinfo is None:
            raise ValueError(f"touchpoint {tp.source_id!r}: occurred_at must be timezone-aware")
        kind = tp.kind
        if kind not in rules:
            if kind in NEGATIVE_KINDS:
                negatives.append(tp)
            elif kind in STATE_KINDS:
                lifters.append(tp)
            else:
                raise ValueError(f"touchpoint {tp.source_id!r}: unknown kind {kind!r}")
            continue
        ts = when.timestamp()
        if now_ts - ts > horizon_s:
            continue
        items = by_kind.get(kind)
        if items is None:
            by_kind[kind] = items = []
        items.append((ts, tp.source_id or "", tp))
        if oldest is None or ts < oldest:
            oldest = ts
        if newest is None or ts > newest:
            newest, newest_tp = ts, tp
    return by_kind, negatives, lifters, oldest, newest_tp


def _kind_rows(rule: Rule, items: list[tuple[float, str, Touchpoint]], now_ts: float, table: Table) -> list[list]:
    """Rows for one kind: decay, repeat dampening per (key, UTC day), then the limits."""
    items.sort(key=_ITEM_SOURCE)
    items.sort(key=_ITEM_TS, reverse=True)  # newest first; stable, so ties stay in source id order
    ranks: dict[tuple, int] = {}
    rows = []
    base, half_life_s, cap = rule.points, rule.half_life_s, rule.per_key_day
    weights, notes = table.weights, table.repeat_notes
    for ts, _sid, tp in items:
        bucket = (tp.key, ts // SECONDS_PER_DAY)
        rank = ranks.get(bucket, 0)
        ranks[bucket] = rank + 1
        age = now_ts - ts
        decay = 0.5 ** (age / half_life_s) if age > 0 else 1.0
        if cap is not None and rank >= cap:
            rows.append([tp, ts, rule, decay, 0.0, rule.key_day_note, 0.0])
        elif rank < len(weights):
            rows.append([tp, ts, rule, decay, weights[rank], notes[rank], base * decay * weights[rank]])
        else:
            damp = table.factor**rank
            rows.append([tp, ts, rule, decay, damp, f"repeat {rank + 1} that day", base * decay * damp])
    if rule.per_day is not None:
        _keep_top(rows, rule.per_day, lambda row: row[1] // SECONDS_PER_DAY, rule.day_note)
    elif rule.per_key is not None:
        _keep_top(rows, rule.per_key, lambda row: row[0].key, rule.key_note)
    if rule.count is not None:  # a top-N of the values the limits above kept: still monotone (it dominates)
        _keep_top(rows, rule.count, lambda _row: None, rule.count_note)
    return rows


def _keep_top(rows: list[list], limit: int, part_of, note: str) -> None:
    """Within each part keep the `limit` rows adding most; zero the dampening of the others."""
    parts: dict[object, list[list]] = {}
    for row in rows:
        if row[6] > 0:
            parts.setdefault(part_of(row), []).append(row)
    for members in parts.values():
        if len(members) > limit:
            members.sort(key=_ROW_RAW, reverse=True)  # stable: equal points keep newest first
            for row in members[limit:]:
                row[4], row[5], row[6] = 0.0, note, 0.0


def _cap_ratios(sums: dict[str, list[float]], table: Table) -> tuple[float, dict[str, tuple[float, str]]]:
    """Value after group caps and the total cap, and per group the factor (and note) to cut each row by."""
    raws = {group: math.fsum(parts) for group, parts in sums.items()}
    total = math.fsum(min(raw, table.group_caps[group]) for group, raw in raws.items())
    total_ratio = table.total_cap / total if total > table.total_cap else 1.0
    ratios = {}
    for group, raw in raws.items():
        cap = table.group_caps[group]
        group_ratio = cap / raw if raw > cap else 1.0
        notes = [f"{group} cap {cap:g}"] * (group_ratio < 1.0) + [f"total cap {table.total_cap:g}"] * (total_ratio < 1.0)
        ratios[group] = (group_ratio * total_ratio, "; ".join(notes))
    return min(total, table.total_cap), ratios


_ITEM_TS, _ITEM_SOURCE = itemgetter(0), itemgetter(1)  # items: (ts, source id, touchpoint)
_ROW_TS, _ROW_RAW = itemgetter(1), itemgetter(6)       # rows: see _score
_BY_POINTS = attrgetter("points")


def _BY_TIME(tp: Touchpoint) -> tuple:  # noqa: N802 - a sort key like the getters above
    return tp.occurred_at, tp.kind, tp.source_id or ""
