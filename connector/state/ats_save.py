"""save_* of the ATS side: jobs, candidates, applications, stages seen; the candidate ↔ contact join; the
application touchpoints scoring reads; HubSpot owners."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from connector import store
from connector.ats.base import Application, BadRow, Candidate, Job
from connector.ats.stages import StageMapper
from connector.models import Contact, ContactEmail, Touchpoint
from connector.state.ats_models import (
    AtsApplication,
    AtsCandidate,
    AtsJob,
    AtsRecruiterOwner,
    AtsRowHash,
    AtsStage,
)

TOUCHPOINT_SOURCE = "ats_application"


def _ms(dt: datetime | None) -> int | None:
    return int(dt.timestamp() * 1000) if dt else None


def _last_per_id(rows: list[dict]) -> list[dict]:
    """One row per id, the last one winning: PostgreSQL refuses an upsert that touches a row twice."""
    return list({r["id"]: r for r in rows}.values())


def save_jobs(session: Session, ats: str, jobs: Iterable[Job]) -> int:
    rows = [{"ats": ats, "id": j.id, "title": j.title, "state": j.state, "public_url": j.public_url,
             "apply_url": j.apply_url, "recruiter": j.recruiter, "updated_ms": _ms(j.updated_at)} for j in jobs]
    store.upsert_rows(session, AtsJob, _last_per_id(rows), ["ats", "id"],
                      ("title", "state", "public_url", "apply_url", "recruiter", "updated_ms"))
    return len(rows)


def save_candidates(session: Session, ats: str, candidates: Iterable[Candidate]) -> int:
    """Upsert candidates; a changed email list clears the match so the next resolve re-joins them."""
    rows = [{"ats": ats, "id": c.id, "emails": ";".join(c.emails), "first_name": c.first_name,
             "last_name": c.last_name, "updated_ms": _ms(c.updated_at)} for c in candidates]
    store.upsert_rows(session, AtsCandidate, _last_per_id(rows), ["ats", "id"], ("emails", "first_name", "last_name", "updated_ms"))
    return len(rows)


def save_applications(session: Session, ats: str, applications: Iterable[Application]) -> int:
    rows = [{"ats": ats, "id": a.id, "candidate_id": a.candidate_id, "job_id": a.job_id, "phase": a.phase,
             "outcome": a.outcome, "stage_name": a.stage_name, "applied_ms": _ms(a.applied_at),
             "updated_ms": _ms(a.updated_at), "closed_ms": _ms(a.closed_at), "recruiter": a.recruiter}
            for a in applications]
    store.upsert_rows(session, AtsApplication, _last_per_id(rows), ["ats", "id"],
                      ("candidate_id", "job_id", "phase", "outcome", "stage_name", "applied_ms", "updated_ms",
                       "closed_ms", "recruiter"))
    return len(rows)


def save_stages(session: Session, ats: str, mapper: StageMapper, now_ms: int) -> None:
    """Remember every stage seen this run with its mapping (counts are per run: the last pull's applications)."""
    rows = [{"ats": ats, "name": name, "phase": m.phase, "outcome": m.outcome, "source": m.source, "count": n,
             "seen_ms": now_ms} for name, n, m in mapper.seen.values()]
    store.upsert_rows(session, AtsStage, rows, ["ats", "name"], ("phase", "outcome", "source", "count", "seen_ms"))


def _email_owners(session: Session) -> dict[str, set[str]]:
    live = select(ContactEmail.email, ContactEmail.contact_id).join(Contact, Contact.id == ContactEmail.contact_id).where(
        Contact.merged_into.is_(None), Contact.archived.is_(False))
    owners: dict[str, set[str]] = {}
    for email, cid in session.exec(live):
        owners.setdefault(email, set()).add(cid)
    return owners


def resolve_candidates(session: Session, ats: str) -> dict[str, int]:
    """Join every candidate to the one live contact holding any of its emails; record the email that matched.

    An email on two contacts, or emails leading to two contacts, is ambiguous: reported, never guessed.
    """
    owners = _email_owners(session)
    counts = {"candidates_matched": 0, "candidates_unmatched": 0, "candidates_ambiguous": 0}
    for cand in session.exec(select(AtsCandidate).where(AtsCandidate.ats == ats, AtsCandidate.match != "created")):
        emails = [e for e in cand.emails.split(";") if e]
        found = [(e, owners[e]) for e in emails if e in owners]
        contacts = set().union(*(ids for _, ids in found)) if found else set()
        if len(contacts) == 1:
            match, contact_id, matched = "matched", next(iter(contacts)), found[0][0]
        else:
            match, contact_id, matched = ("ambiguous" if contacts else "unmatched"), None, None
        counts[f"candidates_{match}"] += 1
        if (cand.match, cand.contact_id, cand.matched_email) != (match, contact_id, matched):
            cand.match, cand.contact_id, cand.matched_email = match, contact_id, matched
            session.add(cand)
    session.flush()
    save_application_touchpoints(session, ats)
    return counts


def save_application_touchpoints(session: Session, ats: str) -> None:
    """An application submitted (not a prospect) is a scoring touchpoint of its candidate's contact."""
    stmt = select(AtsApplication, AtsCandidate.contact_id, AtsJob.title).join(
        AtsCandidate, (AtsCandidate.ats == AtsApplication.ats) & (AtsCandidate.id == AtsApplication.candidate_id)).join(
        AtsJob, (AtsJob.ats == AtsApplication.ats) & (AtsJob.id == AtsApplication.job_id), isouter=True).where(
        AtsApplication.ats == ats)
    rows, owner_of = [], {}
    for app, contact_id, title in session.exec(stmt):
        if app.phase == "prospect" or app.applied_ms is None:
            continue
        source_id = f"{ats}:{app.id}"
        owner_of[source_id] = contact_id
        rows.append({"source": TOUCHPOINT_SOURCE, "source_id": source_id, "kind": "application",
                     "contact_id": contact_id, "recipient": None, "occurred_ms": app.applied_ms,
                     "key": f"{ats}:{app.job_id}" if app.job_id else None, "label": title, "url": None})
    store.save_touchpoints(session, rows)
    stored = session.exec(select(Touchpoint.source_id, Touchpoint.contact_id).where(
        Touchpoint.source == TOUCHPOINT_SOURCE, Touchpoint.source_id.startswith(f"{ats}:")))
    for source_id, contact_id in stored:   # a candidate joined (or un-joined) after its touchpoint was stored
        if source_id in owner_of and owner_of[source_id] != contact_id:
            session.exec(update(Touchpoint).where(Touchpoint.source == TOUCHPOINT_SOURCE,
                                                  Touchpoint.source_id == source_id).values(
                contact_id=owner_of[source_id]))


def quarantine_row(session: Session, bad: BadRow, run_id: int | None = None) -> None:
    """A row the adapter could not read: kept with its file/row, column and value; the rest is imported."""
    store.quarantine(session, source=bad.source, record_id=bad.record, field=bad.column,
                     error=f"{bad.problem}: {bad.value[:200]!r}", run_id=run_id)


def remap_unmapped(session: Session, ats: str, mapper: StageMapper) -> list[tuple[str, int]]:
    """Give stored applications in a stage that was unmapped the phase an override (or keyword) now gives it;
    return (stage name, applications) of the stages still unmapped."""
    stmt = select(AtsApplication.stage_name, func.count()).where(
        AtsApplication.ats == ats, AtsApplication.phase.is_(None), AtsApplication.stage_name.is_not(None)).group_by(
        AtsApplication.stage_name)
    still = []
    for name, n in session.exec(stmt).all():
        mapping = mapper.lookup(name)
        if mapping.phase is not None:
            session.exec(update(AtsApplication).where(
                AtsApplication.ats == ats, AtsApplication.stage_name == name, AtsApplication.phase.is_(None)).values(
                phase=mapping.phase))
            session.exec(update(AtsStage).where(AtsStage.ats == ats, AtsStage.name == name).values(
                phase=mapping.phase, source=mapping.source))
        elif mapping.source == "unmapped":
            still.append((name, n))
    return sorted(still)


def row_hashes(session: Session, ats: str) -> dict[str, str]:
    return dict(session.exec(select(AtsRowHash.key, AtsRowHash.hash).where(AtsRowHash.ats == ats)).all())


def save_row_hashes(session: Session, ats: str, marks: dict[str, str]) -> None:
    store.upsert_rows(session, AtsRowHash, [{"ats": ats, "key": k, "hash": v} for k, v in marks.items()],
                      ["ats", "key"], ("hash",))


def mark_created(session: Session, ats: str, candidate_id: str, contact_id: str, email: str) -> None:
    """The candidate now has the contact the connector created for it (never re-joined or re-created)."""
    cand = session.get(AtsCandidate, (ats, candidate_id))
    cand.match, cand.contact_id, cand.matched_email = "created", contact_id, email
    session.add(cand)
    session.flush()
    save_application_touchpoints(session, ats)


def save_recruiter_map(session: Session, overrides: dict[str, str]) -> None:
    """Keep this run's recruiter overrides beside the owners, so readers need no settings."""
    session.exec(delete(AtsRecruiterOwner))
    store.upsert_rows(session, AtsRecruiterOwner, [{"recruiter": r, "owner_id": o, "source": "override"}
                                                  for r, o in overrides.items()], ["recruiter"], ("owner_id", "source"))
