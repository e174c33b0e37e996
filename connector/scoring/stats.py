"""Pure score statistics for the HubSpot properties: the 7-day trend and the percentile rank in the portal."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

TREND_DAYS = 7
PERCENT = 100.0
RANK_DECIMALS = 1


def trend_7d(history: Sequence[tuple[date, float]], current: float, today: date) -> float:
    """Current score minus the score as of 7 days ago: the latest entry dated on or before today - 7.

    Without such an entry the contact had no score then, and the baseline is 0 (trend = current).
    Of several entries on the baseline day the last one in `history` wins.
    """
    cutoff = today - timedelta(days=TREND_DAYS)
    baseline_day, baseline = None, 0.0
    for day, value in history:
        day = day.date() if isinstance(day, datetime) else day
        if day <= cutoff and (baseline_day is None or day >= baseline_day):
            baseline_day, baseline = day, value
    return current - baseline


def percentile_ranks(values: Mapping[str, float]) -> dict[str, float]:
    """Per contact, the percentage of scored contacts whose score is lower than or equal to theirs.

    0..100 rounded to one decimal; equal scores get equal ranks; the top score always ranks 100. Contacts
    scoring 0 (no activity, or floored) share the bottom rank 0: on a portal where most contacts are inactive
    they would otherwise all rank, say, 80, as if they were ahead of a fifth of the pool.
    """
    ordered = sorted(values.values())
    count = len(ordered)
    return {contact: 0.0 if value <= 0 else round(PERCENT * bisect_right(ordered, value) / count, RANK_DECIMALS)
            for contact, value in values.items()}


def rank_moved_enough(new: float, last: float | None, step: float) -> bool:
    """Whether a rank is worth rewriting: never written, or moved by at least `step` points. Every write is an API
    call share and can re-trigger HubSpot workflows; one active contact shifts everyone's rank a little."""
    return last is None or abs(new - last) >= step
