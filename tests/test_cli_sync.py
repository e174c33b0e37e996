"""`connector sync` end to end against the sandbox: scores land in HubSpot, re-runs write nothing, faults survive."""

import sqlite3

import pytest

from connector.hubspot.properties import BANDS, PROPERTY_NAMES

SCORE_PROPS = ("te_engagement_score", "te_engagement_band", "te_score_model", "te_last_engaged_at")


def _hubspot_scores(sandbox):
    return {c["id"]: {p: c["properties"].get(p) for p in SCORE_PROPS} for c in sandbox.contacts()
            if c["properties"].get("te_engagement_band")}


def _batch_updates(sandbox):
    return [r for r in sandbox.requests if r.method == "POST" and r.path == "/crm/v3/objects/contacts/batch/update"]


@pytest.mark.both_databases
def test_sync_scores_the_pool_and_second_sync_writes_nothing(connector, sandbox):
    connector.run("setup")
    first = connector.sync_json()
    live = [c for c in sandbox.contacts() if not c.get("archived")]
    scores = _hubspot_scores(sandbox)
    assert first["status"] == "ok"
    assert len(scores) == len(live) >= 200
    assert {s["te_engagement_band"] for s in scores.values()} == set(BANDS)
    for s in scores.values():
        assert 0 <= int(s["te_engagement_score"]) <= 100

    written = {k for r in _batch_updates(sandbox) for i in r.body["inputs"] for k in i["properties"]}
    assert written <= PROPERTY_NAMES            # the connector writes only its own te_* properties

    sandbox.requests.clear()
    second = connector.sync_json()
    assert second["property_values_written"] == 0
    assert second["batch_update_requests"] == 0
    assert _batch_updates(sandbox) == []
    assert _hubspot_scores(sandbox) == scores


def test_every_route_the_connector_calls_is_served(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    unrouted = {(r.method, r.path) for r in sandbox.requests if not r.routed}
    assert unrouted == set()
    assert all(r.status < 400 for r in sandbox.requests), [(r.path, r.status) for r in sandbox.requests if r.status >= 400]


def test_sync_before_setup_says_what_to_do(connector):
    result = connector.run("sync", expect=4)
    assert "connector setup" in result.output


def test_250_changes_make_exactly_three_batch_updates(empty_sandbox, make_connector):
    empty_sandbox.bulk_create_contacts(250)
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    counts = conn.sync_json()
    batches = _batch_updates(empty_sandbox)
    assert sorted(len(r.body["inputs"]) for r in batches) == [50, 100, 100]
    assert counts["contacts_updated"] == 250


def test_search_restarts_before_10k_cap_with_10500_same_millisecond_contacts(empty_sandbox, make_connector):
    empty_sandbox.bulk_create_contacts(10_500)
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    counts = conn.sync_json()
    searches = [r for r in empty_sandbox.requests if r.path.endswith("/contacts/search")]
    assert counts["status"] == "ok"
    assert all(int((r.body or {}).get("after") or 0) < 10_000 for r in searches)
    assert all(r.status == 200 for r in searches)
    db = sqlite3.connect(conn.db_path)
    assert db.execute("select count(*) from contact").fetchone()[0] == 10_500
    assert len(_hubspot_scores(empty_sandbox)) == 10_500


def test_429_with_retry_after_is_honoured(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="status", status=429, retry_after=2, policy="TEN_SECONDLY_ROLLING",
                      path_prefix="/crm/v3/objects/contacts/batch/update")
    counts = connector.sync_json()
    assert counts["status"] == "ok"
    statuses = [r.status for r in _batch_updates(sandbox)]
    assert statuses[0] == 429 and statuses[1] == 200
    assert counts["seconds"] >= 2


def test_5xx_is_retried(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="status", status=503, count=2, path_prefix="/crm/v3/objects/contacts/search")
    counts = connector.sync_json()
    searches = [r.status for r in sandbox.requests if r.path.endswith("/contacts/search")]
    assert searches[:3] == [503, 503, 200]
    assert counts["status"] == "ok"


def test_timeout_is_retried(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="timeout", delay_s=2, path_prefix="/crm/v3/objects/contacts/batch/update")
    counts = connector.sync_json(HUBSPOT_TIMEOUT_SECONDS="1")
    assert counts["status"] == "ok"
    assert len(_hubspot_scores(sandbox)) >= 200


@pytest.mark.both_databases
def test_daily_limit_stops_cleanly_and_resumes(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="status", status=429, policy="DAILY", path_prefix="/email/public/v1/events", count=100)
    result = connector.run("sync", expect=75)
    assert "daily" in result.output.lower()
    assert connector.query("select status from run order by id desc")[0] == ("stopped",)
    assert connector.query("select count(*) from contact")[0][0] >= 200          # the contacts step was kept
    sandbox.clear_faults()
    assert connector.sync_json()["status"] == "ok"
    assert len(_hubspot_scores(sandbox)) >= 200


def test_token_never_reaches_output_or_state_db(connector, sandbox):
    out = connector.run("setup").output + connector.run("sync").output + connector.run("status").output
    assert sandbox.token not in out
    import glob
    for path in glob.glob(connector.db_path + "*"):      # the DB and its -wal/-shm sidecars
        with open(path, "rb") as fh:
            assert sandbox.token.encode() not in fh.read(), path


def test_late_email_event_inside_the_overlap_is_still_counted(connector, sandbox):
    """An event that shows up after the run that covered its timestamp is re-read by the next run's overlap."""
    connector.run("setup")
    connector.sync_json()
    cold = next(c for c in sandbox.contacts() if c["properties"].get("te_engagement_score") == "0"
                and c["properties"].get("email"))
    import time as _time
    late_ms = int(_time.time() * 1000) - 30 * 60 * 1000          # happened 30 minutes ago, arrives only now
    sandbox.add_email_event(type="CLICK", recipient=cold["properties"]["email"], emailCampaignId=99, created=late_ms,
                            url="https://careers.example.com/vacancies/data-engineer")
    counts = connector.sync_json()
    assert counts["touchpoints_new"] == 1
    assert int(sandbox.contact(cold["id"])["te_engagement_score"]) > 0


def test_dry_run_writes_nothing_then_the_real_run_writes_it_all(connector, sandbox):
    connector.run("setup")
    out = connector.run("sync", "--dry-run").output
    assert "nothing was written" in out and "would get" in out
    assert _batch_updates(sandbox) == []
    assert _hubspot_scores(sandbox) == {}
    counts = connector.sync_json()
    assert counts["contacts_updated"] >= 200
