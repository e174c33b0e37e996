"""Bad records, merges, archives, scopes and rate limits: the run goes on, nothing is lost or sent twice."""

import json
import sqlite3
import subprocess
import sys
import time

import requests

BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"


def test_bad_email_event_is_quarantined_and_the_run_goes_on(connector, sandbox):
    connector.run("setup")
    sandbox.add_email_event(type="OPEN", recipient="not-an-address", emailCampaignId=4242)
    counts = connector.sync_json()
    assert counts["status"] == "ok" and counts["quarantined"] == 1
    assert counts["contacts_updated"] >= 200
    status = connector.run("status").output
    assert "recipient" in status and "email_event" in status


def test_merged_contact_is_folded_into_the_survivor(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    contacts = {c["id"]: c for c in sandbox.contacts()}
    fan = sandbox.seed_summary["segments"]["fan"][0]
    survivor = next(cid for cid, c in contacts.items() if c["properties"].get("email") == fan)
    absorbed = next(cid for cid, c in contacts.items()
                    if c["properties"].get("te_engagement_score") == "0" and cid != survivor)
    merged = sandbox.merge_contacts(survivor, absorbed)     # HubSpot's merge: a new record, a new id
    sandbox.requests.clear()
    counts = connector.sync_json()
    assert counts["status"] == "ok"
    pushed_ids = {i["id"] for r in sandbox.requests if r.path == BATCH_UPDATE for i in r.body["inputs"]}
    assert merged in pushed_ids and not pushed_ids & {survivor, absorbed}
    db = sqlite3.connect(connector.db_path)
    for old in (survivor, absorbed):
        assert db.execute("select merged_into from contact where id = ?", (old,)).fetchone()[0] == merged
        assert db.execute("select count(*) from score where contact_id = ?", (old,)).fetchone()[0] == 0
    assert db.execute("select count(*) from score where contact_id = ?", (merged,)).fetchone()[0] == 1


def test_contact_archived_in_hubspot_is_not_retried_forever(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    victim = next(c["id"] for c in sandbox.contacts() if c["properties"].get("te_engagement_score") == "0")
    sandbox.archive_contact(victim)
    sandbox.add_email_event(type="CLICK", recipient=sandbox.contact(victim)["email"], emailCampaignId=77,
                            url="https://careers.example.com/vacancies/data-engineer")
    first = connector.sync_json()
    assert first["status"] == "ok"
    sandbox.requests.clear()
    connector.sync_json()
    pushed_ids = {i["id"] for r in sandbox.requests if r.path == BATCH_UPDATE for i in r.body["inputs"]}
    assert victim not in pushed_ids


def test_missing_content_scope_disables_email_events_only(connector, sandbox):
    from connector.sandbox.hubspot import DEFAULT_SCOPES
    sandbox.scopes = DEFAULT_SCOPES - {"content"}
    try:
        out = connector.run("setup").output
        counts = connector.sync_json()
    finally:
        sandbox.scopes = DEFAULT_SCOPES
    assert "missing scope content" in out
    assert counts["status"] == "ok" and counts.get("email_events_read", 0) == 0
    assert not [r for r in sandbox.requests if r.path.startswith("/email/") and r.status == 403][1:]


def test_realistic_limits_give_zero_429s(empty_sandbox, make_connector):
    """Sandbox at tight limits (burst 15 per 10 s, 2 searches/s); a run that needs more must wait, never trip them."""
    empty_sandbox.bulk_create_contacts(600)
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    empty_sandbox.set_rate_limits(rate_limit=15, rate_window_s=10, search_rate_per_s=2)
    empty_sandbox.limiter.reset()               # setup's calls belong to another (earlier) window
    empty_sandbox.requests.clear()
    counts = conn.sync_json(HUBSPOT_RATE_LIMIT_PER_10S=15, HUBSPOT_SEARCH_RATE_PER_S=2)
    assert counts["status"] == "ok" and counts["contacts_updated"] == 600
    assert len(empty_sandbox.requests) > 15           # the burst budget really had to be waited for
    assert [r.path for r in empty_sandbox.requests if r.status == 429] == []


def test_sandbox_command_serves_hubspot_on_loopback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "connector", "sandbox", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split("HUBSPOT_BASE_URL=")[1].split()[0]
        token = line.split("HUBSPOT_ACCESS_TOKEN=")[1].split()[0]
        ok = requests.get(f"{url}/crm/v3/objects/contacts?limit=1", headers={"Authorization": f"Bearer {token}"},
                          timeout=5)
        denied = requests.get(f"{url}/crm/v3/objects/contacts?limit=1", timeout=5)
        assert ok.status_code == 200 and len(ok.json()["results"]) == 1
        assert denied.status_code == 401 and json.loads(denied.text)["category"] == "INVALID_AUTHENTICATION"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    time.sleep(0)


def test_daemon_runs_sync_on_an_interval(connector, sandbox):
    connector.run("setup")
    result = connector.run("daemon", "--interval-seconds", "0.5", "--max-runs", "2")
    assert "after 2 runs" in result.output
    db = sqlite3.connect(connector.db_path)
    assert [r[0] for r in db.execute("select status from run where kind = 'sync'")] == ["ok", "ok"]


def test_daemon_stops_on_a_rejected_token(connector, sandbox):
    connector.run("setup")
    sandbox.requests.clear()
    result = connector.run("daemon", "--interval-seconds", "0.2", "--max-runs", "5", expect=3,
                           HUBSPOT_ACCESS_TOKEN="pat-revoked")
    assert "HUBSPOT_ACCESS_TOKEN" in result.output
    assert len(sandbox.requests) == 1          # one refused call, then silence


def test_second_worker_on_the_same_portal_exits_with_a_clear_message(connector, sandbox):
    connector.run("setup")
    db = sqlite3.connect(connector.db_path)
    db.execute("insert into lease (name, holder, expires_at) values ('portal', 'worker-7.example:4242', "
               "'2999-01-01 00:00:00.000000')")
    db.commit()
    result = connector.run("sync", expect=4)
    assert "worker-7.example:4242" in result.output and "lease" in result.output
    assert not [r for r in sandbox.requests if "/objects/contacts" in r.path and r.method == "POST"]


def test_email_on_two_contacts_is_reported_not_guessed(connector, sandbox):
    fan = sandbox.seed_summary["segments"]["fan"][0]
    twin = sandbox.create_contact({"email": "twin@example.org", "hs_additional_emails": fan})
    connector.run("setup")
    counts = connector.sync_json()
    assert counts["ambiguous_emails"] == 1
    out = connector.run("status").output
    assert fan in out and twin in out
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select count(*) from touchpoint where recipient = ? and contact_id is not null",
                      (fan,)).fetchone()[0] == 0
