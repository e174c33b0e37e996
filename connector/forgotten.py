"""The forgotten-application step of a run: apply intents without an application → te_abandoned_* flags, and back.

The reminder itself is a HubSpot workflow on those properties (README); the connector only sets and clears them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlmodel import Session

from connector.actions.abandoned import AbandonRules, Decision, Flag, Vacancy, decide_flags
from connector.config import Settings
from connector.scoring.urls import clean_url
from connector.scoring.vacancies import VacancyMatcher
from connector.state import abandoned as flags_store
from connector.state import ats_store, get_fact

log = logging.getLogger(__name__)
FACT_FLAG_BASELINE = "abandoned.baseline_ms"    # apply intents before this (a backfill's history) raise no flag


@dataclass
class FlagReport:
    set: int = 0
    cleared: int = 0
    evidence: str = "intent only"       # what tells us someone applied: ats, forms, both or intent only
    to_set: list[tuple[str, Flag]] = field(default_factory=list)                 # (contact id, flag)
    to_clear: list[tuple[str, Flag, str]] = field(default_factory=list)          # (contact id, flag, why)


def rules_of(settings: Settings) -> AbandonRules:
    return AbandonRules(grace=timedelta(minutes=settings.abandoned_grace_minutes),
                        expiry=timedelta(days=settings.abandoned_expiry_days),
                        cooldown=timedelta(days=settings.abandoned_cooldown_days),
                        any_vacancy=settings.abandoned_any_vacancy)


def evidence_sources(settings: Settings) -> str:
    sources = []
    if settings.ats_kind != "none":
        sources.append("ats")
    if getattr(settings, "application_form_ids", None):
        sources.append("forms")
    return "+".join(sources) or "intent only"


def update_flags(session: Session, settings: Settings, now: datetime, *, dry_run: bool = False) -> FlagReport:
    """Decide every candidate's flags and store them (unless dry_run); the push writes the values."""
    rules = rules_of(settings)
    report = FlagReport(evidence=evidence_sources(settings))
    if report.evidence == "intent only":
        log.warning("no ATS and no application forms configured: forgotten applications are flagged on apply "
                    "intent alone (set ATS_KIND or APPLICATION_FORM_IDS so applicants are not reminded)")
    vacancies = _vacancies(session, settings)
    decisions: dict[str, Decision] = {}
    baseline = int(get_fact(session, FACT_FLAG_BASELINE) or 0)
    for person in flags_store.load_people(session, now, rules, _ats_facts(session, settings)):
        if baseline:
            person = replace(person, intents=tuple(i for i in person.intents if i.at.timestamp() * 1000 >= baseline))
        decision = decide_flags(person, vacancies, now, rules)
        if decision.new or decision.cleared:
            decisions[person.contact_id] = decision
            report.to_set.extend((person.contact_id, f) for f in decision.new)
            report.to_clear.extend((person.contact_id, f, why) for f, why in decision.cleared)
    if not dry_run:
        report.set, report.cleared = flags_store.save_decisions(session, decisions)
    return report


def _matcher(settings: Settings) -> VacancyMatcher:
    return VacancyMatcher(settings.vacancy_url_pattern, settings.careers_hosts)


def _vacancy_key(matcher: VacancyMatcher, *urls: str | None) -> str | None:
    """The vacancy an ATS job's careers or apply URL names, keyed as the intents on those pages are."""
    for url in urls:
        match = matcher.classify(url) if url else None
        if match is not None and match.kind != "page_view":
            return match.key
    return None


def _vacancies(session: Session, settings: Settings) -> dict[str, Vacancy]:
    """Vacancies the ATS knows (title, open or closed, clean apply URL), keyed like the intents."""
    if settings.ats_kind == "none":
        return {}
    matcher, out = _matcher(settings), {}
    for job in ats_store.jobs(session):
        key = _vacancy_key(matcher, job.public_url, job.apply_url)
        if key is not None:
            out[key] = Vacancy(key, job.title, open=job.state == "open", apply_url=clean_url(job.apply_url))
    return out


def _ats_facts(session: Session, settings: Settings) -> dict[str, dict]:
    """Per contact: applications (vacancy key, applied at; prospects are not applicants), hired, last rejection."""
    if settings.ats_kind == "none":
        return {}
    matcher, out = _matcher(settings), {}
    for cid, summary in ats_store.application_summaries(session).items():
        apps, hired, rejected = [], False, None
        for app in summary.applications:
            if app.phase == "prospect" and app.outcome == "open":
                continue
            at = app.applied_at or app.updated_at
            if at is not None:
                apps.append((_vacancy_key(matcher, app.job_url, app.apply_url) or f"ats:{app.job_id}", at))
            hired = hired or app.outcome == "hired"
            if app.outcome == "rejected" and app.closed_at and (rejected is None or app.closed_at > rejected):
                rejected = app.closed_at
        out[cid] = {"applications": apps, "hired": hired, "rejected_at": rejected}
    return out
