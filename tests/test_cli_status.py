"""`connector status` as an admin reads it: killed, interrupted and clean runs with local times and durations,
cursors as "x min ago", the lease and the capabilities; `status --json`; readable dry-run datetimes."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"
WAIT_S = 60          # a safety net for a loaded machine; nothing asserts speed
LOCAL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
EPOCH_MS = re.compile(r"=\d{13}\b")


def _spawn(conn, *args):
    return subprocess.Popen([sys.executable, "-m", "connector", *args], env={**os.environ, **conn.environ()},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_push(sandbox, proc):
    deadline = time.monotonic() + WAIT_S
    while not any(r.path == BATCH_UPDATE for r in list(sandbox.requests)):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sync never reached the push"
        time.sleep(0.05)


def _killed_interrupted_and_clean_runs(connector, sandbox):
    connector.run("setup")
    sandbox.bulk_create_contacts(600)
    sandbox.add_fault(kind="slow", delay_s=3, path_prefix=BATCH_UPDATE, count=50)
    proc = _spawn(connector, "sync")
    _wait_for_push(sandbox, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sandbox.requests.clear()
    proc = _spawn(connector, "sync")      # takes the dead run's lease over and closes that run as killed
    _wait_for_push(sandbox, proc)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=WAIT_S)
    sandbox.clear_faults()
    assert connector.sync_json()["status"] == "ok"
    rows = connector.query("select status from run where kind = 'sync' order by id")
    assert rows == [("killed",), ("interrupted",), ("ok",)]


def test_status_shows_killed_interrupted_and_clean_runs_with_human_times(connector, sandbox):
    _killed_interrupted_and_clean_runs(connector, sandbox)
    out = connector.run("status").output
    for shown in ("killed", "interrupted", "ok"):
        assert re.search(rf"│ {shown}\s", out), out
    assert len(LOCAL_TIME.findall(out)) >= 3 and re.search(r"just now|min ago", out)
    assert re.search(r"cursor hubspot\.contacts: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ \((just now|\d+ min ago)\)", out), out
    assert "lease: free" in out
    assert "capabilities seen by setup: " in out and "email_events yes" in out
    assert "\n" + "1" * 13 not in out and not re.search(r"cursor \S+: \d{13}", out)


@pytest.mark.both_databases
def test_status_json_parses_and_names_each_run_status(connector, sandbox):
    _killed_interrupted_and_clean_runs(connector, sandbox)
    data = json.loads(connector.run("status", "--json").output)
    assert [r["status"] for r in data["runs"] if r["kind"] == "sync"] == ["ok", "interrupted", "killed"]
    clean = data["runs"][0]
    assert clean["records"]["contacts"] > 0 and clean["property_updates"] > 0 and clean["seconds"] is not None
    assert clean["api_calls"] > 0 and clean["error"] is None
    contacts = next(c for c in data["cursors"] if c["stream"] == "hubspot.contacts")
    assert contacts["at"].endswith("+00:00") and contacts["ago"]
    assert data["lease"] is None and data["capabilities"]["email_events"] == "yes"
    assert isinstance(data["quarantined"], int)


@pytest.mark.both_databases
def test_status_shows_a_running_lease_holder_and_heartbeat(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="slow", delay_s=3, path_prefix=BATCH_UPDATE, count=50)
    proc = _spawn(connector, "sync")
    try:
        _wait_for_push(sandbox, proc)
        out = connector.run("status").output
        assert re.search(r"lease: held by \S+:\d+, heartbeat valid until \d{4}-", out), out
        assert "fresh: a run is in progress" in out and re.search(r"│ running\s", out)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=WAIT_S)


def test_dry_run_prints_te_datetimes_readably(connector, sandbox):
    connector.run("setup")
    out = connector.run("sync", "--dry-run").output
    assert "te_scored_at=" in out and LOCAL_TIME.search(out)
    assert not EPOCH_MS.search(out), out


def test_dry_run_with_nothing_to_change_prints_no_empty_table(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    out = connector.run("sync", "--dry-run").output
    assert "Planned updates" not in out and "no contact updates" in out


def test_sync_against_a_new_state_database_names_the_missing_setup_record(connector, make_connector, sandbox):
    connector.run("setup")
    fresh = make_connector(sandbox)           # same portal, a new DATABASE_URL
    result = fresh.run("sync", expect=None)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "state database" in lines[0] and "`connector setup`" in lines[0]
