"""One sync run: pull (contacts, email events, web events, forms) → resolve identities → score → push."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from connector import outbox, state, stopping, store
from connector.config import Settings
from connector.db import session_scope
from connector.errors import AuthError, ConnectorError, DailyLimitError, StateError
from connector.forgotten import update_flags
from connector.heartbeat import LeaseHeartbeat
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
from connector.hubspot.forms import fetch_form_pages, fetch_forms, unknown_form_ids
from connector.hubspot.pull import (
    BadRecordError,
    fetch_contact_pages,
    fetch_email_event_pages,
    fetch_web_events,
)
from connector.hubspot.push import push_contact_updates
from connector.hubspot.reconcile import fetch_missing_contact_ids
from connector.hubspot.timeparse import dt_to_ms
from connector.hubspot.touchpoints import email_campaign_name, email_event_touchpoints, web_event_touchpoints
from connector.purge import DELETED_IN_HUBSPOT, ForgottenFilter, flush_freed_pages, purge_contact
from connector.scores import desired_properties, push_diff, rescore
from connector.scoring.config import load_model
from connector.scoring.vacancies import VacancyMatcher
from connector.state.abandoned import abandoned_properties
from connector.stopping import StopRequestedError

log = logging.getLogger(__name__)
DAY_MS = 24 * 3600 * 1000
FACT_EMAIL_EVENTS = "capability.email_events"
FACT_WEB_EVENTS = "capability.web_analytics"
FACT_FORMS = "capability.forms"
FACT_SETUP_AT = "setup.completed_at"
FACT_RECONCILED_AT = "reconcile.completed_ms"


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


def _deliveries_that_matter(session, rows: list[dict]) -> list[dict]:
    """Drop DELIVERED rows except those of recipients with a hard bounce (stored, or in this page): a delivery
    only matters as proof that a bounced address works again. A delivery read on an earlier page than its bounce
    (same window) is missed; the next delivery to that address lifts the floor instead."""
    delivered = {r["recipient"] for r in rows if r["kind"] == "delivered"}
    if not delivered:
        return rows
    bounced = store.bounced_recipients(session, delivered) | {r["recipient"] for r in rows if r["kind"] == "hard_bounce"}
    return [r for r in rows if r["kind"] != "delivered" or r["recipient"] in bounced]


class Sync:
    """The steps of one run; each step commits before the next starts, so a crash loses at most the step in flight."""

    def __init__(self, settings: Settings, engine: Engine, client: HubSpotClient, *,
                 now: datetime | None = None, progress: Callable[[str], None] | None = None,
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
        self.progress = progress or (lambda _msg: None)
        self.counts: dict[str, int] = {}
        self.run_id: int | None = None

    def _add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def run(self) -> SyncReport:
        with session_scope(self.engine) as session:
            if state.get_fact(session, FACT_SETUP_AT) is None:
                raise StateError("the portal is not set up yet: run `connector setup` first")
            state.acquire_lease(session, seconds=self.settings.run_lease_seconds)
            state.close_dead_runs(session)
            self.run_id = state.start_run(session, "sync-dry-run" if self.dry_run else "sync").id
        heartbeat = LeaseHeartbeat(self.engine, self.settings.run_lease_seconds, self.client.halt).start()
        report = SyncReport(run_id=self.run_id)
        started = time.monotonic()
        try:
            self.pull_contacts()
            with session_scope(self.engine) as session:
                caps = {k: state.get_fact(session, k) for k in (FACT_EMAIL_EVENTS, FACT_WEB_EVENTS, FACT_FORMS)}
            if caps[FACT_EMAIL_EVENTS] == "yes":
                self.pull_email_events()
            if caps[FACT_WEB_EVENTS] == "yes":
                self.pull_web_events()
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
            self.reconcile_deleted()
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
            self.counts["seconds"] = round(time.monotonic() - started, 2)
            report.counts, report.api_calls = dict(self.counts), self.client.stats.calls
            report.planned, report.planned_tasks = self.planned, self.planned_tasks
            report.planned_flags = self.planned_flags
            with session_scope(self.engine) as session:
                state.finish_run(session, self.run_id, status=report.status, counts=report.counts,
                                 api_calls=report.api_calls, error=report.error)
            with session_scope(self.engine) as session:
                state.release_lease(session)
        return report

    def _quarantine(self, session, bad: BadRecordError) -> None:
        if store.quarantine(session, source=bad.source, record_id=bad.record_id, field=bad.field, error=str(bad),
                            run_id=self.run_id):
            self._add("quarantined", 1)

    def pull_contacts(self) -> None:
        """Contacts changed since the cursor; a page's rows and the advanced cursor commit together."""
        with session_scope(self.engine) as session:
            since = state.get_cursor(session, S.CONTACTS_STREAM) or S.EPOCH_FLOOR_MS
            forgotten = ForgottenFilter(session)
        self.progress("pulling contacts")
        for page in fetch_contact_pages(self.client, since, self.until_ms):
            with session_scope(self.engine) as session:
                self._add("contacts_pulled", store.save_contacts(session, forgotten.contacts(page.rows)))
                for bad in page.bad:
                    self._quarantine(session, bad)
                state.set_cursor(session, S.CONTACTS_STREAM, max(page.checkpoint_ms, since))

    def pull_email_events(self) -> None:
        with session_scope(self.engine) as session:
            since = state.get_cursor(session, S.EMAIL_EVENTS_STREAM) or self.floor_ms
            forgotten = ForgottenFilter(session)
        self.progress("pulling email events")
        start = max(since - S.EMAIL_EVENTS_OVERLAP_MS, self.floor_ms)
        for events, checkpoint in fetch_email_event_pages(self.client, start, self.until_ms):
            rows, names = [], {}
            with session_scope(self.engine) as session:
                for event in events:
                    try:
                        rows.extend(email_event_touchpoints(event, self.matcher))
                    except BadRecordError as bad:
                        self._quarantine(session, bad)
                    named = email_campaign_name(event)
                    if named:
                        names[named[0]] = named[1]
                rows = _deliveries_that_matter(session, rows)
                store.save_campaign_names(session, names)
                self._add("email_events_read", len(events))
                self._add("touchpoints_new", store.save_touchpoints(session, forgotten.touchpoints(rows)))
                state.set_cursor(session, S.EMAIL_EVENTS_STREAM, max(checkpoint, since))

    def pull_web_events(self) -> None:
        """Page views, per contact whose analytics rollup moved past its web cursor (the API is per object)."""
        with session_scope(self.engine) as session:
            todo = store.contacts_needing_web_pull(session, self.floor_ms, S.WEB_EVENTS_OVERLAP_MS)
        self.progress(f"pulling page views of {len(todo)} contacts")
        for contact_id, from_ms in todo:
            rows, bad_records = [], []
            for events in fetch_web_events(self.client, contact_id, from_ms, self.until_ms):
                for event in events:
                    try:
                        rows.extend(web_event_touchpoints(contact_id, event, self.matcher))
                    except BadRecordError as bad:
                        bad_records.append(bad)
            with session_scope(self.engine) as session:
                for bad in bad_records:
                    self._quarantine(session, bad)
                self._add("touchpoints_new", store.save_touchpoints(session, rows))
                store.set_web_cursor(session, contact_id, self.until_ms)
            self._add("web_contacts_read", 1)

    def pull_ats(self) -> None:
        """DESIGN step 3: the ATS after HubSpot, each stream from its own cursor; HubSpot owners for recruiters."""
        if self.settings.ats_kind == "none":
            return
        from connector.ats.pull import pull_ats
        from connector.hubspot.owners import fetch_owners
        from connector.state.ats_save import save_owners
        try:
            owners = list(fetch_owners(self.client))
        except AuthError as exc:     # no crm.objects.owners.read: recruiters stay unmapped, the pull goes on
            log.warning("HubSpot owners unavailable, recruiters are not mapped: %s", exc)
        else:
            with session_scope(self.engine) as session:
                save_owners(session, owners)
        for key, n in pull_ats(self.settings, self.engine, dt_to_ms(self.now), self.progress, self.run_id).items():
            self._add(key, n)

    def pull_forms(self) -> None:
        """Each form's submissions since its own cursor; the cursor moves when the walk reached it (newest first)."""
        ids = (self.settings.application_form_ids, self.settings.start_application_form_ids)
        forms = fetch_forms(self.client)
        if unknown := unknown_form_ids(forms, *ids):     # once per run, not fatal: the form may come later
            log.warning("form ids configured but not in the portal: %s", ", ".join(unknown))
            self._add("forms_unknown_configured", len(unknown))
        for form in forms:
            stream = S.FORMS_STREAM_PREFIX + form.guid
            with session_scope(self.engine) as session:
                since = state.get_cursor(session, stream)
            if form.archived and since is not None:
                continue    # read through once; an archived form takes no new submissions
            stop = max((since or 0) - S.FORM_SUBMISSIONS_OVERLAP_MS, self.floor_ms)
            for page in fetch_form_pages(self.client, form, stop, self.until_ms, self.matcher, *ids):
                with session_scope(self.engine) as session:
                    for bad in page.bad:
                        self._quarantine(session, bad)
                    self._add("form_submissions_read", page.read)
                    self._add("touchpoints_new", store.save_touchpoints(session, page.rows))
                    if page.done:
                        state.set_cursor(session, stream, max(self.until_ms, since or 0))

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
        self.progress("scoring")
        with session_scope(self.engine) as session:
            self._add("scored", rescore(session, self.model, self.now, self.settings.reasons_language))

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
        self.progress("creating recruiter tasks")
        drained = outbox.drain(self.engine, self.client)
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
        self.progress(f"writing {len(updates)} contacts")

        def commit(written):
            with session_scope(self.engine) as session:
                store.save_pushed(session, written)

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

    def reconcile_deleted(self) -> None:
        """Every RECONCILE_INTERVAL_HOURS: purge known contacts HubSpot no longer has (see hubspot/reconcile.py)."""
        if self.dry_run or not self.settings.reconcile_interval_hours:
            return
        now_ms = dt_to_ms(self.now)
        with session_scope(self.engine) as session:
            last = state.get_fact(session, FACT_RECONCILED_AT)
            if last is None:            # the first run pulled everything: start the clock
                state.set_fact(session, FACT_RECONCILED_AT, str(now_ms))
                return
            if now_ms - int(last) < self.settings.reconcile_interval_hours * 3600 * 1000:
                return
            known = store.live_contact_ids(session)
        self.progress(f"checking that {len(known)} contacts still exist in HubSpot")
        for missing in fetch_missing_contact_ids(self.client, known):
            with session_scope(self.engine) as session:
                for cid in missing:
                    purge_contact(session, cid, DELETED_IN_HUBSPOT)
            self._add("contacts_purged", len(missing))
        with session_scope(self.engine) as session:
            state.set_fact(session, FACT_RECONCILED_AT, str(now_ms))
            flush_freed_pages(session)
