"""The sandbox's search is as loose as HubSpot's: it trails writes by the search lag (the old state is found, a new
record is not), and ties on the sort key come back in a new order on every query; batch/read and GET are current."""

from __future__ import annotations

import pytest
import requests

SEARCH = "/crm/v3/objects/contacts/search"


@pytest.fixture
def http(sandbox):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sandbox.token}"

    def call(method: str, path: str, **kw) -> requests.Response:
        return session.request(method, sandbox.url + path, timeout=10, **kw)
    yield call
    session.close()


def _find(http, prop: str, value: str) -> list[dict]:
    body = {"filterGroups": [{"filters": [{"propertyName": prop, "operator": "EQ", "value": value}]}],
            "properties": ["email", "firstname", "lastmodifieddate"], "limit": 10}
    resp = http("POST", SEARCH, json=body)
    assert resp.status_code == 200
    return resp.json()["results"]


def test_search_sees_writes_only_after_the_lag_while_batch_read_and_get_see_them_at_once(sandbox, http):
    old = sandbox.contacts()[0]
    sandbox.set_search_lag(10)
    new = sandbox.create_contact({"email": "lagging.new@example.org", "firstname": "Fresh"})
    sandbox.touch_contacts([old["id"]], properties={"firstname": "Renamed"})
    assert _find(http, "email", "lagging.new@example.org") == []
    assert _find(http, "firstname", "Renamed") == []
    (stale,) = _find(http, "hs_object_id", old["id"])
    assert stale["properties"]["firstname"] == old["properties"].get("firstname")
    assert stale["properties"]["lastmodifieddate"] == old["properties"]["lastmodifieddate"]
    read = http("POST", "/crm/v3/objects/contacts/batch/read",
                json={"inputs": [{"id": old["id"]}, {"id": new}], "properties": ["firstname"]}).json()
    assert {r["id"]: r["properties"]["firstname"] for r in read["results"]} == {old["id"]: "Renamed", new: "Fresh"}
    assert http("GET", f"/crm/v3/objects/contacts/{new}").status_code == 200
    sandbox.advance_clock(11)
    assert [r["id"] for r in _find(http, "email", "lagging.new@example.org")] == [new]
    assert [r["id"] for r in _find(http, "firstname", "Renamed")] == [old["id"]]


def test_a_merge_reaches_search_after_the_lag(sandbox, http):
    survivor, merged = (c["id"] for c in sandbox.contacts()[:2])
    sandbox.set_search_lag(5)
    survivor = sandbox.merge_contacts(survivor, merged)     # a new id both old ones resolve to
    assert [r["id"] for r in _find(http, "hs_object_id", merged)] == [merged], "search still has the old record"
    read = http("POST", "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": merged}]}).json()
    assert [r["id"] for r in read["results"]] == [survivor]
    sandbox.advance_clock(6)
    assert _find(http, "hs_object_id", merged) == []
    sandbox.set_search_lag(0)
    assert _find(http, "hs_object_id", merged) == [] and len(_find(http, "hs_object_id", survivor)) == 1


def test_ties_come_back_in_a_new_order_per_query_but_sorting_by_id_is_stable(sandbox, http):
    stamp = sandbox.now_ms() - 1_000
    ids = sandbox.bulk_create_contacts(500, at_ms=stamp)
    tie = {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "EQ", "value": str(stamp)}]}],
           "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], "limit": 200}
    pages = [[r["id"] for r in http("POST", SEARCH, json=tie).json()["results"]] for _ in range(2)]
    assert pages[0] != pages[1] and set(pages[0]) <= set(ids)
    by_id = {**tie, "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]}
    ordered = [[r["id"] for r in http("POST", SEARCH, json=by_id).json()["results"]] for _ in range(2)]
    assert ordered[0] == ordered[1] == sorted(ids, key=int)[:200]


# --- batch/read of merged-away ids (connector.hubspot.contacts.read_contacts) -----------------------------------


def _client(sandbox):
    from connector.config import Settings
    from connector.hubspot.client import HubSpotClient
    return HubSpotClient(Settings(hubspot_access_token=sandbox.token, hubspot_base_url=sandbox.url,
                                  hubspot_timeout_seconds=5))


def _merge_without_rollup(sandbox, survivor: str, merged: str) -> str:
    """A merge whose new record does not list the merged ids yet ([U] HubSpot fills the rollups asynchronously)."""
    new_id = sandbox.merge_contacts(survivor, merged)
    sandbox.touch_contacts([new_id], properties={"hs_merged_object_ids": "", "hs_calculated_merged_vids": ""})
    return new_id


def test_an_id_answered_by_its_survivor_is_added_to_the_survivors_merged_ids(sandbox):
    from connector.hubspot.contacts import read_contacts
    ids = [c["id"] for c in sandbox.contacts()[:6]]
    first = _merge_without_rollup(sandbox, ids[0], ids[1])
    rows, bad = read_contacts(_client(sandbox), [ids[1], ids[5]])
    assert not bad and {r["id"]: r["merged_ids"] for r in rows} == {first: [ids[1]], ids[5]: []}
    second = _merge_without_rollup(sandbox, ids[2], ids[3])
    sandbox.archive_contact(ids[4])
    mark = len(sandbox.requests)
    rows, bad = read_contacts(_client(sandbox), [ids[1], ids[3], ids[4], ids[5]])
    assert not bad and {r["id"]: r["merged_ids"] for r in rows} == {first: [ids[1]], second: [ids[3]], ids[5]: []}
    alone = [r.body["inputs"] for r in sandbox.requests[mark:]][1:]
    assert alone == [[{"id": ids[1]}], [{"id": ids[3]}]], "two answers without a name: each merged id read alone"
