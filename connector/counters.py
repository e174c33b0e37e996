"""Counter deltas: the web signal of a portal without per-event web analytics (below Enterprise).

HubSpot keeps lifetime counters on every contact of every tier (hs_analytics_num_visits, _num_page_views) and the
time of the last session (hs_analytics_last_visit_timestamp) [C: reference §3.13]; only Enterprise serves the page
views themselves (/events/v3/events). A rise of a counter between two readings is new activity: each visit or
page view counted since the last credit becomes one synthetic touchpoint (kinds counted_visit, counted_page_view),
dated by the last visit, since the counters do not say when the earlier ones of the rise happened. They are not
page views: no URL, so no vacancy, no careers-site check and no apply intent; the model gives them their own,
lower, weight, and `explain` says where they came from. Pure: state/counters.py stores the snapshots.

First sight of a contact (no snapshot credited yet): one visit and one page view, dated by the last visit. A
recruiter who connects the portal expects yesterday's visitor to show some web interest on the first run, not
only after the second; the lifetime totals, though, can span years of visits HubSpot gives no dates for, and
dating them all at the last visit would make an old regular look like today's binge. One of each says what is
known for sure: this person was on the site then (the model's horizon and decay age it like any touchpoint).
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.scoring.records import COUNTED_PAGE_VIEW, COUNTED_VISIT

COUNTER_SOURCE = "hubspot_counter"
# A rise of hundreds (a bot, a crawler the tracking code took for a person) makes at most this many touchpoints:
# same-day repeats are dampened 1, 1/2, 1/4, ... anyway, so more would add nothing but rows.
MAX_PER_RISE = 10


@dataclass(frozen=True)
class Reading:
    """One contact's counters: as read now, and as credited before (None: never credited)."""

    contact_id: str
    visits: int | None
    page_views: int | None
    last_visit_ms: int | None
    credited_visits: int | None
    credited_page_views: int | None


def counter_touchpoints(reading: Reading) -> list[dict]:
    """Touchpoint rows for the counted activity not credited yet; their source ids are the visit and page-view
    numbers (the 7th visit is always "<contact>:visits:7"), so a re-read or a re-run makes the same rows again
    and the store keeps them once."""
    if reading.last_visit_ms is None:
        return []           # nothing to date them by (a counter without a session time is not a visit we can place)
    first_sight = reading.credited_visits is None and reading.credited_page_views is None
    rows = []
    for kind, now, before, word in ((COUNTED_VISIT, reading.visits, reading.credited_visits, "visits"),
                                    (COUNTED_PAGE_VIEW, reading.page_views, reading.credited_page_views, "views")):
        if not now:
            continue
        if first_sight:
            numbers = [now]
        elif now <= (before or 0):
            continue        # no rise; a fall (a counter HubSpot recalculated lower) only resets the baseline
        else:
            numbers = list(range(max((before or 0) + 1, now - MAX_PER_RISE + 1), now + 1))
        rows.extend({"source": COUNTER_SOURCE, "source_id": f"{reading.contact_id}:{word}:{n}", "kind": kind,
                     "contact_id": reading.contact_id, "recipient": None, "occurred_ms": reading.last_visit_ms,
                     "key": None, "label": None, "url": None, "device": None} for n in numbers)
    return rows
