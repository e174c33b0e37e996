"""Contacts deleted in HubSpot and people who ask to be forgotten leave nothing personal behind locally."""

import json
import sqlite3
from pathlib import Path

from connector.sandbox.hs_admin import delete_contact_for_good

BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"
VACANCY = "https://careers.example.com/vacancies/data-engineer"


def _fan(sandbox):
    email = sandbox.seed_summary["segments"]["fan"][0]
    return next(c["id"] for c in sandbox.contacts() if c["properties"].get("email") == email), email


def _db_bytes(conn) -> bytes:
    return b"".join(p.read_bytes() for p in Path(conn.db_path).parent.glob(Path(conn.db_path).name + "*"))


def _pushed_ids(sandbox):
    return {i["id"] for r in sandbox.requests if r.path == BATCH_UPDATE for i in r.body["inputs"]}


def test_forget_removes_every_local_trace_and_blocks_later_writes(connector, sandbox):
    cid, email = _fan(sandbox)
    connector.run("setup")
    connector.sync_json()
    assert email.encode() in _db_bytes(connector)
    out = connector.run("forget", email.upper()).output
    assert "forgotten: 1 contact(s)" in out and "touchpoints" in out and "Nothing was deleted in HubSpot" in out
    assert email.encode() not in _db_bytes(connector)
    assert email in {c["properties"].get("email") for c in sandbox.contacts()}      # HubSpot untouched
    assert email not in connector.run("pool", "--top", "0").output
    assert connector.run("explain", email, expect=None).exit_code != 0
    sandbox.add_email_event(type="CLICK", recipient=email, emailCampaignId=9, url=VACANCY)
    sandbox.touch_contacts([cid])
    sandbox.requests.clear()
    connector.sync_json()
    assert cid not in _pushed_ids(sandbox) and email.encode() not in _db_bytes(connector)


def test_contact_deleted_in_hubspot_is_purged_within_one_cycle(connector, sandbox):
    cid, email = _fan(sandbox)
    connector.run("setup")
    connector.sync_json()
    sandbox.archive_contact(cid)
    sandbox.add_email_event(type="CLICK", recipient=email, emailCampaignId=77, url=VACANCY)  # makes a change to push
    counts = connector.sync_json()
    assert counts["contacts_purged"] == 1
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select count(*) from contact where id = ?", (cid,)).fetchone()[0] == 0
    assert db.execute("select count(*) from forgotten").fetchone()[0] >= 2
    assert email.encode() not in _db_bytes(connector)
    sandbox.requests.clear()
    connector.sync_json()
    assert cid not in _pushed_ids(sandbox)


def test_forget_of_an_unknown_email_reports_nothing_removed(connector, sandbox):
    connector.run("setup")
    assert "forgotten: 0 contact(s), no other data" in connector.run("forget", "nobody@example.org").output


def test_contact_deleted_without_changes_is_found_by_the_reconcile_not_the_sync(connector, sandbox):
    cid, email = _fan(sandbox)
    connector.run("setup")
    connector.sync_json()
    sandbox.archive_contact(cid)
    assert connector.sync_json().get("contacts_purged", 0) == 0       # the sync does not reconcile (the daemon does)
    counts = json.loads(connector.run("reconcile", "--json").output.strip().splitlines()[-1])
    assert counts["contacts_archived"] == 1
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select archived from contact where id = ?", (cid,)).fetchone()[0] == 1
    delete_contact_for_good(sandbox, cid)          # later emptied from HubSpot's recycle bin: purged locally
    counts = json.loads(connector.run("reconcile", "--json").output.strip().splitlines()[-1])
    assert counts["contacts_purged"] == 1
    assert db.execute("select count(*) from contact where id = ?", (cid,)).fetchone()[0] == 0
    assert email.encode() not in _db_bytes(connector)
