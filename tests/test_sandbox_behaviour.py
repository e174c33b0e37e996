"""The HubSpot sandbox reproduces HubSpot's quirks: limits, caps, merges, archives, faults, multi-status."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from urllib.parse import unquote

import pytest
import requests

from connector.sandbox.hubspot import HubSpotSandbox
from connector.sandbox.seed import DEMO_ABANDONED_EMAIL, DEMO_FAN_EMAIL, DEMO_MERGED_EMAIL, VACANCIES

FAST = {"rate_limit": 100_000, "rate_window_s": 10.0, "search_rate_per_s": 100_000, "daily_limit": 10_000_000}
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox():
    box = HubSpotSandbox(**FAST).start()
    yield box
    box.stop()


@pytest.fixture(autouse=True)
def fresh(sandbox):
    sandbox.reset()
    sandbox.set_rate_limits(**FAST)
    return sandbox


@pytest.fixture
def http(sandbox):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sandbox.token}"

    def call(method: str, path: str, **kw) -> requests.Response:
        return session.request(method, sandbox.url + path, timeout=kw.pop("timeout", 10), **kw)

    yield call
    session.close()


def _id(sandbox, email: str) -> str:
    return next(c["id"] for c in sandbox.contacts() if c["properties"].get("email") == email)


def _search(http, body: dict) -> requests.Response:
    return http("POST", "/crm/v3/objects/contacts/search", json=body)


# --- auth, scopes, routing ---------------------------------------------------------------------------


def test_request_without_token_answers_401_and_the_token_is_never_recorded(sandbox, http):
    resp = requests.get(f"{sandbox.url}/crm/v3/objects/contacts", timeout=5)
    assert resp.status_code == 401 and resp.json()["category"] == "INVALID_AUTHENTICATION"
    assert resp.json()["message"].startswith("Authentication credentials not found.")
    wrong = requests.get(f"{sandbox.url}/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope"},
                         timeout=5)
    assert wrong.status_code == 401
    info = http("POST", "/oauth/v2/private-apps/get/access-token-info", json={"tokenKey": sandbox.token})
    assert info.status_code == 200
    assert sandbox.token not in repr(sandbox.requests)
    assert sandbox.requests[-1].body == {"tokenKey": "[REDACTED]"}


def test_unknown_route_answers_404_and_is_recorded_unrouted(sandbox, http):
    assert http("GET", "/crm/v3/objects/unicorns/1").status_code == 404
    assert sandbox.requests[-1].routed is False and sandbox.requests[-1].status == 404


def test_missing_scope_answers_403_naming_the_required_scope():
    box = HubSpotSandbox(seed=False, scopes={"crm.objects.contacts.read"}).start()
    try:
        resp = requests.get(f"{box.url}/email/public/v1/events", headers={"Authorization": f"Bearer {box.token}"},
                            timeout=5)
        assert resp.status_code == 403 and resp.json()["category"] == "MISSING_SCOPES"
        assert resp.json()["errors"][0]["context"]["requiredScopes"] == ["content"]
    finally:
        box.stop()


def test_web_analytics_events_need_enterprise_and_an_object(sandbox, http):
    fan = _id(sandbox, DEMO_FAN_EMAIL)
    assert http("GET", "/events/v3/events", params={"objectType": "contact"}).status_code == 400
    assert http("GET", "/events/v3/events", params={"objectType": "contact", "objectId": fan}).status_code == 200
    sandbox.tier = "professional"
    try:
        resp = http("GET", "/events/v3/events", params={"objectType": "contact", "objectId": fan})
        assert resp.status_code == 403
    finally:
        sandbox.tier = "enterprise"


# --- rate limits ------------------------------------------------------------------------------------------


def test_burst_limit_answers_429_with_headers_and_rolls_over(sandbox, http):
    sandbox.set_rate_limits(rate_limit=5, rate_window_s=1.0)
    answers = [http("GET", "/crm/v3/objects/contacts", params={"limit": 1}) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    first, limited = answers[0], answers[-1]
    assert first.headers["X-HubSpot-RateLimit-Max"] == "5"
    assert first.headers["X-HubSpot-RateLimit-Remaining"] == "4"
    assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "1000"
    assert int(first.headers["X-HubSpot-RateLimit-Daily-Remaining"]) > 0
    body = limited.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert "Retry-After" not in limited.headers  # HubSpot does not always send one
    time.sleep(1.05)
    assert http("GET", "/crm/v3/objects/contacts", params={"limit": 1}).status_code == 200


def test_daily_budget_answers_429_daily(sandbox, http):
    sandbox.set_rate_limits(daily_limit=3)
    statuses = [http("GET", "/crm/v3/owners/").status_code for _ in range(4)]
    last = http("GET", "/crm/v3/owners/")
    assert statuses == [200, 200, 200, 429] and last.json()["policyName"] == "DAILY"
    assert last.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_search_has_its_own_limit_and_sends_no_rate_limit_headers(sandbox, http):
    sandbox.set_rate_limits(search_rate_per_s=2)
    body = {"limit": 1}
    answers = [_search(http, body) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["policyName"] == "SECONDLY"
    assert not any(h.lower().startswith("x-hubspot-ratelimit") for a in answers for h in a.headers)
    assert http("GET", "/crm/v3/objects/contacts", params={"limit": 1}).status_code == 200


# --- search -------------------------------------------------------------------------------------------------


def test_search_refuses_to_page_past_10000_results_sharing_one_millisecond(sandbox, http):
    stamp = sandbox.now_ms() - 60_000
    ids = sandbox.bulk_create_contacts(10_500, at_ms=stamp)
    assert len(set(ids)) == 10_500
    body = {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "EQ",
                                           "value": str(stamp)}]}],
            "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], "limit": 200,
            "properties": ["email"]}
    first = _search(http, body).json()
    assert first["total"] == 10_500 and first["paging"]["next"]["after"] == "200"
    page_ids = [r["id"] for r in first["results"]]
    assert page_ids != sorted(page_ids, key=int), "ties must not come back in id order"
    again = [r["id"] for r in _search(http, body).json()["results"]]
    assert again != page_ids, "ties come back in a different order on each query (pagers with `after` may skip)"
    near_cap = _search(http, {**body, "after": "9800"})
    assert near_cap.status_code == 200 and near_cap.json()["paging"]["next"]["after"] == "10000"
    over = _search(http, {**body, "after": "10000"})
    assert over.status_code == 400 and over.json()["category"] == "VALIDATION_ERROR"
    assert _search(http, {**body, "limit": 201}).status_code == 400


def test_search_answers_a_page_of_12000_contacts_quickly(sandbox, http):
    sandbox.bulk_create_contacts(12_000)
    body = {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}],
            "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}], "limit": 200}
    _search(http, body)
    timings = []
    for after in (200, 4000, 9000):
        started = time.perf_counter()
        assert _search(http, {**body, "after": str(after)}).status_code == 200
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.1, timings


def test_search_filters_operators_and_limits(sandbox, http):
    fan = _id(sandbox, DEMO_FAN_EMAIL)
    week_ago = (datetime.fromtimestamp(sandbox.now_ms() / 1000, UTC) - timedelta(days=7)).isoformat()

    def ids(*filters, **extra) -> set[str]:
        resp = _search(http, {"filterGroups": [{"filters": list(filters)}], "limit": 200, **extra})
        assert resp.status_code == 200, resp.text
        return {r["id"] for r in resp.json()["results"]}

    assert ids({"propertyName": "email", "operator": "EQ", "value": DEMO_FAN_EMAIL.upper()}) == {fan}
    assert fan in ids({"propertyName": "hs_analytics_last_timestamp", "operator": "GT", "value": week_ago})
    assert ids({"propertyName": "hs_object_id", "operator": "IN", "values": [fan, "1002"]}) == {fan, "1002"}
    assert fan not in ids({"propertyName": "hs_object_id", "operator": "NOT_IN", "values": [fan]})
    assert fan in ids({"propertyName": "hs_email_click", "operator": "BETWEEN", "value": "1", "highValue": "99"})
    assert fan not in ids({"propertyName": "hs_merged_object_ids", "operator": "HAS_PROPERTY"})
    assert fan in ids({"propertyName": "hs_merged_object_ids", "operator": "NOT_HAS_PROPERTY"},
                      {"propertyName": "hs_object_id", "operator": "LTE", "value": fan})
    too_many = [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}] * 6
    assert _search(http, {"filterGroups": too_many}).status_code == 400
    bad = {"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "1"}]}]}
    assert _search(http, bad).status_code == 400
    default = _search(http, {}).json()["results"][0]["properties"]
    assert set(default) == {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}


# --- writes -------------------------------------------------------------------------------------------------


def test_batch_endpoints_refuse_more_than_100_inputs(sandbox, http):
    ids = [c["id"] for c in sandbox.contacts()][:101]
    read = http("POST", "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": i} for i in ids]})
    update = http("POST", "/crm/v3/objects/contacts/batch/update",
                  json={"inputs": [{"id": i, "properties": {"city": "Ede"}} for i in ids]})
    tasks = http("POST", "/crm/v3/objects/tasks/batch/create",
                 json={"inputs": [{"properties": {"hs_timestamp": "0"}}] * 101})
    assert [r.status_code for r in (read, update, tasks)] == [400, 400, 400]
    assert read.json()["category"] == "VALIDATION_ERROR"
    assert sandbox.contact(ids[0])["city"] != "Ede" and not sandbox.tasks()


def test_unknown_property_answers_400_property_doesnt_exist(sandbox, http):
    contact = sandbox.contacts()[0]["id"]
    resp = http("PATCH", f"/crm/v3/objects/contacts/{contact}", json={"properties": {"te_score": "5"}})
    body = resp.json()
    assert resp.status_code == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert body["errors"][0]["context"]["propertyName"] == ["te_score"] and '"te_score"' in body["message"]


def test_writes_are_type_checked(sandbox, http):
    group = {"name": "talent_engagement", "label": "Talent engagement"}
    assert http("POST", "/crm/v3/properties/contacts/groups", json=group).status_code == 201
    for spec in ({"name": "te_engagement_score", "type": "number", "fieldType": "number"},
                 {"name": "te_scored_at", "type": "datetime", "fieldType": "date"},
                 {"name": "te_engagement_band", "type": "enumeration", "fieldType": "select",
                  "options": [{"label": "Fan", "value": "fan"}, {"label": "Cold", "value": "cold"}]}):
        created = http("POST", "/crm/v3/properties/contacts",
                       json={"label": spec["name"], "groupName": "talent_engagement", **spec})
        assert created.status_code == 201, created.text
    contact = sandbox.contacts()[0]["id"]

    def write(props: dict) -> requests.Response:
        return http("POST", "/crm/v3/objects/contacts/batch/update",
                    json={"inputs": [{"id": contact, "properties": props}]})

    text = write({"te_engagement_score": "eighty"})
    assert text.status_code == 400 and text.json()["errors"][0]["context"]["propertyName"] == ["te_engagement_score"]
    assert write({"te_engagement_band": "superfan"}).json()["errors"][0]["code"] == "INVALID_OPTION"
    assert write({"te_scored_at": "yesterday"}).status_code == 400
    assert write({"hs_analytics_num_page_views": "3"}).json()["errors"][0]["code"] == "READ_ONLY_VALUE"
    ok = write({"te_engagement_score": 82, "te_scored_at": "2026-03-01T08:00:00Z", "te_engagement_band": "fan"})
    assert ok.status_code == 200
    assert sandbox.contact(contact)["te_engagement_score"] == "82"
    assert sandbox.contact(contact)["te_scored_at"] == "2026-03-01T08:00:00Z"    # [U] no fraction when ms is 0
    assert write({"te_engagement_band": ""}).status_code == 200
    assert "te_engagement_band" not in sandbox.contact(contact)


def test_duplicate_property_or_group_answers_409(http):
    body = {"name": "te_engagement_score", "label": "Score", "type": "number", "fieldType": "number",
            "groupName": "contactinformation"}
    assert http("POST", "/crm/v3/properties/contacts", json=body).status_code == 201
    again = http("POST", "/crm/v3/properties/contacts", json=body)
    assert again.status_code == 409 and "te_engagement_score" in again.json()["message"]
    group = {"name": "contactinformation", "label": "Again"}
    assert http("POST", "/crm/v3/properties/contacts/groups", json=group).status_code == 409
    wrong_pair = {**body, "name": "te_other", "fieldType": "select"}
    assert http("POST", "/crm/v3/properties/contacts", json=wrong_pair).status_code == 400


def test_lastmodifieddate_moves_to_the_millisecond_of_each_change(sandbox, http):
    contact = sandbox.contacts()[0]["id"]
    before = sandbox.contact(contact)["lastmodifieddate"]
    time.sleep(0.01)
    resp = http("PATCH", f"/crm/v3/objects/contacts/{contact}", json={"properties": {"jobtitle": "CTO"}})
    after = sandbox.contact(contact)["lastmodifieddate"]
    assert resp.status_code == 200 and after > before and resp.json()["updatedAt"] == after
    assert resp.json()["properties"]["lastmodifieddate"] == after
    sandbox.touch_contacts([contact], at_ms=sandbox.now_ms() + 5)
    assert sandbox.contact(contact)["lastmodifieddate"] > after


def test_batch_update_reports_missing_ids_in_a_207(sandbox, http):
    contact = sandbox.contacts()[0]["id"]
    resp = http("POST", "/crm/v3/objects/contacts/batch/update",
                json={"inputs": [{"id": contact, "properties": {"city": "Zwolle"}},
                                 {"id": "987654", "properties": {"city": "Zwolle"}}]})
    assert resp.status_code == 207
    assert resp.json()["errors"][0]["context"] == {"ids": ["987654"]}
    assert sandbox.contact(contact)["city"] == "Zwolle"


# --- merges and archives ----------------------------------------------------------------------------------


def test_merged_id_resolves_to_the_survivor(sandbox, http):
    survivor = _id(sandbox, DEMO_MERGED_EMAIL)
    merged_away = sandbox.contact(survivor)["hs_merged_object_ids"].split(";")[0]
    got = http("GET", f"/crm/v3/objects/contacts/{merged_away}").json()
    assert got["id"] == survivor
    batch = http("POST", "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": merged_away}]}).json()
    assert [r["id"] for r in batch["results"]] == [survivor]
    listed = {c["id"] for c in sandbox.contacts()}
    assert merged_away not in listed and survivor in listed
    one, two = [c for c in sorted(listed, key=int) if not sandbox.contact(c).get("hs_merged_object_ids")][-2:]
    before = sandbox.contact(one)["lastmodifieddate"]
    new = sandbox.merge_contacts(one, two)      # HubSpot's merge makes a new record with a new id
    assert new not in (one, two)
    props = sandbox.contact(new)
    assert props["hs_object_id"] == new and props["lastmodifieddate"] > before
    assert props["hs_merged_object_ids"].split(";") == [one, two]
    assert props["hs_calculated_merged_vids"].split(";") == [one, two] and props["hs_additional_emails"]
    for old in (one, two):
        assert http("GET", f"/crm/v3/objects/contacts/{old}").json()["id"] == new
    batch = http("POST", "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": one}, {"id": two}]}).json()
    assert [r["id"] for r in batch["results"]] == [new]
    assert {c["id"] for c in sandbox.contacts()} & {one, two, new} == {new}


def test_archived_contacts_are_listed_only_with_archived_true(sandbox, http):
    archived = sandbox.seed_summary["archived"]

    def listed(**params) -> set[str]:
        found, after = set(), None
        while True:
            page = http("GET", "/crm/v3/objects/contacts", params={"limit": 100, **params,
                                                                    **({"after": after} if after else {})}).json()
            found |= {r["id"] for r in page["results"]}
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                return found

    assert http("GET", f"/crm/v3/objects/contacts/{archived}").status_code == 404
    assert archived not in listed()
    assert listed(archived="true") == {archived}
    got = http("GET", f"/crm/v3/objects/contacts/{archived}", params={"archived": "true"}).json()
    assert got["archived"] is True and got["archivedAt"]


# --- tasks ------------------------------------------------------------------------------------------------------


def test_task_batch_create_with_trace_ids_answers_207_per_input(sandbox, http):
    fan = _id(sandbox, DEMO_FAN_EMAIL)
    link = [{"to": {"id": fan}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}]}]
    good = {"properties": {"hs_timestamp": "2026-03-03T09:00:00Z", "hs_task_subject": "Call Anna"},
            "associations": link, "objectWriteTraceId": "rule-1"}
    no_due = {"properties": {"hs_task_subject": "No due date"}, "objectWriteTraceId": "rule-2"}
    resp = http("POST", "/crm/v3/objects/tasks/batch/create", json={"inputs": [good, no_due]})
    body = resp.json()
    assert resp.status_code == 207 and body["numErrors"] == 1
    assert body["results"][0]["objectWriteTraceId"] == "rule-1"
    assert body["errors"][0]["context"]["objectWriteTraceId"] == ["rule-2"]
    assert "hs_timestamp" in body["errors"][0]["message"]
    assert [t["contact_ids"] for t in sandbox.tasks()] == [[fan]]
    plain = [{k: v for k, v in i.items() if k != "objectWriteTraceId"} for i in (good, no_due)]
    whole = http("POST", "/crm/v3/objects/tasks/batch/create", json={"inputs": plain})
    assert whole.status_code == 400 and len(sandbox.tasks()) == 1


def test_task_associations_must_name_an_existing_contact(http):
    link = [{"to": {"id": "99999999"}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                  "associationTypeId": 204}]}]
    resp = http("POST", "/crm/v3/objects/tasks",
                json={"properties": {"hs_timestamp": "2026-03-03T09:00:00Z"}, "associations": link})
    assert resp.status_code == 400


# --- lists ----------------------------------------------------------------------------------------------------


def _members(http, list_id: str, **params) -> tuple[list[str], list[dict]]:
    """Page a list's memberships through paging.next.after; every page's body."""
    ids, pages, after = [], [], None
    while True:
        resp = http("GET", f"/crm/v3/lists/{list_id}/memberships", params={**params, **({"after": after} if after else {})})
        assert resp.status_code == 200, resp.text
        pages.append(resp.json())
        ids += [r["recordId"] for r in pages[-1]["results"]]
        after = pages[-1].get("paging", {}).get("next", {}).get("after")
        if not after:
            return ids, pages


def test_list_memberships_page_by_record_id_with_limit_and_after(sandbox, http):
    contacts = sandbox.bulk_create_contacts(300)
    list_id = sandbox.create_list("Import March", list(reversed(contacts)))
    ids, pages = _members(http, list_id, limit=120)
    assert ids == sorted(contacts, key=int) and [len(p["results"]) for p in pages] == [120, 120, 60]
    assert all(p["total"] == 300 for p in pages) and sandbox.list_members(list_id) == ids
    assert "paging" not in pages[0] or "prev" not in pages[0]["paging"]
    assert "next" not in pages[-1]["paging"] and pages[-1]["paging"]["prev"]["before"]
    assert {r["membershipTimestamp"] for p in pages for r in p["results"]} == {pages[0]["results"][0]["membershipTimestamp"]}
    default = http("GET", f"/crm/v3/lists/{list_id}/memberships").json()
    assert len(default["results"]) == 100 and default["paging"]["next"]["after"]
    assert len(http("GET", f"/crm/v3/lists/{list_id}/memberships", params={"limit": 250}).json()["results"]) == 250
    # `before` alone pages backwards, newest id first; a decoded cursor works as well as the encoded one
    before = pages[-1]["paging"]["prev"]["before"]
    back = http("GET", f"/crm/v3/lists/{list_id}/memberships", params={"limit": 10, "before": before}).json()
    assert [r["recordId"] for r in back["results"]] == ids[239:229:-1]
    after = pages[0]["paging"]["next"]["after"]
    decoded = http("GET", f"/crm/v3/lists/{list_id}/memberships", params={"limit": 5, "after": unquote(after)})
    assert [r["recordId"] for r in decoded.json()["results"]] == ids[120:125]
    bad = http("GET", f"/crm/v3/lists/{list_id}/memberships", params={"after": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["category"] == "VALIDATION_ERROR"


def test_unknown_list_answers_404(http):
    for path in ("/crm/v3/lists/987654", "/crm/v3/lists/987654/memberships",
                 "/crm/v3/lists/object-type-id/0-1/name/No such list"):
        resp = http("GET", path)
        body = resp.json()
        assert resp.status_code == 404, path
        assert body["status"] == "error" and body["category"] == "OBJECT_NOT_FOUND" and body["correlationId"]
    assert http("GET", "/crm/v3/lists/abc/memberships").status_code == 400


def test_memberships_limit_above_250_answers_400(sandbox, http):
    pool = sandbox.seed_summary["lists"]["Engineering talent pool"]
    too_many = http("GET", f"/crm/v3/lists/{pool}/memberships", params={"limit": 251})
    assert too_many.status_code == 400 and too_many.json()["category"] == "VALIDATION_ERROR"
    assert too_many.json()["context"] == {"limit": ["251"]}
    for limit in (0, -1, "ten"):
        assert http("GET", f"/crm/v3/lists/{pool}/memberships", params={"limit": limit}).status_code == 400
    assert http("GET", f"/crm/v3/lists/{pool}/memberships", params={"limit": 250}).status_code == 200


def test_merged_away_and_archived_contacts_are_not_list_members(sandbox, http):
    survivor, merged, archived, kept = sandbox.bulk_create_contacts(4)
    manual = sandbox.create_list("Shortlist", [merged, archived, kept])
    dynamic = sandbox.create_list("Live shortlist", [merged, archived, kept], processing_type="DYNAMIC")
    survivor = sandbox.merge_contacts(survivor, merged)      # the merged record has a new id
    sandbox.archive_contact(archived)
    assert sandbox.list_members(manual) == [kept, survivor]  # the survivor takes a static membership over
    assert sandbox.list_members(dynamic) == [kept]
    page = http("GET", f"/crm/v3/lists/{manual}/memberships").json()
    assert [r["recordId"] for r in page["results"]] == [kept, survivor] and page["total"] == 2
    assert http("GET", f"/crm/v3/lists/{dynamic}").json()["list"]["size"] == 1


def test_seeded_talent_pools(sandbox, http):
    lists = sandbox.seed_summary["lists"]
    assert set(lists) == {"Engineering talent pool", "Finance talent pool"}
    eng = http("GET", f"/crm/v3/lists/{lists['Engineering talent pool']}", params={"includeFilters": "true"})
    eng = eng.json()["list"]
    assert eng["processingType"] == "DYNAMIC" and eng["objectTypeId"] == "0-1" and 30 <= eng["size"] <= 50
    urls = {f["pageUrl"] for b in eng["filterBranch"]["filterBranches"] for f in b["filters"]}
    assert all("/vacancies/" in u for u in urls)
    week_ago = sandbox.now_ms() - 7 * 86_400_000 - 60_000
    for contact_id in sandbox.list_members(eng["listId"]):
        assert any(v["url"] in urls and v["ms"] >= week_ago for v in sandbox.portal.web_events[contact_id])
    fin = http("GET", "/crm/v3/lists/object-type-id/0-1/name/finance talent POOL",
               params={"includeFilters": "true"}).json()["list"]
    assert fin["listId"] == lists["Finance talent pool"] and fin["processingType"] == "MANUAL"
    assert fin["size"] == 15 and "filterBranch" not in fin
    found = http("POST", "/crm/v3/lists/search", json={"offset": 0, "query": "talent"}).json()
    assert found["total"] == 2 and not found["hasMore"] and found["offset"] == 2
    assert http("POST", "/crm/v3/lists/search", json={"count": 501}).status_code == 400
    with pytest.raises(ValueError):
        sandbox.create_list("finance talent pool", [])
    with pytest.raises(KeyError):
        sandbox.create_list("Ghosts", ["99999999"])
    with pytest.raises(ValueError):
        sandbox.create_list("Odd", [], processing_type="STATIC")


def test_lists_need_the_crm_lists_read_scope():
    box = HubSpotSandbox(seed=False, scopes={"crm.objects.contacts.read"}).start()
    try:
        list_id = box.create_list("Empty", [])
        resp = requests.get(f"{box.url}/crm/v3/lists/{list_id}/memberships",
                            headers={"Authorization": f"Bearer {box.token}"}, timeout=5)
        assert resp.status_code == 403
        assert resp.json()["errors"][0]["context"]["requiredScopes"] == ["crm.lists.read"]
    finally:
        box.stop()


# --- faults --------------------------------------------------------------------------------------------------


def test_status_fault_fails_the_nth_matching_request_count_times(sandbox, http):
    sandbox.add_fault(nth=2, count=2, status=503, path_prefix="/crm/v3/objects/contacts", method="GET")
    statuses = [http("GET", "/crm/v3/objects/contacts").status_code for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    assert http("GET", "/crm/v3/owners/").status_code == 200
    sandbox.add_fault(status=429, retry_after=1.5, policy="DAILY")
    limited = http("GET", "/crm/v3/owners/")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json()["policyName"] == "DAILY"


def test_slow_and_timeout_faults(sandbox, http):
    sandbox.add_fault(kind="slow", delay_s=0.3)
    started = time.monotonic()
    assert http("GET", "/crm/v3/owners/").status_code == 200
    assert time.monotonic() - started >= 0.3
    sandbox.add_fault(kind="timeout", delay_s=1.0)
    with pytest.raises(requests.exceptions.RequestException):
        http("GET", "/crm/v3/owners/", timeout=(2, 0.4))
    assert http("GET", "/crm/v3/owners/").status_code == 200
    sandbox.add_fault(status=500)
    sandbox.clear_faults()
    assert http("GET", "/crm/v3/owners/").status_code == 200


# --- email events ------------------------------------------------------------------------------------------


def test_email_events_page_with_offset_and_has_more(sandbox, http):
    end = sandbox.now_ms()
    start = end - 21 * 86_400_000
    window = {"startTimestamp": start, "endTimestamp": end}
    everything = http("GET", "/email/public/v1/events", params={**window, "limit": 1000}).json()
    assert not everything["hasMore"] and len(everything["events"]) > 100
    seen, offset = [], None
    while True:
        page = http("GET", "/email/public/v1/events",
                    params={**window, "limit": 75, **({"offset": offset} if offset else {})}).json()
        seen += [e["id"] for e in page["events"]]
        offset = page["offset"]
        if not page["hasMore"]:
            break
    assert sorted(seen) == sorted(e["id"] for e in everything["events"]) and len(seen) == len(set(seen))
    assert all(start <= e["created"] <= end for e in everything["events"])
    assert http("GET", "/email/public/v1/events", params={"limit": 1001}).status_code == 400
    edge = sandbox.add_email_event(type="OPEN", recipient=DEMO_FAN_EMAIL, created=end - 5, emailCampaignId=1)
    inclusive = http("GET", "/email/public/v1/events", params={"startTimestamp": end - 5, "endTimestamp": end - 5})
    assert [e["id"] for e in inclusive.json()["events"]] == [edge["id"]]
    clicks = http("GET", "/email/public/v1/events", params={"eventType": "CLICK", "excludeFilteredEvents": "true",
                                                             "limit": 1000}).json()["events"]
    assert clicks and all(e["type"] == "CLICK" and not e["filteredEvent"] and e["url"] for e in clicks)


# --- the seed -------------------------------------------------------------------------------------------------


def test_seed_is_deterministic_quick_and_holds_every_kind_of_candidate():
    started = time.perf_counter()
    first = HubSpotSandbox(now=NOW)
    assert time.perf_counter() - started < 1.0
    second = HubSpotSandbox(now=NOW)
    assert first.contacts() == second.contacts() and first.portal.email_events == second.portal.email_events
    assert len(first.contacts()) >= 220 and len(first.owners()) == 5
    segments = first.seed_summary["segments"]
    assert {"fan", "warm", "lurker", "abandoned", "unsubscribed", "bounced", "cold"} <= set(segments)
    emails = [c["properties"]["email"] for c in first.contacts()]
    assert len(emails) == len(set(emails))
    types = {e["type"] for e in first.portal.email_events}
    assert {"SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "SPAMREPORT", "STATUSCHANGE"} <= types
    assert any(e.get("filteredEvent") for e in first.portal.email_events)
    now_ms = int(NOW.timestamp() * 1000)
    fan = first.contact(_id(first, DEMO_FAN_EMAIL))
    views = first.portal.web_events[_id(first, DEMO_FAN_EMAIL)]
    # Anna is a steady browser: vacancy views on several days of the last two weeks, mail clicks, no apply page.
    recent_days = {v["ms"] // 86_400_000 for v in views if v["ms"] > now_ms - 14 * 86_400_000 and "/vacancies/" in v["url"]}
    assert len(recent_days) >= 4
    assert not any(v["url"].endswith("/apply") for v in views) and int(fan["hs_email_click"]) >= 2
    abandoned = first.portal.web_events[_id(first, DEMO_ABANDONED_EMAIL)]
    assert abandoned[-1]["url"].endswith("/apply") and abandoned[-1]["ms"] > now_ms - 7 * 86_400_000
    slugs = {slug for slug, _ in VACANCIES}
    assert all(v["url"].split("/vacancies/")[1].split("/")[0] in slugs for v in views if "/vacancies/" in v["url"])
    for contact in first.contacts():
        props = contact["properties"]
        last_seen = props.get("hs_analytics_last_timestamp")
        assert props["lastmodifieddate"] >= (last_seen or "") and props["lastmodifieddate"] <= _iso(now_ms)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def test_connections_are_kept_alive(sandbox):
    conn = HTTPConnection(sandbox.url.removeprefix("http://"), timeout=5)
    conn.connect()
    conn.auto_open = 0  # a server that closed the connection would make the next request fail
    try:
        for _ in range(5):
            conn.request("GET", "/crm/v3/owners/", headers={"Authorization": f"Bearer {sandbox.token}"})
            resp = conn.getresponse()
            assert resp.status == 200 and resp.getheader("Content-Length")
            resp.read()
    finally:
        conn.close()
