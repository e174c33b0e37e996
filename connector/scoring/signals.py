"""Signals the scorer derives rather than reads: return visits (one per extra day on the careers site) and the
person's current subscription state (which negatives still floor the score). Pure, like the rest of scoring/.

Return visits: each distinct UTC day with careers-site activity (vacancy views, careers pages, apply pages)
within the horizon is worth the return_visit rule's points, decayed from the day's newest touchpoint, except the
oldest such day: its visits already count as themselves, so one session, however long, earns no return visit.
Why this stays monotone: the day values share one half-life, so dropping the oldest day drops the smallest value;
sum(values) - min(values) never falls when a value grows (a newer touchpoint that day) or a value is added (a new
day), and falls when every value decays or one leaves the horizon. So a new page view never lowers the score and
time alone never raises it, as for every other kind (model.py's docstring).
"""

from __future__ import annotations

from datetime import UTC, datetime

from connector.scoring.compiled import SECONDS_PER_DAY, Rule
from connector.scoring.records import CAREERS_KINDS, LIFTS, RETURN_VISIT, Touchpoint


def return_visit_rows(rule: Rule, by_kind: dict[str, list[tuple[float, str, Touchpoint]]], now_ts: float) -> list[list]:
    """Rows (as model._score builds them) of the derived return visits: one per careers day but the oldest."""
    newest: dict[float, tuple[float, Touchpoint]] = {}
    for kind in CAREERS_KINDS:
        for ts, _sid, tp in by_kind.get(kind, ()):
            day = ts // SECONDS_PER_DAY
            seen = newest.get(day)
            if seen is None or ts > seen[0]:
                newest[day] = (ts, tp)
    if len(newest) < 2:
        return []
    rows = []
    half_life_s, points = rule.half_life_s, rule.points
    for day, (ts, tp) in sorted(newest.items(), reverse=True)[:-1]:   # the oldest day is no return
        key = _day_key(day)
        age = now_ts - ts
        decay = 0.5 ** (age / half_life_s) if age > 0 else 1.0
        rows.append([Touchpoint(RETURN_VISIT, tp.occurred_at, key, None, f"derived:{key}"), ts, rule, decay, 1.0, "",
                     points * decay])
    return rows


def _day_key(day: float) -> str:
    key = _DAY_KEYS.get(day)
    if key is None:
        key = _DAY_KEYS[day] = datetime.fromtimestamp(day * SECONDS_PER_DAY, UTC).date().isoformat()
    return key


_DAY_KEYS: dict[float, str] = {}     # UTC day number -> "YYYY-MM-DD"; a few hundred entries per horizon


def split_negatives(negatives: list[Touchpoint], lifters: list[Touchpoint]) -> tuple[list[Touchpoint], list[Touchpoint]]:
    """(negatives still in force, negatives lifted by a later re-subscribe or delivery), each sorted by time."""
    latest: dict[str, float] = {}
    for tp in lifters:
        for kind in LIFTS[tp.kind]:
            latest[kind] = max(latest.get(kind, -1e300), tp.occurred_at.timestamp())
    active, lifted = [], []
    for tp in sorted(negatives, key=_by_time):
        (lifted if latest.get(tp.kind, -1e300) > tp.occurred_at.timestamp() else active).append(tp)
    return active, lifted


def _by_time(tp: Touchpoint) -> tuple:
    return tp.occurred_at, tp.kind, tp.source_id or ""

