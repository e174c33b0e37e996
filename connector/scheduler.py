"""The APScheduler daemon around sync: one run at a time, on an interval; no business logic."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from connector import stopping
from connector.errors import AuthError, ConnectorError, DailyLimitError
from connector.stopping import StopRequestedError

log = logging.getLogger(__name__)
JOB_ID = "sync"
POLL_S = 0.2


def run_daemon(run_once: Callable[[], object], *, interval_seconds: float, max_runs: int | None = None) -> int:
    """Run `run_once` now and then every interval until stopped; return the number of runs.

    A 401/403 stops the daemon: HubSpot asks apps to stop calling a portal whose token no longer works
    (certification feedback, reference quality-bar.md §1.3). A daily-limit stop or a transient failure is
    logged and the next interval tries again. SIGTERM/SIGINT (see stopping.py) let the run in progress stop
    cleanly, then the daemon exits.
    """
    scheduler = BackgroundScheduler(timezone="UTC")
    runs = {"n": 0, "fatal": None}
    done = threading.Event()

    def finish():
        scheduler.pause()         # no further run starts, whatever the interval
        done.set()

    def job():
        runs["n"] += 1
        try:
            run_once()
        except StopRequestedError:
            finish()
            return
        except AuthError as exc:
            runs["fatal"] = exc
            log.error("stopping the daemon: %s", exc)
            finish()
            return
        except DailyLimitError as exc:
            log.warning("%s; next try at the next interval", exc)
        except ConnectorError as exc:
            log.error("sync failed: %s; next try at the next interval", exc)
        if max_runs is not None and runs["n"] >= max_runs:
            finish()

    scheduler.add_job(job, "interval", seconds=interval_seconds, id=JOB_ID, max_instances=1, coalesce=True,
                      next_run_time=_now())
    scheduler.start()
    try:
        while not done.is_set() and not stopping.wait(POLL_S):
            pass
    finally:
        scheduler.shutdown(wait=True)      # a run in progress sees the stop at its next request and ends cleanly
    if runs["fatal"] is not None:
        raise runs["fatal"]
    stopping.check()
    return runs["n"]


def _now():
    from datetime import UTC, datetime
    return datetime.now(UTC)
