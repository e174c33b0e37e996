"""Recruiter tasks end to end against the sandbox: one task per crossing into fan, for the right owner, exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from connector.config import load_settings
from connector.db import make_engine, migrate, session_scope
from connector.hubspot.client import HubSpotClient
from connector.models import TaskOutbox
from connector.sandbox.hs_seed_data import VACANCIES, vacancy_url
from connector.sync import Sync

BATCH_CREATE = "/crm/v3/objects/tasks/batch/create"
DAY_MS = 86_400_000
PORTAL_ZONE = ZoneInfo("Europe/Amsterdam")          # the sandbox account's time zone (account-info details)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _fan_activity(sandbox, email: str, at: datetime, campaign: int = 4_001, contact_id: str | None = None) -> None:
    """Mails on four vacancies, each clicked through to the vacancy and its apply page (plus, given the contact,
    page views on three days before `at`): a fan under any sane model."""
    for i, (slug, title) in enumerate(VACANCIES[:4]):
        sent = _ms(at) - 3_600_000 - i * 60_000
        sandbox.add_email_event(type="SENT", recipient=email, created=sent, emailCampaignId=campaign + i,
                                subject=f"Nieuwe vacature: {title}")
        for apply in (False, True):
            sandbox.add_email_event(type="CLICK", recipient=email, created=_ms(at) - (i * 2 + apply) * 60_000,
                                    emailCampaignId=campaign + i, url=vacancy_url(slug, apply=apply))
        if contact_id:
            for days in (0, 2, 4):
                sandbox.add_web_event(contact_id, url=vacancy_url(slug), title=f"{title} | Careers",
                                      occurred_at=at - timedelta(days=days, minutes=10 + i))


def _candidate(sandbox, email="anna.devries@example.nl", first="Anna", last="de Vries", owner=None) -> str:
    props = {"email": email, "firstname": first, "lastname": last}
    if owner:
        props["hubspot_owner_id"] = owner
    return sandbox.create_contact(props)


def _tasks_of(sandbox, contact_id):
    return [t for t in sandbox.tasks() if contact_id in t["contact_ids"]]


def _next_working_day_9am(now: datetime) -> int:
    day = now.astimezone(PORTAL_ZONE).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return _ms(datetime(day.year, day.month, day.day, 9, tzinfo=PORTAL_ZONE))


@pytest.mark.both_databases
def test_crossing_into_fan_creates_one_task_for_the_owner_due_next_working_day(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    owner = empty_sandbox.add_owner("lotte@example.com", "Lotte", "Jansen")
    contact = _candidate(empty_sandbox, owner=owner)
    connector.run("setup")
    assert connector.sync_json()["tasks_created"] == 0          # the first sync records the baseline

    _fan_activity(empty_sandbox, "anna.devries@example.nl", datetime.now(UTC) - timedelta(minutes=5), contact_id=contact)
    before = datetime.now(UTC)
    report = connector.sync_json()
    assert empty_sandbox.contact(contact)["te_engagement_band"] == "fan", (report, empty_sandbox.contact(contact))
    assert report["tasks_created"] == 1, report
    [task] = _tasks_of(empty_sandbox, contact)
    props = task["properties"]
    score = empty_sandbox.contact(contact)["te_engagement_score"]
    assert props["hs_task_subject"] == f"Call Anna de Vries: engagement {score} (fan)"
    assert props["hubspot_owner_id"] == owner
    assert (props["hs_task_type"], props["hs_task_priority"], props["hs_task_status"]) == ("CALL", "HIGH", "NOT_STARTED")
    due = _ms(datetime.fromisoformat(props["hs_timestamp"].replace("Z", "+00:00")))
    assert due in {_next_working_day_9am(before), _next_working_day_9am(datetime.now(UTC))}
    body = props["hs_task_body"]
    assert "Senior Java Developer" in body and "vacancies/" not in body      # titles, not URLs
    assert "Application:" in body

    assert connector.sync_json()["tasks_created"] == 0          # still a fan: no second task
    assert len(_tasks_of(empty_sandbox, contact)) == 1
    listing = connector.run("tasks").output
    assert "created" in listing and task["id"] in listing


def test_no_owner_and_no_default_owner_skips_and_reports(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    lone = _candidate(empty_sandbox, email="noor@example.com", first="Noor", last="Bakker")
    connector.run("setup")
    connector.sync_json()
    _fan_activity(empty_sandbox, "noor@example.com", datetime.now(UTC))
    report = connector.sync_json()
    assert (report["tasks_created"], report["tasks_skipped_no_owner"]) == (0, 1)
    assert _tasks_of(empty_sandbox, lone) == []
    listing = connector.run("tasks", "--status", "skipped").output
    assert lone in listing and "no owner" in listing


def test_default_owner_gets_the_task_of_a_contact_without_owner(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    default = empty_sandbox.add_owner("desk@example.com", "Talent", "Desk")
    lone = _candidate(empty_sandbox, email="noor@example.com", first="Noor", last="Bakker")
    connector.run("setup")
    connector.sync_json(DEFAULT_TASK_OWNER_ID=default)
    _fan_activity(empty_sandbox, "noor@example.com", datetime.now(UTC))
    assert connector.sync_json(DEFAULT_TASK_OWNER_ID=default)["tasks_created"] == 1
    [task] = _tasks_of(empty_sandbox, lone)
    assert task["properties"]["hubspot_owner_id"] == default


def test_first_sync_is_a_baseline_and_notify_creates_the_tasks(sandbox, make_connector):
    quiet = make_connector(sandbox)
    quiet.run("setup")
    report = quiet.sync_json()
    assert report["tasks_created"] == 0 and report["tasks_baselined"] > 0
    assert sandbox.tasks() == []

    loud = make_connector(sandbox)
    loud.run("setup")
    result = loud.run("sync", "--json", "--notify")
    counts = json.loads(result.output.strip().splitlines()[-1])
    fans = loud.run("pool", "--band", "fan", "--top", "0").output.count("│ fan ")
    assert counts["tasks_created"] + counts["tasks_skipped_no_owner"] == fans > 0
    assert len(sandbox.tasks()) == counts["tasks_created"]
    assert len({tuple(t["contact_ids"]) for t in sandbox.tasks()}) == counts["tasks_created"]   # one each


def test_dry_run_lists_the_tasks_it_would_create_and_creates_none(sandbox, connector):
    connector.run("setup")
    out = connector.run("sync", "--dry-run", "--notify").output
    assert "Recruiter tasks this run would create" in out and "Call " in out
    assert sandbox.tasks() == []


def test_refused_owners_are_reported_and_retried_the_others_created(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    good = empty_sandbox.add_owner("lotte@example.com", "Lotte", "Jansen")
    gone = empty_sandbox.add_owner("left@example.com", "Left", "Company")
    ids = {}
    for i, owner in enumerate([good, gone, good, gone, good]):
        ids[i] = _candidate(empty_sandbox, email=f"c{i}@example.com", first=f"C{i}", last="Test", owner=owner)
    connector.run("setup")
    connector.sync_json()
    for i in ids:
        _fan_activity(empty_sandbox, f"c{i}@example.com", datetime.now(UTC))
    empty_sandbox.deactivate_owner(gone)             # the recruiter left: HubSpot refuses tasks for that owner
    report = connector.sync_json()
    assert (report["tasks_created"], report["tasks_refused"]) == (3, 2)
    assert report["task_create_requests"] == 1        # one batch, answered per input
    assert sorted(len(_tasks_of(empty_sandbox, ids[i])) for i in ids) == [0, 0, 1, 1, 1]
    status = connector.run("status").output
    assert "task" in status and ids[1] in status       # reported with HubSpot's message
    listing = connector.run("tasks", "--status", "pending").output
    assert ids[1] in listing and ids[3] in listing

    empty_sandbox.reactivate_owner(gone)
    report = connector.sync_json()                    # retried on the next run
    assert (report["tasks_created"], report["tasks_refused"]) == (2, 0)
    assert all(len(_tasks_of(empty_sandbox, ids[i])) == 1 for i in ids)


@pytest.mark.both_databases
def test_kill_after_task_create_reached_hubspot_makes_no_duplicate(sandbox, connector):
    connector.run("setup")
    sandbox.add_fault(kind="hang_after", delay_s=8, path_prefix=BATCH_CREATE)   # created at once, answered late
    proc = subprocess.Popen([sys.executable, "-m", "connector", "sync", "--notify"],
                            env={**os.environ, **connector.environ()},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not sandbox.tasks():
        assert proc.poll() is None, "sync ended before it created tasks"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sandbox.clear_faults()
    created = {t["id"]: tuple(t["contact_ids"]) for t in sandbox.tasks()}
    assert created

    report = connector.sync_json()
    assert report["status"] == "ok"
    assert report["tasks_recovered"] == len(created) and report["tasks_created"] == 0
    after = {t["id"]: tuple(t["contact_ids"]) for t in sandbox.tasks()}
    assert after == created                                            # exactly one task each, none twice
    engine = make_engine(connector.url)
    with session_scope(engine) as session:
        rows = session.exec(select(TaskOutbox)).all()
        assert {r.hubspot_task_id for r in rows if r.status == "created"} == set(created)
        assert not [r for r in rows if r.status == "pending"]
    engine.dispose()


class _Clocked:
    """Sync runs at pinned moments, through the real code path against the sandbox (time travel for decay)."""

    def __init__(self, connector, **env):
        self.settings = load_settings(environ=connector.environ(**env), env_file=os.devnull)
        self.engine = make_engine(self.settings.database_url)
        migrate(self.engine)

    def sync(self, now: datetime) -> dict:
        report = Sync(self.settings, self.engine, HubSpotClient(self.settings), now=now).run()
        return report.counts


def test_hysteresis_rearm_and_cooldown(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    owner = empty_sandbox.add_owner("lotte@example.com", "Lotte", "Jansen")
    contact = _candidate(empty_sandbox, owner=owner)
    connector.run("setup")
    clock = _Clocked(connector)
    t0 = datetime.now(UTC) + timedelta(hours=1)
    clock.sync(t0)                                                    # baseline

    t1 = t0 + timedelta(days=1)
    _fan_activity(empty_sandbox, "anna.devries@example.nl", t1 - timedelta(minutes=5))
    assert clock.sync(t1)["tasks_created"] == 1
    score = lambda: int(empty_sandbox.contact(contact)["te_engagement_score"])  # noqa: E731

    # Decay into engaged, but not below the re-arm edge (60); then fresh activity: still no second task.
    t = t1
    while score() >= 75:
        t += timedelta(days=1)
        assert clock.sync(t)["tasks_created"] == 0
    assert 60 <= score() < 75, "decay skipped the engaged band above the re-arm edge"
    t += timedelta(hours=2)
    _fan_activity(empty_sandbox, "anna.devries@example.nl", t - timedelta(minutes=5), campaign=4_002)
    assert clock.sync(t)["tasks_created"] == 0
    assert empty_sandbox.contact(contact)["te_engagement_band"] == "fan"
    assert len(_tasks_of(empty_sandbox, contact)) == 1

    # Below the re-arm edge, the recruiter completed the task, and up again after the cooldown: a new task.
    while score() >= 60:
        t += timedelta(days=2)
        clock.sync(t)
    empty_sandbox.complete_task(_tasks_of(empty_sandbox, contact)[0]["id"])
    t = max(t + timedelta(days=1), t1 + timedelta(days=31))
    _fan_activity(empty_sandbox, "anna.devries@example.nl", t - timedelta(minutes=5), campaign=4_003)
    counts = clock.sync(t)
    assert counts["tasks_created"] == 1, (counts, empty_sandbox.contact(contact))
    assert len(_tasks_of(empty_sandbox, contact)) == 2


def test_a_second_open_task_is_never_created(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    owner = empty_sandbox.add_owner("lotte@example.com", "Lotte", "Jansen")
    contact = _candidate(empty_sandbox, owner=owner)
    connector.run("setup")
    clock = _Clocked(connector)
    t = datetime.now(UTC) + timedelta(hours=1)
    clock.sync(t)
    t += timedelta(hours=2)
    _fan_activity(empty_sandbox, "anna.devries@example.nl", t - timedelta(minutes=5))
    assert clock.sync(t)["tasks_created"] == 1
    while int(empty_sandbox.contact(contact)["te_engagement_score"]) >= 60:     # re-armed by decay
        t += timedelta(days=3)
        clock.sync(t)
    t += timedelta(days=31)
    _fan_activity(empty_sandbox, "anna.devries@example.nl", t - timedelta(minutes=5), campaign=4_009)
    counts = clock.sync(t)                      # the rules fire again, but the first task is still open
    assert (counts["tasks_created"], counts["tasks_skipped_open"]) == (0, 1)
    assert len(_tasks_of(empty_sandbox, contact)) == 1


@pytest.mark.both_databases
def test_a_merge_keeps_one_task_ledger_for_the_survivor(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    owner = empty_sandbox.add_owner("lotte@example.com", "Lotte", "Jansen")
    absorbed = _candidate(empty_sandbox, owner=owner)
    survivor = _candidate(empty_sandbox, email="anna.private@example.org", owner=owner)
    connector.run("setup")
    connector.sync_json()
    _fan_activity(empty_sandbox, "anna.devries@example.nl", datetime.now(UTC) - timedelta(minutes=5),
                  contact_id=absorbed)
    assert connector.sync_json()["tasks_created"] == 1
    merged = empty_sandbox.merge_contacts(survivor, absorbed)       # a new record with a new id (HubSpot's merge)
    _fan_activity(empty_sandbox, "anna.private@example.org", datetime.now(UTC) - timedelta(minutes=1), campaign=4_500)
    counts = connector.sync_json()
    assert counts["tasks_created"] == 0       # the absorbed contact's task is the merged record's: it already fired
    assert len(empty_sandbox.tasks()) == 1
    assert empty_sandbox.tasks()[0]["contact_ids"] == [merged]
    assert connector.query("select distinct contact_id from task_outbox") == [(merged,)]
    assert connector.query("select contact_id, armed from task_trigger") == [(merged, False)]
