"""The task steps of a run: decide (scores → outbox intents, one transaction) and drain (outbox → HubSpot tasks).

Exactly once: an intent is committed (pending) before any call; before the call its row is marked attempted,
so a re-run after a crash first looks for the task in HubSpot (by the key in its body) before creating it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from connector import scores
from connector.actions.tasks import KEY_MARKER, TaskCandidate, TaskIntent, TaskPlan, plan_tasks
from connector.config import Settings
from connector.db import session_scope
from connector.hubspot.client import HubSpotClient
from connector.hubspot.tasks import TaskInput, create_tasks, find_tasks_by_key, task_open_states
from connector.models import Contact, ScoreRow
from connector.scoring.explain import task_facts
from connector.scoring.model import compute_score
from connector.state import ats_store, get_fact, set_fact
from connector.state import tasks as outbox_store
from connector.state.aliases import alias_ids

FACT_TASK_BASELINE = "tasks.baseline_at"
FACT_TIME_ZONE = "portal.time_zone"


@dataclass
class DrainReport:
    created: int = 0
    recovered: int = 0          # found in HubSpot after a crash: recorded, not created again
    refused: int = 0
    skipped_open: int = 0
    requests: int = 0
    refusals: list[tuple[str, str]] = field(default_factory=list)     # (contact id, HubSpot's message)


def decide(session: Session, settings: Settings, model, now: datetime, *, notify: bool | None,
           run_id: int | None, dry_run: bool = False) -> tuple[TaskPlan, bool]:
    """Plan this run's task intents and store them with the trigger states; (plan, notified)."""
    baseline_done = get_fact(session, FACT_TASK_BASELINE) is not None
    notifying = notify if notify is not None else baseline_done
    plan = plan_tasks(_candidates(session, settings, model, now), outbox_store.load_trigger_states(session), now, model,
                      notify=notifying, default_owner_id=settings.default_task_owner_id,
                      time_zone=get_fact(session, FACT_TIME_ZONE), language=_language(settings),
                      enrich=lambda cands: _enrich(session, cands, model, now, _language(settings)))
    if not dry_run:
        outbox_store.save_trigger_states(session, plan.states)
        outbox_store.add_intents(session, plan.intents, run_id)
        if not baseline_done:
            set_fact(session, FACT_TASK_BASELINE, now.isoformat())
    return plan, notifying


def drain(engine: Engine, client: HubSpotClient) -> DrainReport:
    """Create the outbox's pending tasks in HubSpot; each outcome commits as soon as HubSpot answered."""
    report = DrainReport()
    with session_scope(engine) as session:
        rows = outbox_store.pending(session)
        merged_away = alias_ids(session, {r.contact_id for r in rows})   # never a task on a merged-away id
        rows = [r for r in rows if r.contact_id not in merged_away]
        previous = outbox_store.last_created(session, {r.contact_id for r in rows})
    if not rows:
        return report
    ambiguous: dict[str, set[str]] = {}
    for row in rows:
        if row.attempts > 0:
            ambiguous.setdefault(row.contact_id, set()).add(row.key)
    found = find_tasks_by_key(client, ambiguous, KEY_MARKER) if ambiguous else {}
    still_open = {tid for tid, is_open in task_open_states(client, sorted(set(previous.values()))).items() if is_open} \
        if previous else set()
    skip = {r.key: f"open task {previous[r.contact_id]} exists: never a second open task for one contact"
            for r in rows if r.key not in found and previous.get(r.contact_id) in still_open}
    todo = [r for r in rows if r.key not in found and r.key not in skip]
    with session_scope(engine) as session:
        outbox_store.mark_created(session, found)
        outbox_store.mark_skipped(session, skip)
        outbox_store.mark_attempted(session, [r.key for r in todo])
    report.recovered, report.skipped_open = len(found), len(skip)
    if not todo:
        return report
    result = create_tasks(client, [TaskInput(r.key, r.contact_id, r.owner_id or "", r.subject, r.body, r.due_ms,
                                             r.priority) for r in todo])
    with session_scope(engine) as session:
        outbox_store.mark_created(session, result.created)
        outbox_store.mark_refused(session, result.refused)
    by_key = {r.key: r.contact_id for r in todo}
    report.created, report.refused, report.requests = len(result.created), len(result.refused), result.requests
    report.refusals = [(by_key[k], msg) for k, msg in result.refused.items()]
    return report


def pending_intents(session: Session) -> list[TaskIntent]:
    """Intents already in the outbox waiting for HubSpot (shown by a dry run next to the new ones)."""
    return [TaskIntent(r.key, r.contact_id, r.owner_id, r.subject, r.body, r.due_ms, r.priority, r.score, r.band)
            for r in outbox_store.pending(session)]


def _candidates(session: Session, settings: Settings, model, now: datetime):
    rows = session.exec(select(ScoreRow.contact_id, ScoreRow.value, ScoreRow.band, ScoreRow.suppressed,
                               ScoreRow.reasons, Contact.first_name, Contact.last_name, Contact.owner_id).join(
        Contact, Contact.id == ScoreRow.contact_id).where(Contact.merged_into.is_(None), Contact.archived.is_(False)))
    summaries = ats_store.application_summaries(session) if settings.ats_kind != "none" else {}
    recruiters = ats_store.recruiter_owner_ids(session, overrides=ats_store.load_recruiter_map(
        settings.ats_recruiter_map_path)) if summaries else {}
    cooldown = timedelta(days=model.triggers.cooldown_days)
    for cid, value, band, suppressed, reasons, first, last, owner in rows:
        name = " ".join(p for p in (first, last) if p) or None
        summary = summaries.get(cid)
        yield TaskCandidate(contact_id=cid, name=name, owner_id=owner or recruiters.get(cid), value=value, band=band,
                            suppressed=bool(suppressed), reasons=reasons or "",
                            application_status=_status_text(summary),
                            ats_block=_ats_block(summary, settings, now, cooldown))


def _status_text(summary) -> str | None:
    if summary is None:
        return None
    return f"{summary.status} ({summary.job_title})" if summary.job_title else summary.status


IN_PROCESS_PHASES = ("screening", "interview", "offer")     # "applied": not picked up yet, a call is welcome


def _ats_block(summary, settings: Settings, now: datetime, cooldown: timedelta) -> str | None:
    """Why the ATS says this contact gets no "call this fan" task: hired, in process, or rejected recently."""
    if summary is None:
        return None
    apps = summary.applications
    if any(a.outcome == "hired" for a in apps):
        return "hired"
    if any(a.outcome == "rejected" and a.closed_at and now - a.closed_at < cooldown for a in apps):
        return "rejected within the cooldown"
    if settings.task_suppress_in_process and any(a.outcome == "open" and a.phase in IN_PROCESS_PHASES for a in apps):
        return "application in process"
    return None


def _enrich(session: Session, cands: list[TaskCandidate], model, now: datetime, language: str) -> list[TaskCandidate]:
    """The vacancies viewed and mails clicked of the contacts that fire, from their scored contributions."""
    touchpoints = scores.load_touchpoints(session, [c.contact_id for c in cands])
    out = []
    for cand in cands:
        vacancies, mails = task_facts(compute_score(touchpoints.get(cand.contact_id, []), now, model), language)
        out.append(replace(cand, vacancies=tuple(vacancies), mails=tuple(mails)))
    return out


def _language(settings: Settings) -> str:
    return getattr(settings, "reasons_language", None) or "en"
