"""One sync run: pull (contacts, email events, web events, forms) → resolve identities → score → push."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from connector import logs, outbox, state, stopping, store
from connector.capabilities import FACT_EMAIL_EVENTS, FACT_FORMS, FACT_WEB_EVENTS  # noqa: F401 - re-exported
from connector.config import Settings
from connector.db import session_scope
from connector.errors import ConnectorError, DailyLimitError, StateError
from connector.forgotten import update_flags
from connector.heartbeat import LeaseHeartbeat
from connector.hubspot.client import HubSpotClient
from connector.hubspot.pull import (
    BadRecordError,
)
from connector.hubspot.push import push_contact_updates
from connector.hubspot.timeparse import dt_to_ms
from connector.progress import Progress, as_progress
from connector.purge import DELETED_IN_HUBSPOT, flush_freed_pages, purge_contact
from connector.scores import desired_properties, push_diff, rescore
from connector.scoring.config import load_model
from connector.scoring.vacancies import VacancyMatcher
from connector.state.abandoned import abandoned_properties
from connector.stopping import StopRequestedError
from connector.sync_pull import PullSteps

log = logging.getLogger(__name__)
DAY_MS = 24 * 3600 * 1000
PUSH_BATCH = 100        # contacts per batch/update request (hubspot.streams.BATCH_SIZE), for the progress total
FACT_SETUP_AT = "setup.completed_at"
FACT_BACKFILL_PLAN = "backfill.plan"    # JSON while a backfill is unfinished (connector/runs/backfill.py)


@dataclass
class SyncReport:
    run_id: int
    counts: dict = field(default_factory=dict)
    api_calls: int = 0
    status: str = "ok"
    error: str | None = None
    planned: dict[str, dict[str, str]] = field(default_factory=dict)
    planned_tasks: list = field(default_factory=list)       # TaskIntent: created (or, on a dry run, would be)
    planned_flags: object = None                            # forgotten.FlagReport: flags set and cleared


class Sync(PullSteps):
    """The steps of one run; each step commits before the next starts, so a crash loses at most the step in flight."""

    def __init__(self, settings: Settings, engine: Engine, client: HubSpotClient, *,
                 now: datetime | None = None, progress: Progress | Callable[[str], None] | None = None,
                 dry_run: bool = False, notify: bool | None = None):
        self.settings, self.engine, self.client = settings, engine, client
        self.dry_run = dry_run
        self.notify = notify        # None: tasks from the second sync on (the first records a baseline)
        self.planned: dict[str, dict[str, str]] = {}
        self.planned_tasks: list = []
        self.planned_flags = None
        self.now = now or settings.pinned_clock or datetime.now(UTC)
        self.until_ms = dt_to_ms(self.now) - settings.sync_lag_seconds * 1000
        self.floor_ms = dt_to_ms(self.now) - settings.initial_lookback_days * DAY_MS
        self.matcher = VacancyMatcher(settings.vacancy_url_pattern, settings.careers_hosts)
        self.model = load_model(settings.scoring_model_path)
        self.progress = as_progress(progress)
        self.counts: dict[str, int] = {}
        self.warnings: list[str] = []
        self.run_id: int | None = None

    def _add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def run(self) -> SyncReport:
        with session_scope(self.engine) as session:
            if state.get_fact(session, FACT_SETUP_AT) is None:
                raise StateError("the state database (DATABASE_URL) has no setup record: run `connector setup` "
                                 "(idempotent: a portal set up before keeps its properties) to record the portal here")
            self.before_start(session)
            state.acquire_lease(session, seconds=self.settings.run_lease_seconds)
            state.close_dead_runs(session)
            self.run_id = state.start_run(session, self.kind()).id
        logs.set_run_id(self.run_id)
        heartbeat = LeaseHeartbeat(self.engine, self.settings.run_lease_seconds, self.client.halt).start()
        report = SyncReport(run_id=self.run_id)
        started = time.monotonic()
        try:
            self.steps()
        except DailyLimitError as exc:
            report.status, report.error = "stopped", str(exc)
            raise
        except StopRequestedError as exc:      # SIGTERM/SIGINT: what was committed stays, the run resumes next time
            report.status, report.error = "interrupted", str(exc)
            raise
        except ConnectorError as exc:
            report.status, report.error = "failed", str(exc)
            raise
        except BaseException as exc:
            report.status, report.error = "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            heartbeat.stop()
            logs.set_run_id(None)
            self.progress.close()
            self.counts["seconds"] = round(time.monotonic() - started, 2)
            report.counts, report.api_calls = dict(self.counts), self.client.stats.calls
            if report.error is None and self.warnings:      # an ok run that switched something off says so
                report.error = "warning: " + "; ".join(self.warnings)
            report.planned, report.planned_tasks = self.planned, self.planned_tasks
            report.planned_flags = self.planned_flags
            with session_scope(self.engine) as session:
                state.finish_run(session, self.run_id, status=report.status, counts=report.counts,
                                 api_calls=report.api_calls, error=report.error)
            with session_scope(self.engine) as session:
                state.release_lease(session)
        return report

    def kind(self) -> str:
        return "sync-dry-run" if self.dry_run else "sync"

    def before_start(self, session) -> None:
        """Refuse to start while a backfill is unfinished: its history would reach tasks and flags unbaselined."""
        plan = state.get_fact(session, FACT_BACKFILL_PLAN)
        held = state.lease_holder(session)
        if plan and not (held and held[2]):     # a live backfill: the lease says so (acquire_lease raises)
            since = json.loads(plan)["since"]
            raise StateError(f"a backfill from {since} is unfinished (stopped or killed): `connector backfill "
                             f"--since {since}` finishes it, then runs resume")

    def steps(self) -> None:
        """DESIGN section 1, steps 2-7, in order."""
        self.pull_contacts()
        caps = self.capabilities()          # unknown ones re-probed and recorded (sync_pull.py)
        if caps[FACT_EMAIL_EVENTS] == "yes":
            self.pull_email_events()
        web = caps[FACT_WEB_EVENTS] == "yes" and self.pull_web_events()
        self.pull_counter_deltas(web_events=web)
        if caps[FACT_FORMS] == "yes":
            self.pull_forms()
        self.pull_ats()
        self.resolve()
        stopping.check()
        self.score()
        self.act()
        stopping.check()
        self.push()
        self.push_tasks()

    def _quarantine(self, session, bad: BadRecordError) -> None:
        if store.quarantine(session, source=bad.source, record_id=bad.record_id, field=bad.field, error=str(bad),
                            run_id=self.run_id):
            self._add("quarantined", 1)

    def resolve(self) -> None:
        with session_scope(self.engine) as session:
            for key, n in store.resolve_identities(session).items():
                self._add(key, n)
        if self.settings.ats_kind != "none":
            from connector.ats.pull import create_missing_contacts, resolve_ats
            from connector.hubspot.create import push_new_contact
            for key, n in resolve_ats(self.settings, self.engine).items():
                self._add(key, n)
            if self.settings.ats_create_contacts:
                created = create_missing_contacts(self.settings, self.engine, lambda p: push_new_contact(self.client, p),
                                                  dry_run=self.dry_run)
                for key, n in created.items():
                    self._add(key, n)

    def score(self) -> None:
        self.progress.step("scoring contacts")
        with session_scope(self.engine) as session:
            scored = rescore(session, self.model, self.now, self.settings.reasons_language)
        self._add("scored", scored)
        self.progress.advance(scored)

    def act(self) -> None:
        """Band crossings → task intents in the outbox, committed with the trigger states before any call."""
        with session_scope(self.engine) as session:
            plan, notifying = outbox.decide(session, self.settings, self.model, self.now, notify=self.notify,
                                            run_id=self.run_id, dry_run=self.dry_run)
            if self.dry_run:
                self.planned_tasks = outbox.pending_intents(session) + plan.intents
        if not self.dry_run:
            self.planned_tasks = plan.intents
        self._add("tasks_planned", sum(1 for i in plan.intents if not i.skip_reason))
        self._add("tasks_skipped_no_owner", sum(1 for i in plan.intents if i.skip_reason))
        self._add("tasks_suppressed", plan.suppressed)
        if not notifying:
            self._add("tasks_baselined", plan.baselined)
        with session_scope(self.engine) as session:
            flags = update_flags(session, self.settings, self.now, dry_run=self.dry_run)
        self.planned_flags = flags
        self._add("abandoned_flagged", len(flags.to_set))
        self._add("abandoned_cleared", len(flags.to_clear))

    def push_tasks(self) -> None:
        """Drain the outbox: create pending tasks in HubSpot, exactly once."""
        if self.dry_run:
            return
        self.progress.step("creating recruiter tasks")
        drained = outbox.drain(self.engine, self.client)
        self.progress.advance(drained.created)
        with session_scope(self.engine) as session:
            for contact_id, message in drained.refusals:
                store.quarantine(session, source="task", record_id=contact_id, field="task",
                                 error=f"HubSpot refused the task: {message}", run_id=self.run_id)
        self._add("tasks_created", drained.created)
        self._add("tasks_recovered", drained.recovered)
        self._add("tasks_refused", drained.refused)
        self._add("tasks_skipped_open", drained.skipped_open)
        self._add("task_create_requests", drained.requests)

    def push(self) -> None:
        """Write only values that differ from what was last written, 100 contacts per request."""
        with session_scope(self.engine) as session:
            desired = desired_properties(session, self.now)
            for cid, props in abandoned_properties(session).items():
                if cid in desired:
                    desired[cid].update(props)
            last = store.pushed_values(session, desired)
        updates = push_diff(desired, last, self.settings.rank_write_step)
        if self.dry_run:     # pulled and scored locally; HubSpot is not written, so the next real run pushes these
            self.planned = updates
            self._add("contacts_planned", len(updates))
            self._add("property_values_planned", sum(len(p) for p in updates.values()))
            return
        self.progress.step(f"writing {len(updates)} contacts: batches", total=-(-len(updates) // PUSH_BATCH))

        def commit(written):
            with session_scope(self.engine) as session:
                store.save_pushed(session, written)
            self.progress.advance(1)

        result = push_contact_updates(self.client, updates, on_batch=commit)
        with session_scope(self.engine) as session:
            for cid, prop, error in result.failed:
                store.quarantine(session, source="push", record_id=cid, field=prop, error=error, run_id=self.run_id)
            for cid in result.gone:     # deleted in HubSpot (GDPR or plain): purge locally, never write to it again
                purge_contact(session, cid, DELETED_IN_HUBSPOT)
            self._add("contacts_purged", len(result.gone))
        if result.gone:
            with session_scope(self.engine) as session:
                flush_freed_pages(session)
        self._add("contacts_updated", len(result.written))
        self._add("property_values_written", sum(len(p) for p in result.written.values()))
        self._add("batch_update_requests", result.requests)
        self._add("push_failed", len(result.failed))
