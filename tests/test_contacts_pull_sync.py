"""The contacts pull end to end: search finds ids, batch/read reads them; an import of 12,000 contacts stamped with
one millisecond arrives whole and once; contacts changed mid-sync, and writes search has not indexed yet, arrive
with a later sync; merged and deleted contacts on the way are handled."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from connector.config import Settings
from connector.hubspot import streams as S

BATCH_READ = "/crm/v3/objects/contacts/batch/read"
SEARCH = "/crm/v3/objects/contacts/search"


def _since(sandbox, mark: int):
    return sandbox.requests[mark:]


def _read_ids(requests) -> list[str]:
    return [i["id"] for r in requests if r.path == BATCH_READ for i in r.body["inputs"]]


def _local(connector) -> dict[str, tuple]:
    return {cid: (email, first) for cid, email, first in connector.query(
        "select id, email, first_name from contact where merged_into is null and not archived")}


def _remote(sandbox) -> dict[str, tuple]:
    return {c["id"]: (c["properties"].get("email"), c["properties"].get("firstname")) for c in sandbox.contacts()}


def _pinned(sandbox) -> str:
    return datetime.fromtimestamp(sandbox.now_ms() / 1000, UTC).isoformat()


def test_an_import_of_12000_contacts_in_one_millisecond_is_pulled_whole_and_once(connector, empty_sandbox):
    sandbox = empty_sandbox
    sandbox.create_contact({"email": "before.import@example.org", "firstname": "Before"})
    connector.run("setup")
    connector.sync_json()
    stamp = sandbox.now_ms() - 1
    ids = sandbox.bulk_create_contacts(12_000, at_ms=stamp)
    sandbox.touch_contacts(ids[:3], at_ms=stamp + 1)      # a few just after the import's millisecond
    mark = len(sandbox.requests)
    started = time.monotonic()
    counts = connector.sync_json("--dry-run")     # the pull is real; only writing 12,000 scores back is left out
    took = time.monotonic() - started
    requests = _since(sandbox, mark)
    read = Counter(_read_ids(requests))
    assert set(ids) <= set(read) and max(read.values()) == 1, "every imported contact read, none twice"
    assert counts["status"] == "ok" and counts["contacts_pulled"] == len(read)      # the import + the one re-written
    assert connector.sync_json("--dry-run")["contacts_pulled"] <= 3 + 1, "the cursor moved past the import"
    searches = [r for r in requests if r.path == SEARCH]
    assert all(r.status == 200 for r in requests if r.path in (SEARCH, BATCH_READ))
    assert all(r.body["properties"] == S.CONTACT_PAGING_PROPERTIES and "after" not in r.body for r in searches)
    assert all(len(r.body["inputs"]) <= 100 and set(S.CONTACT_PROPERTIES) <= set(r.body["properties"])
               and "properties" not in r.query
               for r in requests if r.path == BATCH_READ)
    assert len(_local(connector)) == 12_001
    print(f"12,000-contact sync took {took:.1f} s")      # shown with -s; the pull itself is not timed


def test_contacts_changed_between_two_pages_arrive_with_the_next_sync(connector, sandbox):
    connector.run("setup")
    contacts = sorted(sandbox.contacts(), key=lambda c: c["properties"]["lastmodifieddate"])
    assert len(contacts) > S.SEARCH_PAGE_SIZE, "the seed needs two pages"
    early, late = contacts[0]["id"], contacts[-1]["id"]      # one read on the first page, one due on the last
    fired = []

    def change_mid_sync(n):
        if not fired:
            fired.append(n)
        elif n == fired[0] + 1 and len(fired) == 1:         # between the first and second search of the sync
            fired.append(n)
            sandbox.touch_contacts([early, late], properties={"firstname": "Changed"})
    sandbox.on_search(change_mid_sync)
    first = connector.sync_json()
    assert first["status"] == "ok" and len(fired) == 2
    local = _local(connector)
    assert local[early][1] != "Changed" and local.get(late, (None, None))[1] != "Changed"
    connector.sync_json()
    assert _local(connector) == _remote(sandbox)


def test_with_search_lagging_writes_the_default_sync_lag_loses_nothing(connector, sandbox):
    assert Settings().sync_lag_seconds == 60            # the default, used below
    lag = {"SYNC_LAG_SECONDS": "60"}
    sandbox.set_search_lag(20)                          # search sees a write 20 s after it (HubSpot: "seconds")
    connector.run("setup")
    sandbox.advance_clock(90)
    connector.sync_json(CONNECTOR_PINNED_NOW=_pinned(sandbox), **lag)
    ids = [c["id"] for c in sandbox.contacts()]
    new = sandbox.create_contact({"email": "new.during.lag@example.org", "firstname": "New"})
    sandbox.touch_contacts([ids[0]], properties={"firstname": "Edited"})
    merged_into = sandbox.merge_contacts(ids[1], ids[2])    # a new id; search still has both old ids for 20 s
    fired = []

    def change_mid_sync(n):
        if not fired:
            fired.append(n)
            sandbox.touch_contacts([ids[4]], properties={"firstname": "Mid-sync"})
    sandbox.on_search(change_mid_sync)
    for _ in range(3):
        sandbox.advance_clock(90)
        counts = connector.sync_json(CONNECTOR_PINNED_NOW=_pinned(sandbox), **lag)
        assert counts["status"] == "ok" and counts.get("quarantined", 0) == 0
    local = _local(connector)
    assert local == _remote(sandbox)
    assert local[new] == ("new.during.lag@example.org", "New") and local[ids[0]][1] == "Edited"
    assert local[ids[4]][1] == "Mid-sync" and ids[1] not in local and ids[2] not in local and merged_into in local
    for old in ids[1:3]:
        assert connector.query(f"select merged_into from contact where id = '{old}'") == [(merged_into,)]


def test_a_merged_away_id_read_by_batch_read_becomes_an_alias_of_its_survivor(connector, sandbox):
    sandbox.set_search_lag(30)
    connector.run("setup")
    sandbox.advance_clock(60)
    survivor, merged = (c["id"] for c in sandbox.contacts()[:2])
    connector.sync_json(CONNECTOR_PINNED_NOW=_pinned(sandbox))
    sandbox.touch_contacts([merged], properties={"firstname": "Touched"})
    sandbox.advance_clock(60)                           # the touch is searchable, the merge below is not
    survivor = sandbox.merge_contacts(survivor, merged)     # HubSpot merges into a new record
    mark = len(sandbox.requests)
    counts = connector.sync_json(CONNECTOR_PINNED_NOW=_pinned(sandbox))
    assert counts["status"] == "ok"
    assert merged in _read_ids(_since(sandbox, mark)), "search still knew the merged-away id"
    assert connector.query(f"select merged_into from contact where id = '{merged}'") == [(survivor,)]


def test_a_contact_deleted_after_search_indexed_it_is_skipped_without_error(connector, sandbox):
    sandbox.set_search_lag(30)
    connector.run("setup")
    gone = sandbox.create_contact({"email": "soon.deleted@example.org", "firstname": "Gone"})
    sandbox.advance_clock(40)                           # indexed ...
    sandbox.archive_contact(gone)                       # ... and deleted: search does not know yet
    mark = len(sandbox.requests)
    counts = connector.sync_json(CONNECTOR_PINNED_NOW=_pinned(sandbox))
    assert counts["status"] == "ok" and counts.get("quarantined", 0) == 0
    assert gone in _read_ids(_since(sandbox, mark))
    assert connector.query(f"select id from contact where id = '{gone}'") == []
    assert set(_local(connector)) == set(_remote(sandbox))
