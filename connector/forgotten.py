"""The forgotten-application step of a run: apply intents without an application → te_abandoned_* flags, and back.

The reminder itself is a HubSpot workflow on those properties (README); the connector only sets and clears them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from connector.actions.abandoned import AbandonRules, Decision, Flag, Vacancy, decide_flags
from connector.config import Settings
from connector.state import abandoned as flags_store

log = logging.getLogger(__name__)


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
    vacancies = _vacancies(session)
    decisions: dict[str, Decision] = {}
    for person in flags_store.load_people(session, now, rules, _ats_facts(session)):
        decision = decide_flags(person, vacancies, now, rules)
        if decision.new or decision.cleared:
            decisions[person.contact_id] = decision
            report.to_set.extend((person.contact_id, f) for f in decision.new)
            report.to_clear.extend((person.contact_id, f, why) for f, why in decision.cleared)
    if not dry_run:
        report.set, report.cleared = flags_store.save_decisions(session, decisions)
    return report


def _vacancies(session: Session) -> dict[str, Vacancy]:
    """Vacancies the ATS knows (title, open or closed, apply URL), keyed like the intents."""
    return {}


def _ats_facts(session: Session) -> dict[str, dict]:
    """Per contact: applications (vacancy key, at), hired, rejected_at, from the ATS."""
    return {}
