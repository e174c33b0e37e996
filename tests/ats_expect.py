"""What HubSpot should show for the sandbox's ATS world, computed from the world itself (not by the connector)."""

from __future__ import annotations

from connector.sandbox.ats_world import CUSTOM_STAGE, REJECT_REASONS, AtsWorld
from connector.sandbox.hs_props import iso_ms

# The seeded pipeline as a recruiter reads it (Dutch stage names → phase).
PHASE_OF_STAGE = {"Nieuwe sollicitatie": "applied", "Telefonisch gesprek": "screening", "Eerste gesprek": "interview",
                  "Tweede gesprek": "interview", "Aanbod": "offer", "Aangenomen": "hired", CUSTOM_STAGE: None}
ORDER = ("prospect", "applied", "screening", "interview", "offer", "hired")


def outcome(app) -> str:
    if app.status == "hired":
        return "hired"
    if app.status == "rejected":
        return "withdrawn" if REJECT_REASONS[app.reason] == "Candidate withdrew" else "rejected"
    return "open"


def expected_status(apps, custom_phase: str | None = None) -> tuple[str, object]:
    """(te_application_status, the deciding application) of one person's applications."""
    def phase(a):
        if a.prospect:
            return "prospect"
        return PHASE_OF_STAGE[a.stage] if a.stage != CUSTOM_STAGE else custom_phase
    open_ = [a for a in apps if outcome(a) == "open"]
    if open_:
        best = max(open_, key=lambda a: (ORDER.index(phase(a) or "applied"), a.updated_ms, str(a.id)))
        return phase(best) or "applied", best
    last = max(apps, key=lambda a: (a.closed_ms or a.updated_ms, a.updated_ms, str(a.id)))
    return outcome(last), last


def expected_by_email(world: AtsWorld, custom_phase: str | None = None,
                      prospect_job: str | None = None) -> dict[str, dict[str, str]]:
    """Per HubSpot email the te_application_* values (people in HubSpot only; any of their emails may match)."""
    out = {}
    for person in world.people.values():
        if not person.in_hubspot or not person.applications:
            continue
        status, app = expected_status(person.applications, custom_phase)
        title = prospect_job if app.prospect and prospect_job else world.jobs[app.job_id].title
        values = {"te_application_status": status, "te_application_job": title,
                  "te_application_updated_at": iso_ms(max(a.updated_ms for a in person.applications)),
                  "te_ats_candidate_id": str(person.id)}
        for email in person.emails:
            out[email] = values
    return out


APPLICATION_PROPS = ("te_application_status", "te_application_job", "te_application_updated_at", "te_ats_candidate_id")


def hubspot_values(hubspot) -> dict[str, dict[str, str]]:
    """te_application_* of every live HubSpot contact that has a status, keyed by contact id."""
    return {c["id"]: {p: c["properties"].get(p) for p in APPLICATION_PROPS} for c in hubspot.contacts()
            if c["properties"].get("te_application_status") not in (None, "", "none")}


def expected_hubspot(hubspot, world: AtsWorld, custom_phase: str | None = None,
                     prospect_job: str | None = "Engineering talent pool") -> dict[str, dict[str, str]]:
    """The same, as the world says it should be: each contact by its primary or additional emails.

    Recruitee keeps prospects in a talent pool (its title is the job); Greenhouse on the job itself (None).
    """
    by_email = expected_by_email(world, custom_phase, prospect_job)
    out = {}
    for c in hubspot.contacts():
        emails = [c["properties"].get("email") or ""] + (c["properties"].get("hs_additional_emails") or "").split(";")
        for email in emails:
            if email in by_email:
                out[c["id"]] = by_email[email]
                break
    return out
