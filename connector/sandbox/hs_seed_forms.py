"""Seeded forms: application forms on the vacancies' apply pages, a "Start application" step and a job alert.

Consistent with the seeded browsing: some candidates who viewed an apply page sent the application form a few
minutes later (some first the "Start application" step); the abandoned segment started at most, never applied;
a job-alert pop-up collects sign-ups on the careers home page, two of them with a contact's additional email.
Own random stream, run after the rest of the seed, so the earlier seed data is unchanged.
"""

from __future__ import annotations

import random

from .hs_forms import new_form, new_submission
from .hs_seed_data import CAREERS, DAY, MIN, VACANCIES, ascii_slug
from .hs_store import Portal

SEED = 20_251_202
TITLES = dict(VACANCIES)
DUTCH_FORMS = ("senior-java-developer", "data-engineer", "product-owner")  # "Solliciteer: <vacancy>"
APPLY_FORM, START_FORM, ALERT_FORM = "Apply", "Start application", "Job alert"
APPLY_FIELDS = ["email", "firstname", "lastname", "phone", "cv"]
P_APPLIED, P_STARTED_FIRST, P_ABANDONED_STARTED = 0.5, 0.6, 0.5
JOB_ALERT_SIGNUPS = 12
CAMPAIGN_QUERY = "?utm_source=linkedin&utm_medium=social"


def _apply_views(portal: Portal, person: dict, since: int) -> list[dict]:
    return [e for e in portal.web_events.get(person["rec"].id, []) if e["url"].endswith("/apply") and e["ms"] > since]


class FormSeeder:
    def __init__(self, portal: Portal, now_ms: int, people: list[dict]):
        self.portal, self.now, self.rng = portal, now_ms, random.Random(SEED)
        self.people = [p for p in people if p["rec"].merged_into is None and not p["rec"].archived]
        self.summary: dict = {"forms": {}, "applied": [], "started": [], "job_alert": [], "additional_email": []}

    def form(self, name: str, fields: list[str], days_ago: int, form_type: str = "hubspot") -> str:
        guid = new_form(self.portal, name, fields, at_ms=self.now - days_ago * DAY, form_type=form_type)["id"]
        self.summary["forms"][name] = guid
        return guid

    def submit(self, guid: str, person: dict, values: dict, at: int, url: str, *, extra: bool = False) -> None:
        email = person["extra"] if extra and person["extra"] else person["email"]
        new_submission(self.portal, guid, {"email": email, **values}, at_ms=at, page_url=url)
        if email != person["email"]:
            self.summary["additional_email"].append(email)

    def run(self) -> dict:
        dutch = {slug: self.form(f"Solliciteer: {TITLES[slug]}", APPLY_FIELDS, 320 - 10 * i)
                 for i, slug in enumerate(DUTCH_FORMS)}
        generic = self.form(APPLY_FORM, APPLY_FIELDS, 400)
        start = self.form(START_FORM, ["email", "vacancy"], 260)
        alert = self.form(ALERT_FORM, ["email", "firstname"], 380, form_type="flow")
        since = self.now - 180 * DAY
        for person in self.people:
            views = _apply_views(self.portal, person, since)
            if not views:
                continue
            view = views[-1]
            slug = view["url"].rstrip("/").split("/")[-2]
            if person["segment"] == "abandoned":
                if self.rng.random() < P_ABANDONED_STARTED:
                    self.started(start, person, slug, view)
                continue
            if self.rng.random() >= P_APPLIED:
                continue
            if self.rng.random() < P_STARTED_FIRST:
                self.started(start, person, slug, view)
            self.applied(dutch.get(slug, generic), person, view)
        self.job_alerts(alert)
        return self.summary

    def started(self, guid: str, person: dict, slug: str, view: dict) -> None:
        at = view["ms"] + MIN
        if at < self.now:
            self.submit(guid, person, {"vacancy": TITLES.get(slug, slug)}, at, view["url"])
            self.summary["started"].append(person["email"])

    def applied(self, guid: str, person: dict, view: dict) -> None:
        rng, rec = self.rng, person["rec"]
        at = view["ms"] + rng.randint(4, 25) * MIN
        if at >= self.now:
            return
        first, last = rec.props.get("firstname", ""), rec.props.get("lastname", "")
        values = {"firstname": first, "lastname": last, "phone": f"+31 6 {rng.randint(10_000_000, 99_999_999)}",
                  "cv": f"cv-{ascii_slug(first)}-{ascii_slug(last)}.pdf"}
        url = view["url"] + (CAMPAIGN_QUERY if rng.random() < 0.2 else "")
        self.submit(guid, person, values, at, url, extra=True)
        self.summary["applied"].append(person["email"])

    def job_alerts(self, guid: str) -> None:
        rng = self.rng
        pool = [p for p in self.people if p["segment"] in ("warm", "lurker", "cold")]
        with_extra = [p for p in pool if p["extra"]][:2]
        picked = with_extra + rng.sample([p for p in pool if p not in with_extra], JOB_ALERT_SIGNUPS - len(with_extra))
        for person in picked:
            at = max(person["created"] + DAY, self.now - rng.randint(2, 150) * DAY) + rng.randint(0, 600) * MIN
            if at < self.now:
                self.submit(guid, person, {"firstname": person["rec"].props.get("firstname", "")}, at, CAREERS + "/",
                            extra=person in with_extra)
                self.summary["job_alert"].append(person["email"])


def seed_forms(portal: Portal, now_ms: int, people: list[dict]) -> dict:
    """Forms and submissions for the seeded people; returns {forms: {name: guid}, applied, started, ...} emails."""
    return FormSeeder(portal, now_ms, people).run()
