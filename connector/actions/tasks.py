"""Recruiter task intents: who gets a "call this fan" task now, its words and its due date. Pure: no I/O.

Rules (DESIGN.md sections 3 and 4): a task fires on a crossing into the model's task band, for the contact's
owner (else the default owner, else it is skipped and reported); hysteresis and cooldown come from
`scoring/triggers.py`; unsubscribed, bounced or spam-reporting contacts (the score's negatives) and contacts the
ATS says are hired, in process or recently rejected get none. On a baseline run (a first sync without
--notify) crossings are recorded as already notified, so old activity never floods recruiters with tasks.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.scoring.triggers import TaskTriggerState, decide_task

TASK_TYPE = "CALL"
TASK_PRIORITY = "HIGH"
DUE_HOUR_LOCAL = 9                   # due at the start of the recruiter's next working day
SATURDAY = 5
KEY_PREFIX = "te-task-"
KEY_MARKER = "Connector reference: "  # the line of the body recovery looks for (hubspot/tasks.py)
SUBJECT_MAX_CHARS = 200
VACANCIES_SHOWN = 5
MAILS_SHOWN = 3
SKIP_NO_OWNER = "no owner: the contact has no hubspot_owner_id and DEFAULT_TASK_OWNER_ID is not set"

WORDS = {
    "en": {"call": "Call", "engagement": "engagement", "contact": "contact", "why": "Why",
           "vacancies": "Vacancies viewed", "mails": "Mails clicked", "application": "Application",
           "none_known": "none known", "footer": "Created by talent-engagement-connector because the engagement "
           "score crossed into the {band} band.", "times": "×"},
    "nl": {"call": "Bel", "engagement": "betrokkenheid", "contact": "contact", "why": "Waarom",
           "vacancies": "Bekeken vacatures", "mails": "Aangeklikte mails", "application": "Sollicitatie",
           "none_known": "geen bekend", "footer": "Aangemaakt door talent-engagement-connector omdat de "
           "betrokkenheidsscore de band {band} bereikte.", "times": "×"},
}


@dataclass(frozen=True)
class TaskCandidate:
    """What the decision needs to know of one scored contact."""

    contact_id: str
    name: str | None
    owner_id: str | None
    value: float
    band: str
    suppressed: bool                          # unsubscribe, hard bounce or spam report
    reasons: str = ""
    vacancies: tuple[tuple[str, int], ...] = ()   # (title, views), most viewed first
    mails: tuple[str, ...] = ()                   # campaign subjects clicked
    application_status: str | None = None
    ats_block: str | None = None              # why the ATS suppresses a task (hired, in process, ...), or None


@dataclass(frozen=True)
class TaskIntent:
    """A task to create: written to the outbox (pending) before HubSpot is called."""

    key: str
    contact_id: str
    owner_id: str | None
    subject: str
    body: str
    due_ms: int
    priority: str
    score: int
    band: str
    skip_reason: str | None = None            # set: recorded in the outbox as skipped, never sent


@dataclass
class TaskPlan:
    intents: list[TaskIntent] = field(default_factory=list)
    states: dict[str, TaskTriggerState] = field(default_factory=dict)   # changed trigger states only
    baselined: int = 0                        # crossings recorded as already notified (baseline run)
    suppressed: int = 0                       # in the task band but suppressed (negatives or ATS)


@dataclass(frozen=True)
class _Suppressed:
    """A score stand-in for decide_task: the value and band, suppressed by negatives or the ATS."""

    value: float
    band: str
    suppressed: bool


def plan_tasks(candidates: Iterable[TaskCandidate], states: dict[str, TaskTriggerState], now: datetime, model, *,
               notify: bool, default_owner_id: str | None, time_zone: str | None, language: str = "en",
               enrich: Callable[[list[TaskCandidate]], list[TaskCandidate]] | None = None) -> TaskPlan:
    """Decide per contact whether a task fires now; `notify=False` records crossings without tasks.

    `enrich` adds the vacancies and mails to the (few) candidates that fire, so the many that do not are
    never rescored for their words.
    """
    plan = TaskPlan()
    firing: list[TaskCandidate] = []
    for cand in candidates:
        state = states.get(cand.contact_id, TaskTriggerState())
        blocked = cand.suppressed or cand.ats_block is not None
        fire, new_state = decide_task(state, _Suppressed(cand.value, cand.band, blocked), now, model)
        if not fire and blocked and decide_task(state, _Suppressed(cand.value, cand.band, False), now, model)[0]:
            plan.suppressed += 1
        if new_state != state:
            plan.states[cand.contact_id] = new_state
        if not fire:
            continue
        if not notify:
            plan.states[cand.contact_id] = TaskTriggerState(armed=False, last_fired_at=state.last_fired_at)
            plan.baselined += 1
            continue
        firing.append(cand)
    if firing and enrich is not None:
        firing = enrich(firing)
    due = due_at(now, time_zone)
    for cand in firing:
        owner = cand.owner_id or default_owner_id
        plan.intents.append(compose(cand, owner, now, due, language, skip_reason=None if owner else SKIP_NO_OWNER))
    return plan


def task_key(contact_id: str, fired_at: datetime) -> str:
    """The idempotency key of one firing: stable for the outbox row, unique per contact and moment."""
    digest = hashlib.sha256(f"{contact_id}|{int(fired_at.timestamp() * 1000)}".encode()).hexdigest()
    return KEY_PREFIX + digest[:20]


def compose(cand: TaskCandidate, owner_id: str | None, now: datetime, due: datetime, language: str = "en", *,
            skip_reason: str | None = None) -> TaskIntent:
    words = WORDS.get(language, WORDS["en"])
    shown = int(cand.value + 1e-9)
    who = " ".join((cand.name or "").split()) or f"{words['contact']} {cand.contact_id}"
    subject = f"{words['call']} {who}: {words['engagement']} {shown} ({cand.band})"[:SUBJECT_MAX_CHARS]
    key = task_key(cand.contact_id, now)
    return TaskIntent(key=key, contact_id=cand.contact_id, owner_id=owner_id, subject=subject,
                      body=task_body(cand, key, words), due_ms=int(due.timestamp() * 1000), priority=TASK_PRIORITY,
                      score=shown, band=cand.band, skip_reason=skip_reason)


def task_body(cand: TaskCandidate, key: str, words: dict[str, str]) -> str:
    """The task's notes as simple HTML (hs_task_body is rich text); every value from HubSpot or the ATS escaped."""
    lines = []
    if cand.reasons:
        lines.append(f"<p><strong>{words['why']}:</strong> {html.escape(cand.reasons)}</p>")
    if cand.vacancies:
        items = ", ".join(html.escape(title) + (f" ({n}{words['times']})" if n > 1 else "")
                          for title, n in cand.vacancies[:VACANCIES_SHOWN])
        lines.append(f"<p><strong>{words['vacancies']}:</strong> {items}</p>")
    if cand.mails:
        items = ", ".join(f"'{html.escape(subject)}'" for subject in cand.mails[:MAILS_SHOWN])
        lines.append(f"<p><strong>{words['mails']}:</strong> {items}</p>")
    status = html.escape(cand.application_status) if cand.application_status else words["none_known"]
    lines.append(f"<p><strong>{words['application']}:</strong> {status}</p>")
    lines.append(f"<p>{html.escape(words['footer'].format(band=cand.band))}<br>{KEY_MARKER}{key}</p>")
    return "".join(lines)


def due_at(now: datetime, time_zone: str | None) -> datetime:
    """The next working day (Monday to Friday) at DUE_HOUR_LOCAL in the portal's time zone, as UTC."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    day = now.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, DUE_HOUR_LOCAL, tzinfo=zone).astimezone(UTC)
