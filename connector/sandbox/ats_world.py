"""The hiring side of the demo talent pool, in no ATS's spelling: jobs, people, applications and their stages.

Seeded from the HubSpot sandbox's pool (same seed, same `now` → same people, emails and vacancies), so the
Recruitee and Greenhouse sandboxes render one world: fans and warm candidates applied, some are screening or
interviewing, some hired, rejected or withdrawn; the "abandoned" segment only has an apply intent in
HubSpot and no application; a few people applied under a second email; a few are not in HubSpot at all.
Test-side mutations (move, reject, withdraw, hire, apply) stamp `updated_ms` with the world's clock.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .hs_seed_data import DAY, HOUR, MIN, RECRUITERS, VACANCIES, ascii_slug, vacancy_url
from .hs_store import Portal
from .seed import seed_portal

SEED = 8_808
# The shared Dutch pipeline; some jobs add CUSTOM_STAGE, a stage no keyword table knows.
STAGES = ["Nieuwe sollicitatie", "Telefonisch gesprek", "Eerste gesprek", "Tweede gesprek", "Aanbod", "Aangenomen"]
CUSTOM_STAGE = "Bedrijfsbezoek"
HIRED_STAGE = len(STAGES) - 1
CLOSED_SLUG = "customer-success-manager"
OUTSIDERS = [("Marit", "Hoekstra"), ("Gijs", "Willems"), ("Elif", "Kaya")]
REJECT_REASONS = ["Not a fit for the role", "Salary expectations", "Candidate withdrew"]
WITHDREW = 2
PROSPECTS = 2


@dataclass
class WJob:
    id: int
    slug: str
    title: str
    state: str
    url: str
    apply_url: str
    recruiter: str
    custom_stage: bool
    updated_ms: int

    def stage_names(self) -> list[str]:
        names = list(STAGES)
        if self.custom_stage:
            names.insert(3, CUSTOM_STAGE)
        return names


@dataclass
class WApplication:
    id: int
    person_id: int
    job_id: int
    stage: str
    status: str                    # active | hired | rejected (reason says whether they withdrew)
    reason: int | None
    created_ms: int
    updated_ms: int
    closed_ms: int | None = None
    prospect: bool = False


@dataclass
class WPerson:
    id: int
    first: str
    last: str
    emails: list[str]
    segment: str
    created_ms: int
    updated_ms: int
    in_hubspot: bool = True
    applications: list[WApplication] = field(default_factory=list)


class AtsWorld:
    """Jobs, people and applications; every method takes `lock` itself."""

    def __init__(self, now_ms: int, clock: Callable[[], int] | None = None, *, seed: bool = True):
        self.lock = threading.RLock()
        self.clock = clock or (lambda: now_ms)
        self.jobs: dict[int, WJob] = {}
        self.people: dict[int, WPerson] = {}
        self._ids = itertools.count(4_100_001)
        if seed:
            self._seed(now_ms)

    # --- seed ----------------------------------------------------------------------------------

    def _seed(self, now: int) -> None:
        rng = random.Random(SEED)
        for i, (slug, title) in enumerate(VACANCIES):
            self.jobs[21_001 + i] = WJob(21_001 + i, slug, title, "closed" if slug == CLOSED_SLUG else "open",
                                         vacancy_url(slug), vacancy_url(slug, apply=True), RECRUITERS[i % 4][2],
                                         custom_stage=i % 3 == 0, updated_ms=now - (200 - i) * DAY)
        jobs = list(self.jobs.values())
        for first, last, email, extra, segment in _pool(now):
            plan = _plan(rng, segment)
            prospect = plan is None and segment == "lurker" and sum(
                a.prospect for a in self.applications()) < PROSPECTS     # sourced by a recruiter, never applied
            if plan is None and not prospect:
                continue
            emails = [email]
            if rng.random() < 0.2:        # applied under a private address; HubSpot has the other one
                emails = [extra] if extra else [f"{ascii_slug(first)}.{ascii_slug(last)}@private.example.net", email]
            person = self._person(first, last, emails, segment, now - rng.randint(30, 90) * DAY)
            for stage, status, days in plan or ():
                job = rng.choice(jobs)
                self._application(rng, person, job, stage, status, now - days * DAY - rng.randint(1, 20) * HOUR)
            if prospect:
                self._application(rng, person, jobs[2], 0, "active", now - 15 * DAY).prospect = True
        for first, last in OUTSIDERS:    # applied, never in HubSpot
            person = self._person(first, last, [f"{ascii_slug(first)}.{ascii_slug(last)}@example.org"], "outsider",
                                  now - 20 * DAY, in_hubspot=False)
            self._application(rng, person, jobs[1], 1, "active", now - 6 * DAY)

    def _person(self, first, last, emails, segment, created, *, in_hubspot=True) -> WPerson:
        pid = 5_200_001 + len(self.people)
        person = WPerson(pid, first, last, emails, segment, created, created, in_hubspot)
        self.people[pid] = person
        return person

    def _application(self, rng, person: WPerson, job: WJob, stage: int, status: str, at: int) -> WApplication:
        names = job.stage_names()
        stage_name = names[min(stage, len(names) - 1)] if status != "hired" else names[-1]
        if job.custom_stage and status == "active" and stage == 3:
            stage_name = CUSTOM_STAGE
        reason = None
        if status in ("rejected", "withdrawn"):
            reason = WITHDREW if status == "withdrawn" else rng.randint(0, 1)
            status = "rejected"
        updated = at + rng.randint(1, 9) * DAY if stage else at
        updated = min(updated, self.clock() - HOUR - rng.randint(0, 600) * MIN)
        app = WApplication(next(self._ids), person.id, job.id, stage_name, status, reason, at, updated,
                           closed_ms=updated if status != "active" else None)
        person.applications.append(app)
        person.updated_ms = max(person.updated_ms, updated)
        return app

    # --- test-side mutations ---------------------------------------------------------------------

    def _touch(self, app: WApplication) -> int:
        now = self.clock()
        app.updated_ms = now
        self.people[app.person_id].updated_ms = now
        return now

    def find(self, application_id: int) -> WApplication:
        for person in self.people.values():
            for app in person.applications:
                if app.id == application_id:
                    return app
        raise KeyError(application_id)

    def move(self, application_id: int, stage: str) -> None:
        with self.lock:
            app = self.find(application_id)
            app.stage = stage
            self._touch(app)

    def close(self, application_id: int, status: str) -> None:
        """status: hired | rejected | withdrawn."""
        with self.lock:
            app = self.find(application_id)
            if status == "hired":
                app.stage = self.jobs[app.job_id].stage_names()[-1]
            app.status = "hired" if status == "hired" else "rejected"
            app.reason = WITHDREW if status == "withdrawn" else (0 if status == "rejected" else None)
            app.closed_ms = self._touch(app)

    def apply(self, email: str, job_id: int, *, first: str = "New", last: str = "Applicant") -> WApplication:
        """A new application; a new person unless someone holds the email."""
        with self.lock:
            person = next((p for p in self.people.values() if email in p.emails), None)
            if person is None:
                person = self._person(first, last, [email], "new", self.clock())
            now = self.clock()
            app = WApplication(next(self._ids), person.id, job_id, STAGES[0], "active", None, now, now)
            person.applications.append(app)
            person.updated_ms = now
            return app

    def applications(self) -> list[WApplication]:
        return [a for p in self.people.values() for a in p.applications]


def _pool(now: int):
    """(first, last, email, additional email, segment) of the HubSpot demo pool's live contacts."""
    portal = Portal(lambda: now)
    summary = seed_portal(portal, now)
    segment_of = {e: s for s, emails in summary["segments"].items() for e in emails}
    for rec in sorted(portal.live("contacts"), key=lambda r: int(r.id)):
        email = rec.props.get("email")
        if email in segment_of:
            extra = (rec.props.get("hs_additional_emails") or "").split(";")[0]
            yield rec.props.get("firstname"), rec.props.get("lastname"), email, extra, segment_of[email]


def _plan(rng: random.Random, segment: str) -> list[tuple[int, str, int]] | None:
    """(stage index, status, days ago) per application of a person of this segment; None: not in the ATS."""
    roll = rng.random()
    if segment == "fan":     # many fans never applied: exactly the people a recruiter should call
        if roll < 0.45:
            return None
        return [(rng.randint(0, 4), "active", rng.randint(2, 20))] if roll < 0.85 else [(5, "hired", 25)]
    if segment == "warm":
        if roll < 0.25:
            return [(rng.randint(0, 3), "active", rng.randint(3, 40))]
        if roll < 0.4:
            return [(rng.randint(1, 3), "rejected", rng.randint(10, 60)), (0, "active", rng.randint(2, 9))]
        if roll < 0.5:
            return [(2, "withdrawn", rng.randint(5, 30))]
        return None
    if segment == "lurker" and roll < 0.3:
        return [(rng.randint(1, 4), "rejected", rng.randint(120, 300))]
    if segment == "cold" and roll < 0.06:
        return [(5, "hired", rng.randint(200, 400))]
    return None    # abandoned: an apply intent in HubSpot and no application; the rest never applied
