"""One sync run: pull (contacts, email events, web events) → resolve identities → score → push."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from connector import state, stopping, store
from connector.config import Settings
from connector.db import session_scope
from connector.errors import ConnectorError, DailyLimitError, StateError
from connector.heartbeat import LeaseHeartbeat
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
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
from connector.scores import desired_properties, rescore
from connector.scoring.config import load_model
from connector.scoring.vacancies import VacancyMatcher
from connector.stopping import StopRequestedError

log = logging.getLogger(__name__)
DAY_MS = 24 * 3600 * 1000
FACT_EMAIL_EVENTS = "capability.email_events"
FACT_WEB_EVENTS = "capability.web_analytics"
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


class Sync:
    """The steps of one run; each step commits before the next starts, so a crash loses at most the step in flight."""

    def __init__(self, settings: Settings, engine: Engine, client: HubSpotClient, *,
                 now: datetime | None = None, progress: Callable[[str], None] | None = None,
                 dry_run: bool = False):
        self.settings, self.engine, self.client = settings, engine, client
        self.dry_run = dry_run
        self.planned: dict[str, dict[str, str]] = {}
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
                caps = {k: state.get_fact(session, k) for k in (FACT_EMAIL_EVENTS, FACT_WEB_EVENTS)}
            if caps[FACT_EMAIL_EVENTS] == "yes":
                self.pull_email_events()
            if caps[FACT_WEB_EVENTS] == "yes":
                self.pull_web_events()
            self.resolve()
            stopping.check()
            self.score()
            stopping.check()
            self.push()
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
            report.planned = self.planned
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

    def resolve(self) -> None:
        with session_scope(self.engine) as session:
            for key, n in store.resolve_identities(session).items():
                self._add(key, n)

    def score(self) -> None:
        self.progress("scoring")
        with session_scope(self.engine) as session:
            self._add("scored", rescore(session, self.model, self.now))

    def push(self) -> None:
        """Write only values that differ from what was last written, 100 contacts per request."""
        with session_scope(self.engine) as session:
            desired = desired_properties(session, self.now)
            last = store.pushed_values(session, desired)
        updates = {}
        for cid, props in desired.items():
            changed = {k: v for k, v in props.items() if last.get(cid, {}).get(k) != v and k != "te_scored_at"}
            if changed:
                if "te_scored_at" in props:
                    changed["te_scored_at"] = props["te_scored_at"]
                updates[cid] = changed
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
