"""`connector backfill --since DATE`: history in resumable windows, end to end through the CLI against the sandbox.

The kill tests break one thing and say what must survive: a backfill killed (kill -9 or SIGTERM) halfway resumes
from its last committed window and ends with the rows and the HubSpot state of an uninterrupted one.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.runs.backfill import window_ends

SEEDED_AT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
PINNED_NOW = (SEEDED_AT + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
SINCE = (SEEDED_AT - timedelta(days=40)).strftime("%Y-%m-%d")
EMAIL_EVENTS = "/email/public/v1/events"
SEARCH = "/crm/v3/objects/contacts/search"
DAY_MS = 24 * 3600 * 1000
WAIT_S = 90


def _json(result) -> dict:
    return json.loads([line for line in result.output.splitlines() if line.startswith("{")][-1])


def _fresh(sandbox, make_connector):
    sandbox.reset(seed=True, now=SEEDED_AT)
    conn = make_connector(sandbox)
    conn.env["CONNECTOR_PINNED_NOW"] = PINNED_NOW
    conn.run("setup")
    return conn


def _rows(conn) -> dict:
    """What the state holds: contacts, touchpoints and scores (ids and values, not run-local times)."""
    return {
        "contacts": conn.query("select id, email, modified_ms, web_last_ms, merged_into, archived from contact order by id"),
        "touchpoints": conn.query("select source, source_id, kind, contact_id, recipient, occurred_ms, key "
                                  "from touchpoint order by source, source_id, kind"),
        "scores": conn.query("select contact_id, value, band, touch_count from score order by contact_id"),
        "cursors": conn.query("select stream, value from cursor order by stream"),
    }


def _hubspot(sandbox) -> dict:
    contacts = {c["id"]: {k: v for k, v in c["properties"].items() if k.startswith("te_")} for c in sandbox.contacts()}
    return {"contacts": contacts, "tasks": len(sandbox.tasks())}


_CLEAN: dict = {}


def _clean_backfill(sandbox, make_connector) -> tuple[dict, dict]:
    if PINNED_NOW not in _CLEAN:
        conn = _fresh(sandbox, make_connector)
        report = _json(conn.run("backfill", "--since", SINCE, "--json"))
        assert report["status"] == "ok" and report["windows_pulled"] >= 40
        _CLEAN[PINNED_NOW] = (_rows(conn), _hubspot(sandbox))
        _CLEAN["windows"] = report["windows_pulled"]
    return _CLEAN[PINNED_NOW]


def _plan(conn) -> dict:
    raw = conn.query("select value from portalfact where key = 'backfill.plan'")
    return json.loads(raw[0][0]) if raw and raw[0][0] else {}


# (signal, request to die after, method, which one): mid-history, with windows before and after it
KILLS = [(signal.SIGKILL, EMAIL_EVENTS, "GET", 15), (signal.SIGTERM, EMAIL_EVENTS, "GET", 15),
         (signal.SIGKILL, SEARCH, "POST", 20)]


@pytest.mark.both_databases
@pytest.mark.parametrize("sig,path,method,nth", KILLS, ids=["kill-9-email-events", "sigterm-email-events",
                                                            "kill-9-contact-search"])
def test_killed_backfill_resumes_from_its_last_window_and_ends_with_the_same_rows(sandbox, make_connector, sig,
                                                                                 path, method, nth):
    expected_rows, expected_hubspot = _clean_backfill(sandbox, make_connector)
    conn = _fresh(sandbox, make_connector)
    # The nth matching request is served but its answer held: the process dies waiting, mid-history.
    sandbox.add_fault(kind="hang_after", delay_s=10, path_prefix=path, method=method, nth=nth)
    proc = subprocess.Popen([sys.executable, "-m", "connector", "backfill", "--since", SINCE],
                            env={**os.environ, **conn.environ()}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT_S
    while len([r for r in list(sandbox.requests) if r.path.startswith(path) and r.method == method and r.status]) < nth:
        assert proc.poll() is None, f"backfill ended before the kill point: {proc.communicate()[1]}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    beside = conn.run("sync", expect=None)       # while it runs: the lease keeps a sync out
    assert beside.exit_code != 0 and "holds the lease" in beside.output, beside.output
    proc.send_signal(sig)
    proc.wait(timeout=WAIT_S)
    sandbox.clear_faults()

    plan = _plan(conn)
    assert plan["since_ms"] < plan["done_ms"] < plan["until_ms"], plan        # halfway, windows committed
    refused = conn.run("sync", expect=None)
    assert refused.exit_code != 0 and f"connector backfill --since {SINCE}" in refused.output

    sandbox.requests.clear()
    report = _json(conn.run("backfill", "--since", SINCE, "--json"))
    assert report["status"] == "ok" and report["resumed"] == 1
    first_search = next(r for r in sandbox.requests if r.path == SEARCH)
    low = int(next(f["value"] for f in first_search.body["filterGroups"][0]["filters"] if f["operator"] == "GTE"))
    assert low >= plan["done_ms"] - DAY_MS          # from its last window, not from --since
    assert 0 < report["windows_pulled"] < _CLEAN["windows"]
    assert _rows(conn) == expected_rows
    assert _hubspot(sandbox) == expected_hubspot
    assert _plan(conn) == {}
    assert conn.sync_json()["status"] == "ok"      # syncs run again


def test_backfill_after_short_syncs_reads_the_older_history_and_ends_like_a_fresh_one(sandbox, make_connector):
    expected_rows, _hubspot_state = _clean_backfill(sandbox, make_connector)
    conn = _fresh(sandbox, make_connector)
    conn.env["INITIAL_LOOKBACK_DAYS"] = "3"
    conn.sync_json()
    before = conn.query("select count(*) from touchpoint")[0][0]
    report = _json(conn.run("backfill", "--since", SINCE, "--json"))
    assert report["status"] == "ok" and report["touchpoints_new"] > 0
    assert conn.query("select count(*) from touchpoint")[0][0] > before
    rows = _rows(conn)
    # the sync's writes moved those contacts' lastmodifieddate in HubSpot; everything else is as after a fresh one
    assert [c[:2] + c[3:] for c in rows.pop("contacts")] == [c[:2] + c[3:] for c in expected_rows["contacts"]]
    assert rows == {k: v for k, v in expected_rows.items() if k != "contacts"}


def test_backfill_never_skips_email_events_a_stale_cursor_had_not_reached(sandbox, make_connector):
    conn = _fresh(sandbox, make_connector)
    long_ago = SEEDED_AT - timedelta(days=20)
    conn.sync_json(CONNECTOR_PINNED_NOW=long_ago.strftime("%Y-%m-%dT%H:%M:%SZ"), INITIAL_LOOKBACK_DAYS="1")
    cursor = conn.query("select value from cursor where stream = 'hubspot.email_events'")[0][0]
    since = SEEDED_AT - timedelta(days=10)
    assert _json(conn.run("backfill", "--since", since.strftime("%Y-%m-%d"), "--json"))["status"] == "ok"
    since_ms = int(datetime.fromisoformat(since.strftime("%Y-%m-%d")).replace(tzinfo=UTC).timestamp() * 1000)
    gap = conn.query(f"select count(*) from touchpoint where source = 'email_event' and occurred_ms >= {cursor} "
                     f"and occurred_ms < {since_ms}")[0][0]
    assert gap > 0          # read from the stale cursor, not from --since


def test_backfill_over_25000_contacts_changed_in_one_day_gets_every_one(empty_sandbox, make_connector):
    connector = make_connector(empty_sandbox)
    day_start = (empty_sandbox.now_ms() - 2 * DAY_MS) // DAY_MS * DAY_MS + 3_600_000    # 01:00 UTC: one window
    for k in range(5):       # five imports in one day, two of them stamped in the same millisecond
        empty_sandbox.bulk_create_contacts(5_200, at_ms=day_start + 3_600_000 * (k if k != 4 else 3))
    connector.run("setup")
    since = datetime.fromtimestamp(day_start / 1000 - 3 * 86400, UTC).strftime("%Y-%m-%d")
    report = _json(connector.run("backfill", "--since", since, "--json", BACKFILL_WINDOW_HOURS="24"))
    assert report["status"] == "ok" and report["windows_pulled"] >= 5
    live = len(empty_sandbox.contacts())
    assert live == 26_000
    assert connector.query("select count(*) from contact") == [(live,)]
    assert connector.query("select count(*) from score") == [(live,)]
    assert report["scored"] == live
    assert connector.query("select kind, status from run order by id desc limit 1") == [("backfill", "ok")]


@pytest.mark.both_databases
def test_backfill_creates_no_tasks_or_flags_for_history_unless_notify(sandbox, make_connector):
    conn = _fresh(sandbox, make_connector)
    conn.env["ABANDONED_GRACE_MINUTES"] = "0"
    quiet = _json(conn.run("backfill", "--since", SINCE, "--json"))
    assert quiet["status"] == "ok" and quiet["tasks_created"] == 0 and quiet["abandoned_flagged"] == 0
    assert quiet["tasks_baselined"] > 0
    assert sandbox.tasks() == []
    assert not any(c["properties"].get("te_abandoned_job") for c in sandbox.contacts())
    later = conn.sync_json()           # the history stays a baseline for the syncs after it
    assert later["tasks_created"] == 0 and later["abandoned_flagged"] == 0 and sandbox.tasks() == []

    loud = _fresh(sandbox, make_connector)
    loud.env["ABANDONED_GRACE_MINUTES"] = "0"
    notified = _json(loud.run("backfill", "--since", SINCE, "--notify", "--json"))
    assert notified["tasks_created"] > 0 and notified["abandoned_flagged"] > 0
    assert len(sandbox.tasks()) == notified["tasks_created"]
    assert any(c["properties"].get("te_abandoned_job") for c in sandbox.contacts())


def test_backfill_takes_the_lease_and_prints_its_report(connector, sandbox):
    connector.run("setup")
    out = connector.run("backfill", "--since", SINCE).output
    assert "Backfill run 1: ok" in out and "windows pulled: " in out and "… backfill from" in out
    assert connector.query("select kind, status from run") == [("backfill", "ok")]
    db = sqlite3.connect(connector.db_path)
    db.execute("insert into lease (name, holder, expires_at) values ('portal', 'otherhost:1', '2999-01-01 00:00:00')")
    db.commit()
    held = connector.run("backfill", "--since", SINCE, expect=None)
    assert held.exit_code != 0 and "error: another run (otherhost:1) holds the lease" in held.output


def test_backfill_refuses_a_date_in_the_future(connector, sandbox):
    connector.run("setup")
    result = connector.run("backfill", "--since", "2999-01-01", expect=None)
    assert result.exit_code != 0 and "error: --since 2999-01-01 is not in the past" in result.output


@given(since=st.integers(0, 10**6), length=st.integers(1, 10**5), window=st.integers(100, 10**5),
       progress=st.floats(0, 1))
def test_windows_cover_the_rest_of_the_history_once_aligned_on_since(since, length, window, progress):
    until = since + length
    done = since + int(length * progress)
    ends = window_ends(since, done, until, window)
    if done >= until:
        assert ends == []
        return
    assert ends[-1] == until and ends == sorted(set(ends)) and ends[0] > done
    assert all((e - since) % window == 0 for e in ends[:-1])
    assert all(b - a <= window for a, b in zip([done, *ends], ends, strict=False))
