"""Clean stops (SIGTERM/SIGINT), runs left by killed processes, the lease heartbeat, takeover and `unlock`."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"
WAIT_S = 60          # generous safety net for a loaded CI machine; no assertion is about speed


def _spawn(conn, *args, **env):
    return subprocess.Popen([sys.executable, "-m", "connector", *args], env={**os.environ, **conn.environ(**env)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, proc=None):
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        assert proc is None or proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "condition never reached"
        time.sleep(0.05)


def _reached_push(sandbox):
    return lambda: any(r.path == BATCH_UPDATE for r in list(sandbox.requests))


def _runs(conn):
    return conn.query("select status from run where kind = 'sync' order by id")


def _leases(conn):
    return conn.query("select holder from lease")


@pytest.mark.parametrize("signame,code", [("SIGTERM", 0), ("SIGINT", 130)])
def test_signal_during_sync_commits_marks_interrupted_and_releases_the_lease(connector, sandbox, signame, code):
    sandbox.bulk_create_contacts(600)            # more batches than the three in flight
    connector.run("setup")
    sandbox.add_fault(kind="slow", delay_s=1.5, path_prefix=BATCH_UPDATE, count=50)
    proc = _spawn(connector, "sync")
    _wait_for(_reached_push(sandbox), proc)
    proc.send_signal(getattr(signal, signame))
    out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1].startswith(f"stopped: {signame} received") and "Traceback" not in err
    assert _runs(connector) == [("interrupted",)] and _leases(connector) == []
    # The batches in flight were finished and committed: the next run does not send them again.
    written_before = {i["id"] for r in list(sandbox.requests) if r.path == BATCH_UPDATE and r.status == 200
                      for i in r.body["inputs"]}
    sandbox.clear_faults()
    sandbox.requests.clear()
    assert connector.sync_json()["status"] == "ok"
    rewritten = {i["id"] for r in sandbox.requests if r.path == BATCH_UPDATE for i in r.body["inputs"]}
    assert written_before and not (written_before & rewritten)


def test_sigterm_stops_the_daemon_cleanly(connector, sandbox):
    connector.run("setup")
    proc = _spawn(connector, "daemon", "--interval-seconds", "0.3")
    _wait_for(lambda: len(_runs(connector)) >= 2, proc)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 0, err
    assert "running" not in {s for (s,) in _runs(connector)} and _leases(connector) == []


def test_run_left_by_a_killed_process_is_shown_and_closed_as_killed(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="slow", delay_s=3, path_prefix=BATCH_UPDATE)
    proc = _spawn(connector, "sync")
    _wait_for(_reached_push(sandbox), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _runs(connector) == [("running",)]
    status = connector.run("status").output
    assert "killed" in status and "running" not in status
    assert connector.sync_json()["status"] == "ok"
    assert _runs(connector) == [("killed",), ("ok",)]


@pytest.mark.both_databases
def test_heartbeat_keeps_a_long_run_leased_and_a_second_worker_out(connector, sandbox):
    """Two workers on one portal (one state DB, SQLite or PostgreSQL) never overlap."""
    connector.run("setup")
    sandbox.add_fault(kind="slow", delay_s=4, path_prefix=BATCH_UPDATE)
    proc = _spawn(connector, "sync", RUN_LEASE_SECONDS=1)
    _wait_for(lambda: _leases(connector) != [], proc)

    def expiry(default=None):
        rows = connector.query("select expires_at from lease")
        return rows[0][0] if rows else default
    first = expiry()
    _wait_for(lambda: expiry(first) > first, proc)
    _wait_for(_reached_push(sandbox), proc)
    second = connector.run("sync", expect=4, RUN_LEASE_SECONDS=1)      # long after the first lease span
    assert "holds the lease" in second.output
    proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 0 and _runs(connector)[0] == ("ok",)


def test_lease_of_a_dead_worker_on_another_host_is_taken_over(connector, sandbox):
    connector.run("setup")
    db = sqlite3.connect(connector.db_path)
    db.execute("insert into run (kind, started_at, status, counts, api_calls) values "
               "('sync', '2026-01-01 00:00:00.000000', 'running', '{}', 0)")
    db.execute("insert into lease (name, holder, expires_at) values ('portal', 'old-container-7f3a:1', "
               "'2000-01-01 00:00:00.000000')")
    db.commit()
    assert connector.sync_json()["status"] == "ok"
    assert _runs(connector) == [("killed",), ("ok",)]


def test_unlock_refuses_a_fresh_heartbeat_unless_forced(connector, sandbox):
    connector.run("setup")
    db = sqlite3.connect(connector.db_path)
    db.execute("insert into lease (name, holder, expires_at) values ('portal', 'worker-9.example:4242', "
               "'2999-01-01 00:00:00.000000')")
    db.commit()
    refused = connector.run("unlock", expect=4)
    assert refused.output.startswith("error: the lease of worker-9.example:4242 is fresh")
    assert _leases(connector) == [("worker-9.example:4242",)]
    assert "removed the run lease of worker-9.example:4242" in connector.run("unlock", "--force").output
    assert _leases(connector) == []
    assert "no run lease" in connector.run("unlock").output


def test_unlock_removes_a_lease_whose_heartbeat_stopped(connector, sandbox):
    connector.run("setup")
    db = sqlite3.connect(connector.db_path)
    db.execute("insert into lease (name, holder, expires_at) values ('portal', 'gone.example:1', "
               "'2000-01-01 00:00:00.000000')")
    db.commit()
    assert "removed the run lease of gone.example:1" in connector.run("unlock").output
