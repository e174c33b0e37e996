"""The APScheduler daemon around sync: one run at a time (the sync on an interval, the daily reconcile and the
nightly rescore on their own triggers), one log line per run; no business logic."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from connector import stopping
from connector.errors import AuthError, ConnectorError, DailyLimitError
from connector.stopping import StopRequestedError

log = logging.getLogger("connector.daemon")
JOB_ID = "sync"
POLL_S = 0.2
MAX_BACKOFF_FACTOR = 8       # a failing portal is retried at most 8 intervals apart
KEY_COUNTS = ("contacts_pulled", "contacts_updated", "email_events_read", "form_submissions_read", "scored",
              "tasks_created", "abandoned_flagged", "ats_applications_pulled", "quarantined", "push_failed",
              "contacts_fetched", "contacts_archived", "contacts_purged", "windows_pulled")


@dataclass
class RunResult:
    """What the daemon logs of one run: ids, counts and statuses only (never emails, names or bodies)."""

    run_id: int | None
    status: str
    api_calls: int = 0
    counts: dict = field(default_factory=dict)
    error: ConnectorError | None = None
    daily_limit: int | None = None
    daily_remaining: int | None = None
    kind: str = "sync"


@dataclass(frozen=True)
class Scheduled:
    """A run besides the sync: its job id (its run kind), what runs it, and an APScheduler trigger with its
    keyword arguments (e.g. "interval", {"hours": 24, "next_run_time": ...} or "cron", {"hour": 3, ...})."""

    name: str
    run: Callable[[], RunResult]
    trigger: str
    trigger_args: dict = field(default_factory=dict)


def run_line(result: RunResult) -> str:
    """`run 12 ok: 40 API calls, contacts_read=3 ...`: the one line the daemon logs per run."""
    counts = " ".join(f"{k}={result.counts[k]}" for k in KEY_COUNTS if result.counts.get(k))
    line = f"run {result.run_id or '-'} {result.status}: {result.api_calls} API calls"
    line = line if result.kind == "sync" else f"{result.kind} {line}"
    line += f", {counts}" if counts else ""
    return line + (f"; {result.error}" if result.error is not None else "")


def budget_used(result: RunResult, share: float) -> bool:
    """True when this portal's calls today reach `share` of its daily limit (HubSpot's X-HubSpot-RateLimit-Daily*)."""
    if not result.daily_limit or result.daily_remaining is None:
        return False
    return result.daily_limit - result.daily_remaining >= share * result.daily_limit


def next_midnight(now: datetime, tz: tzinfo | None) -> datetime:
    """When HubSpot's daily limit resets: midnight in the portal's time zone (UTC when unknown)."""
    local = now.astimezone(tz or UTC)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo).astimezone(UTC)


def backoff_seconds(interval_seconds: float, failures: int) -> float:
    """Wait before the next try after `failures` failed runs in a row: the interval, doubled each time, bounded."""
    return interval_seconds * min(2 ** max(failures - 1, 0), MAX_BACKOFF_FACTOR)


def run_daemon(run_once: Callable[[], RunResult], *, interval_seconds: float, max_runs: int | None = None,
               budget_share: float = 1.0, time_zone: tzinfo | None = None, others: Sequence[Scheduled] = (),
               on_schedule: Callable[[datetime | None, str | None], None] | None = None) -> int:
    """Run `run_once` now and then every interval until stopped; return the number of runs.

    A 401/403 stops the daemon: HubSpot asks apps to stop calling a portal whose token no longer works
    (certification feedback, reference quality-bar.md §1.3). A failed run is recorded and tried again after
    the interval, doubled per failure in a row up to MAX_BACKOFF_FACTOR. When the day's calls reach
    `budget_share` of the portal's daily limit, runs pause until the limit resets. SIGTERM/SIGINT (see
    stopping.py) let the run in progress stop cleanly, then the daemon exits. `others` run on their own
    triggers, never beside another run (one worker thread); `on_schedule(when, kind)` hears of the next run
    after each run, and (None, None) when the daemon stops.
    """
    scheduler = BackgroundScheduler(timezone="UTC", executors={"default": ThreadPoolExecutor(1)},
                                    job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
    runs = {"n": 0, "fatal": None, "failures": 0, "not_before": 0.0, "paused_until": None}
    done, ran = threading.Event(), threading.Event()

    def finish():
        scheduler.pause()         # no further run starts, whatever the interval
        done.set()

    def announce():
        if on_schedule is None or done.is_set():
            return
        upcoming = [(j.next_run_time, j.id) for j in scheduler.get_jobs() if j.next_run_time is not None]
        when, kind = min(upcoming) if upcoming else (None, None)
        if when is not None and runs["paused_until"] is not None and when < runs["paused_until"]:
            when = runs["paused_until"]
        on_schedule(when, kind)

    def job(run_once=run_once, sync=True):
        if (sync and time.monotonic() < runs["not_before"]) or (
                runs["paused_until"] is not None and datetime.now(UTC) < runs["paused_until"]):
            log.debug("run skipped: backing off or paused")
            return
        runs["n"] += 1
        result = run_once()
        try:
            _after(result, sync)
        finally:
            ran.set()       # announced by the main thread: get_jobs() here could deadlock with shutdown()

    def _after(result: RunResult, sync: bool):
        if isinstance(result.error, StopRequestedError):
            finish()
            return
        level = logging.INFO if result.error is None else logging.WARNING
        if result.error is not None and not isinstance(result.error, DailyLimitError):
            level = logging.ERROR
        log.log(level, run_line(result), extra={"run_id": result.run_id})
        if isinstance(result.error, AuthError):
            runs["fatal"] = result.error
            log.error("stopping the daemon: the token was refused")
            finish()
            return
        if not sync:
            pass        # a failed reconcile or rescore waits for its next trigger; the sync's backoff is its own
        elif result.error is not None and not isinstance(result.error, DailyLimitError):
            runs["failures"] += 1
            wait = backoff_seconds(interval_seconds, runs["failures"])
            runs["not_before"] = time.monotonic() + wait - interval_seconds
            log.warning("next try in %.1f s (failure %d in a row)", wait, runs["failures"])
        else:
            runs["failures"], runs["not_before"] = 0, 0.0
        if isinstance(result.error, DailyLimitError) or budget_used(result, budget_share):
            runs["paused_until"] = next_midnight(datetime.now(UTC), time_zone)
            log.warning("daily API budget used (%s of %s calls, DAILY_API_BUDGET_SHARE=%s): paused until %s",
                        (result.daily_limit or 0) - (result.daily_remaining or 0), result.daily_limit or "?",
                        budget_share, runs["paused_until"].isoformat(timespec="minutes"))
        if max_runs is not None and runs["n"] >= max_runs:
            finish()

    scheduler.add_job(job, "interval", seconds=interval_seconds, id=JOB_ID, next_run_time=datetime.now(UTC))
    for other in others:
        scheduler.add_job(job, other.trigger, kwargs={"run_once": other.run, "sync": False}, id=other.name,
                          **other.trigger_args)
    scheduler.start()
    try:
        while not done.is_set() and not stopping.wait(POLL_S):
            if ran.is_set():
                ran.clear()
                announce()
    finally:
        scheduler.shutdown(wait=True)      # a run in progress sees the stop at its next request and ends cleanly
        if on_schedule is not None:
            on_schedule(None, None)
    if runs["fatal"] is not None:
        raise runs["fatal"]
    stopping.check()
    return runs["n"]


def portal_time_zone(engine) -> tzinfo | None:
    """The portal's time zone as `connector setup` recorded it (None when unknown)."""
    from zoneinfo import ZoneInfo

    from connector import state
    from connector.db import session_scope
    from connector.outbox import FACT_TIME_ZONE
    with session_scope(engine) as session:
        zone = state.get_fact(session, FACT_TIME_ZONE)
    try:
        return ZoneInfo(zone) if zone else None
    except (ValueError, KeyError):
        return None
