"""Reads of the ATS side for the rest of the connector: per-contact application summaries, the recruiter's
HubSpot owner, open jobs, stages seen, candidates without a contact, and the te_application_* values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlmodel import Session, select

from connector import store
from connector.ats.base import ApplicationSummary, ApplicationView, Job, phase_rank
from connector.ats.stages import StageMapper
from connector.models import Owner, Pushed
from connector.setting_values import load_recruiter_map  # noqa: F401 - callers use it from here
from connector.state.ats_models import (
    AtsApplication,
    AtsCandidate,
    AtsJob,
    AtsRecruiterOwner,
    AtsStage,
)

APPLICATION_PROPERTIES = ("te_application_status", "te_application_job", "te_application_updated_at",
                          "te_ats_candidate_id")
NO_APPLICATION = {"te_application_status": "none", "te_application_job": "", "te_application_updated_at": "",
                  "te_ats_candidate_id": ""}


def _dt(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None


def _rows(session: Session, contact_ids: Iterable[str] | None):
    stmt = select(AtsApplication, AtsCandidate.contact_id, AtsJob).join(
        AtsCandidate, (AtsCandidate.ats == AtsApplication.ats) & (AtsCandidate.id == AtsApplication.candidate_id)).join(
        AtsJob, (AtsJob.ats == AtsApplication.ats) & (AtsJob.id == AtsApplication.job_id), isouter=True).where(
        AtsCandidate.contact_id.is_not(None))
    wanted = set(contact_ids) if contact_ids is not None else None
    by_contact: dict[str, list[tuple[AtsApplication, AtsJob | None]]] = {}
    for app, cid, job in session.exec(stmt):
        if wanted is None or cid in wanted:
            by_contact.setdefault(cid, []).append((app, job))
    return by_contact


def _deciding(apps: list[tuple[AtsApplication, AtsJob | None]]) -> tuple[AtsApplication, AtsJob | None]:
    """The open application furthest along (then the latest), else the most recently closed one."""
    open_ = [t for t in apps if t[0].outcome == "open"]
    if open_:
        return max(open_, key=lambda t: (phase_rank(t[0].phase), t[0].updated_ms or 0, t[0].id))
    return max(apps, key=lambda t: (t[0].closed_ms or t[0].updated_ms or 0, t[0].updated_ms or 0, t[0].id))


def compute_status(app: AtsApplication) -> str:
    """te_application_status of one application: its outcome when closed, else its phase.

    An open application in an unmapped stage reads as `applied`, the least any application is: the stage is
    reported as unmapped, and the status moves once an override maps it.
    """
    if app.outcome != "open":
        return app.outcome
    return app.phase or "applied"


def application_summaries(session: Session, contact_ids: Iterable[str] | None = None) -> dict[str, ApplicationSummary]:
    """Per HubSpot contact id with at least one application: status, deciding job, and every application."""
    out = {}
    for cid, apps in _rows(session, contact_ids).items():
        app, job = _deciding(apps)
        views = tuple(ApplicationView(
            job_id=a.job_id, job_title=j.title if j else None, phase=a.phase, outcome=a.outcome,
            applied_at=_dt(a.applied_ms), updated_at=_dt(a.updated_ms), closed_at=_dt(a.closed_ms),
            apply_url=j.apply_url if j else None, job_url=j.public_url if j else None, job_state=j.state if j else None)
            for a, j in sorted(apps, key=lambda t: (t[0].applied_ms or 0, t[0].id)))
        latest = max((a.updated_ms or 0 for a, _ in apps), default=0)
        out[cid] = ApplicationSummary(
            status=compute_status(app), job_title=job.title if job else None, job_id=app.job_id,
            updated_at=_dt(latest or None), outcome=app.outcome, closed_at=_dt(app.closed_ms),
            candidate_id=app.candidate_id, applications=views)
    return out


def _recruiter_of(app: AtsApplication, job: AtsJob | None) -> str | None:
    return (app.recruiter or (job.recruiter if job else None) or "").strip().lower() or None


def recruiter_owners(session: Session, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Recruiter email → HubSpot owner id: `overrides` (default: the map saved by the last sync, which holds the
    ATS_RECRUITER_MAP_PATH file), then owners v3 by email."""
    by_email = {e.lower(): i for i, e in session.exec(select(Owner.id, Owner.email).where(Owner.archived.is_(False)))
                if e}
    if overrides is None:
        overrides = dict(session.exec(select(AtsRecruiterOwner.recruiter, AtsRecruiterOwner.owner_id).where(
            AtsRecruiterOwner.source == "override")).all())
    return {**by_email, **overrides}


def recruiter_owner_ids(session: Session, contact_ids: Iterable[str] | None = None,
                        overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Contact id → HubSpot owner id of the recruiter of its deciding application (absent when unmapped)."""
    owners = recruiter_owners(session, overrides)
    out = {}
    for cid, apps in _rows(session, contact_ids).items():
        recruiter = _recruiter_of(*_deciding(apps))
        if recruiter and recruiter in owners:
            out[cid] = owners[recruiter]
    return out


def unmapped_recruiters(session: Session, overrides: dict[str, str] | None = None) -> list[str]:
    owners = recruiter_owners(session, overrides)
    seen = {_recruiter_of(a, j) for apps in _rows(session, None).values() for a, j in apps}
    return sorted(r for r in seen if r and r not in owners)


def jobs(session: Session) -> list[Job]:
    """Every job the ATS described (open and closed), for vacancy matching."""
    return [Job(id=j.id, title=j.title, state=j.state, public_url=j.public_url, apply_url=j.apply_url,
                recruiter=j.recruiter, updated_at=_dt(j.updated_ms))
            for j in session.exec(select(AtsJob).order_by(AtsJob.ats, AtsJob.id))]


def application_properties(session: Session) -> dict[str, dict[str, str]]:
    """te_application_* per contact (strings, as on the wire); contacts that lost their applications are reset."""
    out = {}
    for cid, s in application_summaries(session).items():
        out[cid] = {"te_application_status": s.status, "te_application_job": s.job_title or "",
                    "te_application_updated_at": str(int(s.updated_at.timestamp() * 1000)) if s.updated_at else "",
                    "te_ats_candidate_id": s.candidate_id or ""}
    stale = session.exec(select(Pushed.contact_id).where(
        Pushed.property == "te_application_status", Pushed.value != "none")).all()
    live = set(store.live_contact_ids(session))
    for cid in stale:
        if cid not in out and cid in live:
            out[cid] = dict(NO_APPLICATION)
    return out


def stages(session: Session, mapper: StageMapper | None = None) -> list[AtsStage]:
    """Every stage seen; an unmapped one that `mapper` (today's override file) now maps shows that mapping,
    marked "(next sync)" because the stored applications move at the next sync."""
    rows = list(session.exec(select(AtsStage).order_by(AtsStage.ats, AtsStage.source, AtsStage.name)))
    for row in rows:
        if row.source == "unmapped" and mapper is not None and (now := mapper.lookup(row.name)).phase:
            session.expunge(row)
            row.phase, row.source = now.phase, f"{now.source} (next sync)"
    return rows


def candidates_without_contact(session: Session) -> list[AtsCandidate]:
    return list(session.exec(select(AtsCandidate).where(AtsCandidate.contact_id.is_(None)).order_by(
        AtsCandidate.ats, AtsCandidate.id)))
