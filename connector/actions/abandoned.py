"""The forgotten application (DESIGN.md section 5): which apply intents to flag, and when to clear a flag. Pure.

An intent (apply-page view, apply click in a mail, start-application form) is flagged when it is at least the
grace period old and not older than the expiry, the person has no application for that vacancy (or, with
`any_vacancy`, for any vacancy) since shortly before the intent, the vacancy is open, the person is not hired,
not rejected within the cooldown, not unsubscribed or bounced, and was not flagged for that vacancy within the
cooldown. A flag stays as it was first set (so a HubSpot workflow enrols once) until it is cleared: by an
application, the vacancy closing, the expiry passing, a hire, a rejection or an unsubscribe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

APPLIED_SLACK = timedelta(days=1)   # an application sent just before the apply-page view (a confirmation page) counts


@dataclass(frozen=True)
class AbandonRules:
    grace: timedelta = timedelta(hours=1)
    expiry: timedelta = timedelta(days=30)
    cooldown: timedelta = timedelta(days=14)
    any_vacancy: bool = False           # an application for any vacancy clears every intent of the person


@dataclass(frozen=True)
class ApplyIntent:
    vacancy: str                        # vacancy key (slug or ATS job id)
    at: datetime
    url: str | None = None              # where the intent happened (the clean apply URL)
    label: str | None = None            # vacancy title as the page or mail named it
    device: str | None = None           # mobile | desktop, where HubSpot's event says it


@dataclass(frozen=True)
class Vacancy:
    key: str
    title: str | None = None
    open: bool = True
    apply_url: str | None = None


@dataclass(frozen=True)
class Flag:
    vacancy: str
    title: str
    apply_url: str | None
    intent_at: datetime
    device: str | None
    flagged_at: datetime


@dataclass(frozen=True)
class Person:
    """What detection needs to know of one contact."""

    contact_id: str
    intents: tuple[ApplyIntent, ...] = ()
    applications: tuple[tuple[str | None, datetime], ...] = ()   # (vacancy key or None when unknown, applied at)
    hired: bool = False
    rejected_at: datetime | None = None
    suppressed: bool = False            # unsubscribed, hard-bounced or reported spam
    active: tuple[Flag, ...] = ()       # flags currently set
    last_flagged: dict[str, datetime] = field(default_factory=dict)   # vacancy -> when it was last flagged


@dataclass
class Decision:
    keep: list[Flag] = field(default_factory=list)
    new: list[Flag] = field(default_factory=list)
    cleared: list[tuple[Flag, str]] = field(default_factory=list)   # (flag, why)

    @property
    def current(self) -> list[Flag]:
        return sorted(self.keep + self.new, key=lambda f: f.intent_at, reverse=True)


def decide_flags(person: Person, vacancies: dict[str, Vacancy], now: datetime, rules: AbandonRules) -> Decision:
    """The flags this person should carry now, which of them are new, and which to clear and why."""
    decision = Decision()
    latest: dict[str, ApplyIntent] = {}
    for intent in person.intents:
        if intent.vacancy not in latest or intent.at > latest[intent.vacancy].at:
            latest[intent.vacancy] = intent
    active = {f.vacancy: f for f in person.active}
    for key in sorted(set(latest) | set(active)):
        flag = active.get(key)
        intent = latest.get(key)
        anchor = flag.intent_at if flag else intent.at
        why = _blocker(person, vacancies.get(key), key, anchor, intent, now, rules)
        if flag is not None:
            if why:
                decision.cleared.append((flag, why))
            else:
                decision.keep.append(flag)
        elif why is None and intent is not None and _cooled(person, key, now, rules):
            decision.new.append(_flag(intent, vacancies.get(key), now))
    return decision


def _blocker(person: Person, vacancy: Vacancy | None, key: str, anchor: datetime, intent: ApplyIntent | None,
             now: datetime, rules: AbandonRules) -> str | None:
    """Why this vacancy's intent must not be flagged (or its flag must clear); None when it qualifies."""
    if person.hired:
        return "hired"
    if person.suppressed:
        return "unsubscribed or bounced"
    if person.rejected_at is not None and now - person.rejected_at < rules.cooldown:
        return "rejected recently"
    if vacancy is not None and not vacancy.open:
        return "vacancy closed"
    newest = intent.at if intent is not None and intent.at > anchor else anchor
    if _applied(person, key, anchor, rules):
        return "applied"
    if now - newest > rules.expiry:
        return "expired"
    if now - anchor < rules.grace:
        return "within the grace period"
    return None


def _applied(person: Person, key: str, since: datetime, rules: AbandonRules) -> bool:
    return any((rules.any_vacancy or vac is None or vac == key) and at >= since - APPLIED_SLACK
               for vac, at in person.applications)


def _cooled(person: Person, key: str, now: datetime, rules: AbandonRules) -> bool:
    last = person.last_flagged.get(key)
    return last is None or now - last >= rules.cooldown


def _flag(intent: ApplyIntent, vacancy: Vacancy | None, now: datetime) -> Flag:
    title = (vacancy.title if vacancy and vacancy.title else None) or intent.label or intent.vacancy
    apply_url = (vacancy.apply_url if vacancy and vacancy.apply_url else None) or intent.url
    return Flag(intent.vacancy, title, apply_url, intent.at, intent.device, now)


def flag_properties(flags: Iterable[Flag]) -> dict[str, str]:
    """te_abandoned_* values: the most recent open flag and the count; all empty (cleared) when there is none."""
    current = sorted(flags, key=lambda f: f.intent_at, reverse=True)
    if not current:
        return {"te_abandoned_job": "", "te_abandoned_apply_url": "", "te_abandoned_at": "",
                "te_abandoned_count": "", "te_abandoned_device": ""}
    top = current[0]
    return {"te_abandoned_job": top.title, "te_abandoned_apply_url": top.apply_url or "",
            "te_abandoned_at": str(int(top.intent_at.timestamp() * 1000)), "te_abandoned_count": str(len(current)),
            "te_abandoned_device": top.device or "unknown"}
