"""Plain-words explanations of a Score: the reasons text for HubSpot and one row per contribution for explain."""

from __future__ import annotations

from datetime import datetime

from connector.scoring.compiled import SECONDS_PER_DAY
from connector.scoring.phrases import (
    AGES,
    COUNTER_NOTES,
    COUNTER_ORIGIN,
    DEFAULT_LANGUAGE,
    GENERIC,
    NEGATIVES,
    PHRASES,
    QUOTED_KINDS,
    SUPPRESSED_SUFFIX,
)
from connector.scoring.records import (
    NEGATIVE_GROUP,
    NEGATIVE_KINDS,
    RETURN_VISIT,
    STATE_GROUP,
    Contribution,
    Score,
)

SECONDS_PER_HOUR = 3_600
# HubSpot text properties hold 65,536 characters [V knowledge.hubspot.com/account/property-field-types-in-hubspot,
# via reference/quality-bar.md 2.5]; the reasons are kept far shorter, to be read at a glance in a list view.
REASONS_MAX_CHARS = 499
LABEL_MAX_CHARS = 60
ELLIPSIS = "…"
# Named one by one (per vacancy, mail, form, event): what a recruiter brings up; the rest are counted per kind.
PER_KEY_KINDS = ("vacancy_view", "email_click", "form_submission", "apply_intent", "application", "event_attended")
URL_STARTS = ("/", "http://", "https://", "www.")


def reasons_text(score: Score, now: datetime, max_items: int = 3, language: str = DEFAULT_LANGUAGE) -> str:
    """Top contributions in plain words, e.g. "Started applying for Senior Dev (+25, 2 d ago); Viewed Data Engineer 3× (+20, 1 d ago)"."""
    if score.suppressed:
        kinds = {c.touchpoint.kind for c in score.contributions if c.group == NEGATIVE_GROUP}
        words = NEGATIVES[language]
        return "; ".join(words[k] for k in NEGATIVE_KINDS if k in kinds) + SUPPRESSED_SUFFIX[language]
    text = ""
    for item in _items(score, now, language)[:max_items]:
        candidate = f"{text}; {item}" if text else item
        if len(candidate) > REASONS_MAX_CHARS:
            break
        text = candidate
    return text


def task_facts(score: Score, language: str = DEFAULT_LANGUAGE) -> tuple[list[tuple[str, int]], list[str]]:
    """What a recruiter's task can name: (vacancy titles viewed, with how many views counted; mail subjects
    clicked), most viewed / newest first, within the score's horizon. Never an id or a URL."""
    views: dict[str, list] = {}
    clicks: dict[str, datetime] = {}
    for c in score.contributions:
        tp = c.touchpoint
        if c.dampening <= 0 or c.group in (NEGATIVE_GROUP, STATE_GROUP):
            continue
        if tp.kind == "vacancy_view":
            title = speakable(tp.label) or GENERIC[language]["vacancy_view"]
            entry = views.setdefault(title, [0, tp.occurred_at])
            entry[0], entry[1] = entry[0] + 1, max(entry[1], tp.occurred_at)
        elif tp.kind == "email_click" and speakable(tp.label):
            subject = speakable(tp.label)
            clicks[subject] = max(clicks.get(subject, tp.occurred_at), tp.occurred_at)
    vacancies = sorted(views.items(), key=lambda kv: (-kv[1][0], -kv[1][1].timestamp(), kv[0]))
    return ([(title, n) for title, (n, _when) in vacancies],
            [subject for subject, _when in sorted(clicks.items(), key=lambda kv: (-kv[1].timestamp(), kv[0]))])


def speakable(label: str | None) -> str | None:
    """The label if a person can say it: not empty, not a URL or path, not an id (no letters at all)."""
    label = " ".join((label or "").split())
    if not label or label.lower().startswith(URL_STARTS) or not any(ch.isalpha() for ch in label):
        return None
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + ELLIPSIS


def contribution_rows(score: Score, now: datetime) -> list[dict]:
    """One dict per contribution, in the score's order, for `connector explain`."""
    return [_row(c, now) for c in score.contributions]


def _row(c: Contribution, now: datetime) -> dict:
    tp = c.touchpoint
    counted = COUNTER_NOTES.get(tp.kind)       # synthetic: a rise of HubSpot's counters, no page behind it
    return {
        "kind": tp.kind,
        "synthetic": counted is not None,
        "origin": COUNTER_ORIGIN if counted else None,
        "label": tp.label or tp.key or ("HubSpot counter" if counted else ""),
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
        "note": "; ".join(n for n in (counted, c.note) if n),
    }


def _items(score: Score, now: datetime, language: str) -> list[str]:
    """Reason phrases, biggest first: positive contributions grouped per kind (or per kind and key)."""
    groups: dict[tuple, list[Contribution]] = {}
    for c in score.contributions:  # already biggest first, so each group's first one is its biggest
        if c.points > 0:
            kind = c.touchpoint.kind
            groups.setdefault((kind, c.touchpoint.key) if kind in PER_KEY_KINDS else (kind,), []).append(c)
    ranked = sorted(groups.values(), key=lambda cs: (-sum(c.points for c in cs), -_newest(cs).timestamp()))
    return [_phrase(cs, now, language) for cs in ranked]


def _phrase(contributions: list[Contribution], now: datetime, language: str) -> str:
    kind = contributions[0].touchpoint.kind
    one, several = PHRASES[language][kind]
    points = _points(sum(c.points for c in contributions))
    count = len(contributions)
    if kind not in PER_KEY_KINDS and (count > 1 or kind == RETURN_VISIT):
        return f"{(several if count > 1 else one).format(n=count)} ({points})"
    label = next((speakable(c.touchpoint.label) for c in contributions if speakable(c.touchpoint.label)), None)
    if label and kind in QUOTED_KINDS:
        label = f"'{label}'"
    text = one.format(label=label or GENERIC[language][kind]).replace("  ", " ").strip()
    times = f" {count}×" if count > 1 else ""
    return f"{text}{times} ({points}, {_age(_newest(contributions), now, language)})"


def _newest(contributions: list[Contribution]) -> datetime:
    return max(c.touchpoint.occurred_at for c in contributions)


def _points(points: float) -> str:
    if points >= 0.95:
        return f"+{points:.0f}"
    return f"+{points:.1f}" if points >= 0.05 else "+<0.1"


def _age(when: datetime, now: datetime, language: str) -> str:
    days, hours, recent = AGES[language]
    seconds = (now - when).total_seconds()
    if seconds >= SECONDS_PER_DAY:
        return days.format(n=int(seconds // SECONDS_PER_DAY))
    if seconds >= SECONDS_PER_HOUR:
        return hours.format(n=int(seconds // SECONDS_PER_HOUR))
    return recent
