"""The scoring vocabulary: touchpoint kinds and bands, and the Touchpoint, Contribution and Score records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Kinds a stored touchpoint can have: positive ones take points, negatives floor the score, and state-only kinds
# (no points) lift a negative that came before them: the person's current state is what counts.
# Synthetic web kinds: rises of HubSpot's lifetime visit and page-view counters where the portal serves no page
# views (connector/counters.py); optional in a model file (one written before v3 scores them 0).
COUNTED_VISIT, COUNTED_PAGE_VIEW = "counted_visit", "counted_page_view"
COUNTER_KINDS = (COUNTED_VISIT, COUNTED_PAGE_VIEW)
POSITIVE_KINDS = ("vacancy_view", "page_view", "email_click", "email_open", "form_submission",
                  "apply_intent", "application", "event_attended", *COUNTER_KINDS)
NEGATIVE_KINDS = ("unsubscribe", "hard_bounce", "spam_report")
STATE_KINDS = ("resubscribe", "delivered")
TOUCHPOINT_KINDS = POSITIVE_KINDS + NEGATIVE_KINDS + STATE_KINDS
# A lifting kind -> the negatives it lifts when it comes later: a portal re-subscribe undoes an unsubscribe and the
# unsubscribe a spam report implies; a later successful delivery shows a bounced address works again.
LIFTS = {"resubscribe": ("unsubscribe", "spam_report"), "delivered": ("hard_bounce",)}
# Derived by the scorer, never stored: one per distinct UTC day with careers-site activity beyond the first.
RETURN_VISIT = "return_visit"
CAREERS_KINDS = ("vacancy_view", "page_view", "apply_intent")
BANDS = ("cold", "warm", "engaged", "fan")
NEGATIVE_GROUP = "negative"
STATE_GROUP = "state"           # lifted negatives and what lifted them: shown by explain, no points
# (singular noun, what its key is) per kind, for notes and reasons.
KIND_WORDS = {
    "vacancy_view": ("vacancy view", "vacancy"), "page_view": ("page view", "page"),
    "email_click": ("email click", "mail"), "email_open": ("email open", "mail"),
    "form_submission": ("form submission", "form"), "apply_intent": ("apply intent", "vacancy"),
    "application": ("application", "vacancy"), "event_attended": ("event attended", "event"),
    "unsubscribe": ("unsubscribe", "mail"), "hard_bounce": ("hard bounce", "mail"),
    "spam_report": ("spam report", "mail"), "resubscribe": ("re-subscribe", "mail"),
    "delivered": ("delivery", "mail"), RETURN_VISIT: ("return visit", "day"),
    COUNTED_VISIT: ("counted visit", "site"), COUNTED_PAGE_VIEW: ("counted page view", "site"),
}


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """One engagement event of a contact."""

    kind: str
    occurred_at: datetime
    key: str | None = None
    label: str | None = None
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one touchpoint adds: points = base_points * decay * dampening - cap_cut."""

    touchpoint: Touchpoint
    group: str
    base_points: float
    decay: float
    dampening: float
    cap_cut: float
    points: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    """A computed score; contributions are sorted by points, highest first."""

    value: float
    band: str
    contributions: tuple[Contribution, ...]
    suppressed: bool
    model_version: str
    last_touch_at: datetime | None
    horizon_exit_at: datetime | None = None  # when the oldest considered touchpoint leaves the horizon
