"""The ATS in the recruiter's actions: no "call this fan" task for a hire, forgotten applications cleared by it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from connector.config import load_settings
from connector.db import make_engine, migrate
from connector.hubspot.client import HubSpotClient
from connector.sync import Sync
from tests.test_cli_tasks import _fan_activity


def _contact_by_email(sandbox, email):
    return next(c["id"] for c in sandbox.contacts() if c["properties"].get("email") == email)


def _hubspot_person(recruitee, sandbox, want):
    """A person of the ATS world whose (primary) email is a HubSpot contact and whose applications satisfy `want`."""
    emails = {c["properties"].get("email") for c in sandbox.contacts()}
    for person in recruitee.world.people.values():
        if person.in_hubspot and person.emails[0] in emails and want(person.applications):
            return person
    raise AssertionError("no such person in the seeded world")


def _tasks_of(sandbox, contact_id):
    return [t for t in sandbox.tasks() if contact_id in t["contact_ids"]]


def test_a_hired_candidate_who_keeps_browsing_gets_no_task(recruitee_connector, recruitee, sandbox):
    hired = _hubspot_person(recruitee, sandbox, lambda apps: any(a.status == "hired" for a in apps))
    contact = _contact_by_email(sandbox, hired.emails[0])
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()                                   # baseline
    _fan_activity(sandbox, hired.emails[0], datetime.now(UTC) - timedelta(minutes=5), campaign=7_100,
                  contact_id=contact)
    counts = recruitee_connector.sync_json()
    assert sandbox.contact(contact)["te_engagement_band"] == "fan"
    assert sandbox.contact(contact)["te_application_status"] == "hired"
    assert counts["tasks_suppressed"] >= 1
    assert _tasks_of(sandbox, contact) == []


def test_a_rejected_candidate_gets_a_task_once_the_cooldown_has_passed(recruitee_connector, recruitee, sandbox):
    person = _hubspot_person(recruitee, sandbox, lambda apps: len(apps) == 1 and apps[0].status == "active"
                             and not apps[0].prospect)
    email = person.emails[0]
    contact = _contact_by_email(sandbox, email)
    recruitee_connector.run("setup")
    settings = load_settings(environ=recruitee_connector.environ(), env_file=os.devnull)
    engine = make_engine(settings.database_url)
    migrate(engine)

    def sync(at):
        return Sync(settings, engine, HubSpotClient(settings), now=at).run().counts

    t = datetime.now(UTC) + timedelta(hours=1)
    sync(t)                                                            # baseline
    recruitee.world.close(person.applications[0].id, "rejected")
    t += timedelta(hours=2)
    _fan_activity(sandbox, email, t - timedelta(minutes=5), campaign=7_200)
    sync(t)
    assert sandbox.contact(contact)["te_application_status"] == "rejected"
    assert sandbox.contact(contact)["te_engagement_band"] == "fan"
    assert _tasks_of(sandbox, contact) == []                           # rejected within the cooldown

    t += timedelta(days=31)
    _fan_activity(sandbox, email, t - timedelta(minutes=5), campaign=7_300)
    sync(t)
    [task] = _tasks_of(sandbox, contact)
    assert "rejected" in task["properties"]["hs_task_body"]            # the notes show the status


def test_an_application_in_the_ats_clears_the_forgotten_application(recruitee_connector, recruitee, sandbox):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    flagged = [c for c in sandbox.contacts() if c["properties"].get("te_abandoned_job")]
    assert flagged
    for c in flagged:                 # never a hire, never someone who applied for that vacancy
        assert c["properties"].get("te_application_status") != "hired"
    target = next(c for c in flagged if c["properties"].get("te_abandoned_count") == "1")
    slug = target["properties"]["te_abandoned_apply_url"].rstrip("/").split("/")[-2]
    job = next(j for j in recruitee.world.jobs.values() if j.slug == slug)
    recruitee.world.apply(target["properties"]["email"], job.id)
    counts = recruitee_connector.sync_json()
    assert counts["abandoned_cleared"] >= 1
    props = sandbox.contact(target["id"])
    assert not props.get("te_abandoned_job") and not props.get("te_abandoned_at")


def test_a_closed_vacancy_clears_the_flag(recruitee_connector, recruitee, sandbox):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    flagged = [c for c in sandbox.contacts() if c["properties"].get("te_abandoned_job")]
    target = flagged[0]
    slug = target["properties"]["te_abandoned_apply_url"].rstrip("/").split("/")[-2]
    job = next(j for j in recruitee.world.jobs.values() if j.slug == slug)
    with recruitee.world.lock:
        job.state, job.updated_ms = "closed", recruitee.world.clock()
    recruitee_connector.sync_json()
    assert all(sandbox.contact(c["id"]).get("te_abandoned_job") != job.title for c in flagged)
