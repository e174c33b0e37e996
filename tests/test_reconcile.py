"""`connector reconcile`: HubSpot's contact ids against the local state, end to end through the CLI.

What HubSpot does behind the connector's back and the search stream never shows: a contact deleted for good,
one archived without any change, and one created with an old lastmodifieddate (behind the sync's cursor).
"""

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector.sandbox.hs_admin import delete_contact_for_good

OLD = int((datetime.now(UTC) - timedelta(days=400)).timestamp() * 1000)
LIST_PATH = "/crm/v3/objects/contacts"
BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"


def _id(sandbox, email):
    return next(c["id"] for c in sandbox.contacts() if c["properties"].get("email") == email)


def _json(result) -> dict:
    return json.loads([line for line in result.output.splitlines() if line.startswith("{")][-1])


def _db_bytes(conn) -> bytes:
    return b"".join(p.read_bytes() for p in Path(conn.db_path).parent.glob(Path(conn.db_path).name + "*"))


def _contact(conn, cid):
    return conn.query(f"select id, archived, merged_into from contact where id = '{cid}'")


@pytest.mark.both_databases
def test_reconcile_finds_deleted_archived_and_never_seen_contacts(connector, sandbox):
    fans = sandbox.seed_summary["segments"]["fan"]
    deleted_email, archived_email = fans[0], fans[1]
    deleted, archived = _id(sandbox, deleted_email), _id(sandbox, archived_email)
    connector.run("setup")
    connector.sync_json()
    delete_contact_for_good(sandbox, deleted)
    sandbox.archive_contact(archived)
    unseen = sandbox.create_contact({"email": "old.import@example.org", "firstname": "Old"}, at_ms=OLD)
    synced = connector.sync_json()
    assert synced["status"] == "ok" and synced.get("contacts_purged", 0) == 0     # the sync no longer reconciles
    assert _contact(connector, unseen) == [] and _contact(connector, deleted) != []

    sandbox.requests.clear()
    report = _json(connector.run("reconcile", "--json"))
    assert report["status"] == "ok"
    assert (report["contacts_fetched"], report["contacts_archived"], report["contacts_purged"]) == (1, 1, 1)
    assert report["reconcile_hubspot_ids"] == len(sandbox.contacts())
    assert report["reconcile_hubspot_archived_ids"] == sum(r.archived for r in sandbox.portal.records["contacts"].values())
    lists = [r for r in sandbox.requests if r.path == LIST_PATH]
    assert lists and all(len(r.query.get("properties", [""])[0]) < 100 for r in lists if r.query.get("properties"))
    assert {r.query.get("archived", ["false"])[0].lower() for r in lists} == {"true", "false"}

    assert _contact(connector, deleted) == [] and deleted_email.encode() not in _db_bytes(connector)
    assert _contact(connector, archived) == [(archived, 1, None)]
    assert _contact(connector, unseen) == [(unseen, 0, None)]
    runs = connector.query("select kind, status, counts from run order by id")
    assert runs[-1][:2] == ("reconcile", "ok") and json.loads(runs[-1][2])["contacts_purged"] == 1

    again = _json(connector.run("reconcile", "--json"))
    assert (again["contacts_fetched"], again["contacts_archived"], again["contacts_purged"]) == (0, 0, 0)
    sandbox.requests.clear()
    connector.sync_json()          # the fetched contact is scored and written like any other; the archived one never
    assert sandbox.contact(unseen).get("te_engagement_band") == "cold"
    written = {i["id"] for r in sandbox.requests if r.path == BATCH_UPDATE for i in r.body["inputs"]}
    assert unseen in written and archived not in written


def test_reconcile_prints_its_counts_and_records_them(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    delete_contact_for_good(sandbox, sandbox.contacts()[0]["id"])
    out = connector.run("reconcile").output
    assert "Reconcile run" in out and "ok" in out
    assert "contacts purged: 1" in out and "contacts fetched: 0" in out and "contacts archived: 0" in out
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select value from portalfact where key = 'reconcile.completed_ms'").fetchone()[0].isdigit()


def test_a_contact_merged_away_is_re_keyed_not_purged(connector, sandbox):
    survivor, merged = (c["id"] for c in sandbox.contacts()[:2])
    connector.run("setup")
    connector.sync_json()
    new_id = sandbox.merge_contacts(survivor, merged)     # HubSpot now merges into a record with a new id
    report = _json(connector.run("reconcile", "--json"))
    assert report["contacts_purged"] == 0 and report["contacts_merged"] >= 1
    assert _contact(connector, merged) == [(merged, 0, new_id)]
    assert _contact(connector, survivor) == [(survivor, 0, new_id)]
    assert _contact(connector, new_id) == [(new_id, 0, None)]


def test_reconcile_takes_the_run_lease(connector, sandbox):
    connector.run("setup")
    db = sqlite3.connect(connector.db_path)
    db.execute("insert into lease (name, holder, expires_at) values ('portal', 'otherhost:1', '2999-01-01 00:00:00')")
    db.commit()
    result = connector.run("reconcile", expect=None)
    assert result.exit_code != 0 and "error: another run (otherhost:1) holds the lease" in result.output
    assert connector.query("select count(*) from run where kind = 'reconcile'") == [(0,)]


def test_reconcile_skips_people_who_were_forgotten(connector, sandbox):
    email = sandbox.seed_summary["segments"]["fan"][0]
    cid = _id(sandbox, email)
    connector.run("setup")
    connector.sync_json()
    connector.run("forget", email)
    report = _json(connector.run("reconcile", "--json"))
    assert report["contacts_fetched"] == 0 and _contact(connector, cid) == []


def test_a_change_the_search_missed_behind_the_cursor_is_re_read(connector, sandbox):
    cid = sandbox.contacts()[0]["id"]
    connector.run("setup")
    connector.sync_json()
    local_ms = connector.query(f"select modified_ms from contact where id = '{cid}'")[0][0]
    cursor = connector.query("select value from cursor where stream = 'hubspot.contacts'")[0][0]
    # stamped between the local copy and the cursor: invisible to every later search from the cursor
    sandbox.touch_contacts([cid], at_ms=(local_ms + cursor) // 2, properties={"firstname": "Renamed"})
    connector.sync_json()
    assert connector.query(f"select first_name from contact where id = '{cid}'") != [("Renamed",)]
    report = _json(connector.run("reconcile", "--json"))
    assert report["contacts_refreshed"] == 1 and report["contacts_fetched"] == 0
    assert connector.query(f"select first_name from contact where id = '{cid}'") == [("Renamed",)]
    assert _json(connector.run("reconcile", "--json"))["contacts_refreshed"] == 0
