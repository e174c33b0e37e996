"""Plain-words explanations of a Score: the reasons text for HubSpot and one row per contribution for explain."""

from __future__ import annotations

from datetime import datetime

from connector.scoring.compiled import SECONDS_PER_DAY
from connector.scoring.model import NEGATIVE_KINDS, Contribution, Score

SECONDS_PER_HOUR = 3_600
# HubSpot text properties hold 65,536 characters [V knowledge.hubspot.com/account/property-field-types-in-hubspot,
# via reference/quality-bar.md 2.5]; the reasons are kept far shorter, to be read at a glance in a list view.
REASONS_MAX_CHARS = 499
LABEL_MAX_CHARS = 60
ELLIPSIS = "…"
# Conversions are named one by one (per vacancy, form, event); browsing and email are counted per kind.
PER_KEY_KINDS = ("form_submission", "apply_intent", "application", "event_attended")
# kind -> (one, with its label after it; several, after a count)
PHRASES = {
    "vacancy_view": ("Viewed vacancy", "vacancy views"),
    "page_view": ("Visited careers page", "careers page views"),
    "email_click": ("Clicked email", "email clicks"),
    "email_open": ("Opened email", "email opens"),
    "form_submission": ("Submitted form", "form submissions"),
    "apply_intent": ("Apply page", "apply page visits"),
    "application": ("Applied for", "applications"),
    "event_attended": ("Attended event", "events attended"),
}
NEGATIVE_PHRASES = {
    "unsubscribe": "Unsubscribed from email",
    "hard_bounce": "Email address hard-bounced",
    "spam_report": "Reported email as spam",
}
SUPPRESSED_SUFFIX = ": score floored"


def reasons_text(score: Score, now: datetime, max_items: int = 3) -> str:
    """Top contributions in plain words, e.g. "Apply page Senior Dev (+25, 2 d ago); 4 vacancy views (+14)"."""
    if score.suppressed:
        kinds = {c.touchpoint.kind for c in score.contributions}
        return "; ".join(NEGATIVE_PHRASES[k] for k in NEGATIVE_KINDS if k in kinds) + SUPPRESSED_SUFFIX
    text = ""
    for item in _items(score, now)[:max_items]:
        candidate = f"{text}; {item}" if text else item
        if len(candidate) > REASONS_MAX_CHARS:
            break
        text = candidate
    return text


def contribution_rows(score: Score, now: datetime) -> list[dict]:
    """One dict per contribution, in the score's order, for `connector explain`."""
    return [_row(c, now) for c in score.contributions]


def _row(c: Contribution, now: datetime) -> dict:
    tp = c.touchpoint
    return {
        "kind": tp.kind,
        "label": tp.label or tp.key or "",
        "key": tp.key,
        "source_id": tp.source_id,
        "group": c.group,
        "when": tp.occurred_at.isoformat(),
        "age_days": (now - tp.occurred_at).total_seconds() / SECONDS_PER_DAY,
        "base_points": c.base_points,
        "decay": c.decay,
        "dampening": c.dampening,
        "cap_cut": c.cap_cut,
        "points": c.points,
        "note": c.note,
    }


def _items(score: Score, now: datetime) -> list[str]:
    """Reason phrases, biggest first: positive contributions grouped per kind (or per kind and key)."""
    groups: dict[tuple, list[Contribution]] = {}
    for c in score.contributions:  # already biggest first, so each group's first one is its biggest
        if c.points > 0:
            kind = c.touchpoint.kind
            groups.setdefault((kind, c.touchpoint.key) if kind in PER_KEY_KINDS else (kind,), []).append(c)
    ranked = sorted(groups.values(), key=lambda cs: (-sum(c.points for c in cs), -_newest(cs).timestamp()))
    return [_phrase(cs, now) for cs in ranked]


def _phrase(contributions: list[Contribution], now: datetime) -> str:
    kind = contributions[0].touchpoint.kind
    one, several = PHRASES[kind]
    points = _points(sum(c.points for c in contributions))
    count = len(contributions)
    if count > 1 and kind not in PER_KEY_KINDS:
        return f"{count} {several} ({points})"
    label = _label(next((c.touchpoint.label or c.touchpoint.key for c in contributions
                         if c.touchpoint.label or c.touchpoint.key), None))
    times = f" ×{count}" if count > 1 else ""
    return f"{one}{' ' + label if label else ''}{times} ({points}, {_age(_newest(contributions), now)})"


def _newest(contributions: list[Contribution]) -> datetime:
    return max(c.touchpoint.occurred_at for c in contributions)


def _points(points: float) -> str:
    if points >= 0.95:
        return f"+{points:.0f}"
    return f"+{points:.1f}" if points >= 0.05 else "+<0.1"


def _label(label: str | None) -> str:
    label = " ".join((label or "").split())
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + ELLIPSIS


def _age(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    if seconds >= SECONDS_PER_DAY:
        return f"{int(seconds // SECONDS_PER_DAY)} d ago"
    if seconds >= SECONDS_PER_HOUR:
        return f"{int(seconds // SECONDS_PER_HOUR)} h ago"
    return "just now"
