"""The daemon's own log lines: one per run with its id and status, APScheduler quiet, JSON for shippers, no PII."""

import json
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from connector.scheduler import MAX_BACKOFF_FACTOR, RunResult, backoff_seconds, budget_used, next_midnight

SENTINEL = "sentinel-7f3a9c@example.org"


def _run_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "connector.daemon" in line and " API calls" in line]


def test_daemon_logs_one_line_per_run_and_nothing_from_apscheduler(connector, sandbox):
    connector.run("setup")
    out = connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2").output
    lines = _run_lines(out)
    db = sqlite3.connect(connector.db_path)
    run_ids = [r[0] for r in db.execute("select id from run where kind = 'sync' order by id")]
    assert len(lines) == 2 and len(run_ids) == 2
    for line, run_id in zip(lines, run_ids, strict=True):
        assert f"run {run_id} ok: " in line and f"run={run_id}:" in line
    assert "apscheduler" not in out and "executed successfully" not in out and "Added job" not in out


def test_failed_run_logs_failed_and_the_next_interval_retries(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(status=400, path_prefix="/crm/v3/objects/contacts/search")
    out = connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2").output
    db = sqlite3.connect(connector.db_path)
    runs = list(db.execute("select id, status from run where kind = 'sync' order by id"))
    assert [status for _id, status in runs] == ["failed", "ok"]
    lines = _run_lines(out)
    assert len(lines) == 2
    assert f"run {runs[0][0]} failed: " in lines[0] and f"run {runs[1][0]} ok: " in lines[1]
    assert "executed successfully" not in out


def test_json_log_lines_parse_and_carry_the_run_id(connector, sandbox):
    connector.run("setup")
    out = connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2", LOG_FORMAT="json").output
    log_lines = [line for line in out.splitlines() if line.startswith("{")]
    parsed = [json.loads(line) for line in log_lines]
    runs = [p for p in parsed if p["logger"] == "connector.daemon" and " API calls" in p["message"]]
    assert len(runs) == 2 and all(isinstance(p["run_id"], int) for p in runs)
    assert {"time", "level", "logger", "run_id", "message"} <= set(parsed[0])
    assert [line for line in out.splitlines() if line and not line.startswith("{")] == ["daemon stopped after 2 runs"]


def test_a_contacts_email_never_reaches_the_log(connector, sandbox):
    sandbox.create_contact({"email": SENTINEL, "firstname": "Sentinel"})
    sandbox.add_email_event(type="CLICK", recipient=SENTINEL, emailCampaignId=4242, url="not a url")
    connector.run("setup")
    out = connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2", LOG_LEVEL="debug").output
    assert len(_run_lines(out)) == 2
    assert SENTINEL not in out and "Sentinel" not in out


def test_daily_budget_used_up_pauses_the_daemon_with_a_message(connector, sandbox):
    connector.run("setup")
    sandbox.set_rate_limits(daily_limit=1_000_000)
    out = connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "1",
                        DAILY_API_BUDGET_SHARE="0.000001").output
    assert "daily API budget used" in out and "DAILY_API_BUDGET_SHARE=1e-06" in out and "paused until" in out


def test_backoff_doubles_per_failure_and_is_bounded():
    assert [backoff_seconds(10, n) for n in (1, 2, 3, 4, 5, 50)] == [10, 20, 40, 80, 80, 80]
    assert backoff_seconds(10, 50) == 10 * MAX_BACKOFF_FACTOR


def test_budget_counts_the_days_calls_against_the_share():
    assert budget_used(RunResult(1, "ok", daily_limit=1000, daily_remaining=500), 0.5)
    assert not budget_used(RunResult(1, "ok", daily_limit=1000, daily_remaining=501), 0.5)
    assert not budget_used(RunResult(1, "ok"), 0.5)           # no daily headers seen: no pause


def test_the_pause_ends_at_the_portals_midnight():
    now = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    assert next_midnight(now, None) == datetime(2026, 3, 2, tzinfo=UTC)
    assert next_midnight(now, ZoneInfo("Europe/Amsterdam")) == datetime(2026, 3, 1, 23, tzinfo=UTC)
