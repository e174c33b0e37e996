"""The daemon's schedule: sync every interval, reconcile every RECONCILE_INTERVAL_HOURS, the nightly rescore at
NIGHTLY_RESCORE_HOUR, one run at a time, one log line per run, and the next run as `connector status` shows it."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from connector.sandbox.hs_admin import delete_contact_for_good
from connector.scheduler import RunResult, Scheduled, run_daemon

WAIT_S = 90


def _run_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "connector.daemon" in line and " API calls" in line]


def _fact(conn, key):
    rows = conn.query(f"select value from portalfact where key = '{key}'")
    return rows[0][0] if rows else None


def test_daemon_runs_the_reconcile_when_due_with_its_own_log_line(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    delete_contact_for_good(sandbox, sandbox.contacts()[0]["id"])
    _set_fact(connector, "reconcile.completed_ms", "0")          # the last reconcile was long ago: due now
    out = connector.run("daemon", "--interval-seconds", "3600", "--max-runs", "2").output
    runs = connector.query("select id, kind, status from run order by id")[1:]     # after the first sync
    assert sorted((k, s) for _i, k, s in runs) == [("reconcile", "ok"), ("sync", "ok")]
    by_kind = {k: i for i, k, _s in runs}
    lines = _run_lines(out)
    assert len(lines) == 2
    sync_line = next(line for line in lines if f"run {by_kind['sync']} ok: " in line)
    reconcile_line = next(line for line in lines if f"reconcile run {by_kind['reconcile']} ok: " in line)
    assert "reconcile" not in sync_line and f"run={by_kind['sync']}:" in sync_line
    assert "contacts_purged=1" in reconcile_line and f"run={by_kind['reconcile']}:" in reconcile_line
    assert int(_fact(connector, "reconcile.completed_ms")) > 0


def test_daemon_without_reconcile_runs_only_syncs(connector, sandbox):
    connector.run("setup")
    _set_fact(connector, "reconcile.completed_ms", "0")
    connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2", RECONCILE_INTERVAL_HOURS="0")
    assert connector.query("select kind from run order by id") == [("sync",), ("sync",)]


def test_first_daemon_starts_the_reconcile_clock_instead_of_reconciling(connector, sandbox):
    connector.run("setup")
    connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2")
    assert connector.query("select kind from run order by id") == [("sync",), ("sync",)]
    assert int(_fact(connector, "reconcile.completed_ms")) > 0


def _set_fact(conn, key, value):
    import sqlalchemy as sa
    engine = sa.create_engine(conn.url)
    with engine.begin() as db:
        db.execute(sa.text("delete from portalfact where key = :k"), {"k": key})
        db.execute(sa.text("insert into portalfact (key, value, updated_at) values (:k, :v, :t)"),
                   {"k": key, "v": value, "t": datetime.now(UTC)})
    engine.dispose()


def _daemon_until_scheduled(conn, *args, **env):
    proc = subprocess.Popen([sys.executable, "-m", "connector", "daemon", *args],
                            env={**os.environ, **conn.environ(**env)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT_S
    while not (_fact(conn, "daemon.next_run_ms") or "").isdigit():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return proc


def _status(conn) -> dict:
    return json.loads(conn.run("status", "--json").output)


def test_status_shows_the_daemons_next_run_until_the_daemon_stops(connector, sandbox):
    connector.run("setup")
    proc = _daemon_until_scheduled(connector, "--interval-seconds", "3600")
    try:
        shown = _status(connector)
        at = datetime.fromisoformat(shown["next_run_at"])
        assert shown["next_run_kind"] == "sync"
        assert timedelta(minutes=55) < at - datetime.now(UTC) < timedelta(minutes=61)
        assert "next scheduled run: sync " in connector.run("status").output
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=WAIT_S) == 0
    assert _status(connector)["next_run_at"] is None
    assert "next scheduled run" not in connector.run("status").output


def test_the_nightly_rescore_is_scheduled_at_its_hour_in_the_portals_time_zone(connector, sandbox):
    connector.run("setup")
    zone = ZoneInfo(_fact(connector, "portal.time_zone"))
    # the next full hour at least 5 minutes away (so it cannot pass while the daemon starts), before the next sync
    due = (datetime.now(zone) + timedelta(minutes=65)).replace(minute=0, second=0, microsecond=0)
    proc = _daemon_until_scheduled(connector, "--interval-seconds", "10800", NIGHTLY_RESCORE_HOUR=due.hour)
    try:
        shown = _status(connector)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT_S)
    assert shown["next_run_kind"] == "rescore"
    assert datetime.fromisoformat(shown["next_run_at"]) == due.astimezone(UTC)


def test_rescore_rescores_every_contact_and_records_its_run(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    out = connector.run("rescore", "--json").output
    report = json.loads(out.strip().splitlines()[-1])
    live = connector.query("select count(*) from contact where archived = 0 and merged_into is null")[0][0]
    assert report["status"] == "ok" and report["scored"] == live > 0
    assert report.get("contacts_updated", 0) == 0          # nothing changed since the sync: nothing written
    assert connector.query("select kind, status from run order by id desc limit 1") == [("rescore", "ok")]


def test_scheduled_runs_never_overlap_and_each_logs_its_kind(caplog):
    """The scheduler alone (stub runs): a sync and a due rescore both run, one after the other."""
    active, overlaps, order = [0], [], []
    lock = threading.Lock()

    def run(kind):
        def go():
            with lock:
                active[0] += 1
                overlaps.append(active[0])
            time.sleep(0.2)
            with lock:
                active[0] -= 1
            order.append(kind)
            return RunResult(len(order), "ok", 1, {}, kind=kind)
        return go

    seen = []
    caplog.set_level("INFO", logger="connector.daemon")
    n = run_daemon(run("sync"), interval_seconds=3600, max_runs=2,
                   others=[Scheduled("rescore", run("rescore"), "date", {"run_date": datetime.now(UTC)})],
                   on_schedule=lambda when, kind: seen.append((when, kind)))
    assert n == 2 and sorted(order) == ["rescore", "sync"] and max(overlaps) == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "connector.daemon"]
    assert any(line.startswith("rescore run ") for line in lines)
    assert seen[-1] == (None, None)          # cleared when the daemon stopped
