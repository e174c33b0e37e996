"""The HubSpot sandbox speaks the official SDK's contract: routes match the SDK's, answers fit its models.

Every SDK-covered route is called through `hubspot-api-client`; the raw JSON must deserialize into the model
the SDK declares for that status (client-side validation on) and carry no key the model lacks.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    PublicMergeInput,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
)
from hubspot.crm.lists import ListSearchRequest
from hubspot.crm.objects.tasks import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate

from connector.sandbox.hubspot import ROUTES, HubSpotSandbox

# A real (anonymised, MIT-licensed) response, vendored from shared/hubspot-fixtures with its license beside it.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "email-events-v1.example.json"
PRIMITIVES = {"str", "int", "float", "bool", "date", "datetime", "object"}
# HubSpot's documented error envelope has `status: "error"`, which the SDK's Error model does not declare.
ERROR_EXTRAS = {"status"}
TASK_TO_CONTACT = [{"to": {"id": None}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                   "associationTypeId": 204}]}]


@pytest.fixture(scope="module")
def sandbox():
    box = HubSpotSandbox(rate_limit=100_000, search_rate_per_s=100_000).start()
    yield box
    box.stop()


@pytest.fixture(autouse=True)
def fresh(sandbox):
    sandbox.reset()
    return sandbox


@pytest.fixture
def client(sandbox):
    return HubSpot(access_token=sandbox.token, host=sandbox.url, base_url=sandbox.url)


# --- helpers ---------------------------------------------------------------------------------------


def _resolve(dotted: str):
    target = HubSpot(access_token="x")
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def _facts(api, name: str) -> dict:
    """Path, HTTP method, query names and response types, read from the SDK's generated source."""
    src = inspect.getsource(getattr(api, f"{name}_with_http_info"))
    call = re.search(r'call_api\(\s*"([^"]+)",\s*"([A-Z]+)"', src)
    return {"path": call.group(1), "method": call.group(2),
            "query": set(re.findall(r'query_params\.append\(\("([^"]+)"', src)),
            "types": {int(k): v for k, v in re.findall(r'(\d{3}): "(\w+)"', src)}}


def _walk(value, type_name: str, models, where: str) -> None:
    if value is None or type_name in PRIMITIVES:
        return
    if (inner := re.fullmatch(r"list\[(.*)\]", type_name)) is not None:
        for i, item in enumerate(value):
            _walk(item, inner.group(1), models, f"{where}[{i}]")
        return
    if (inner := re.fullmatch(r"dict\([^,]*, (.*)\)|dict\[[^,]*, (.*)\]", type_name)) is not None:
        for key, item in value.items():
            _walk(item, inner.group(1) or inner.group(2), models, f"{where}.{key}")
        return
    cls = getattr(models, type_name)
    assert isinstance(value, dict), f"{where}: expected an object for {type_name}"
    by_json = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    lost = set(value) - set(by_json)
    assert not lost, f"{where}: keys {sorted(lost)} are not in the SDK model {type_name}"
    for key, item in value.items():
        _walk(item, cls.openapi_types[by_json[key]], models, f"{where}.{key}")


def _strict(api):
    """An ApiClient of the api's package with client-side validation on (SDK 12.0.0 ships it off)."""
    config = copy.copy(api.api_client.configuration)
    config.client_side_validation = True
    return type(api.api_client)(configuration=config)


def conform(api, name: str, *args, strict: bool = True, walk: bool = True, **kwargs) -> tuple[int, dict, object]:
    """Call an SDK method, then check its raw JSON against the SDK model declared for the status.

    With `strict` (the default) the model also validates: required fields present, enum values allowed.
    Without `walk` the caller checks the keys itself (where the SDK's generated union models are wrong).
    """
    raw = getattr(api, name)(*args, _preload_content=False, **kwargs)
    status, data = raw.status, raw.data
    type_name = _facts(api, name)["types"][status]
    typed = (_strict(api) if strict else api.api_client).deserialize(SimpleNamespace(data=data), type_name)
    models = importlib.import_module(api.__module__.rsplit(".api.", 1)[0] + ".models")
    assert isinstance(typed, getattr(models, type_name))
    body = json.loads(data)
    if walk:
        _walk(body, type_name, models, type_name)
    return status, body, typed


def _error(api, exc) -> dict:
    body = json.loads(exc.body)
    models = importlib.import_module(api.__module__.rsplit(".api.", 1)[0] + ".models")
    typed = api.api_client.deserialize(SimpleNamespace(data=exc.body), "Error")
    assert typed.category and typed.correlation_id and typed.message
    lost = set(body) - set(models.Error.attribute_map.values()) - ERROR_EXTRAS
    assert not lost, f"error keys {sorted(lost)} are not in the SDK's Error model"
    return body


def _task(client, contact_id: str) -> str:
    assoc = [{**TASK_TO_CONTACT[0], "to": {"id": contact_id}}]
    created = client.crm.objects.tasks.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"hs_timestamp": "2030-01-01T09:00:00Z", "hs_task_subject": "Call"}, associations=assoc))
    return created.id


def _contact_id(sandbox, email: str) -> str:
    return next(c["id"] for c in sandbox.contacts() if c["properties"].get("email") == email)


# --- the route table against the SDK -----------------------------------------------------------------


@pytest.mark.parametrize("route", [r for r in ROUTES if r.sdk], ids=lambda r: f"{r.method} {r.path}")
def test_every_sdk_route_matches_the_sdk_method(route):
    dotted, _, name = route.sdk.rpartition(".")
    api = _resolve(dotted)
    assert callable(getattr(api, name)), route.sdk
    facts = _facts(api, name)
    assert facts["path"].rstrip("/") == route.path.rstrip("/")
    assert facts["method"] == route.method
    assert set(route.query) <= facts["query"], set(route.query) - facts["query"]


def test_routes_without_an_sdk_twin_are_the_documented_extras():
    extras = {(r.method, r.path) for r in ROUTES if not r.sdk}
    assert extras == {("GET", "/email/public/v1/events"), ("GET", "/account-info/v3/details"),
                      ("GET", "/form-integrations/v1/submissions/forms/{formGuid}"),
                      ("GET", "/account-info/v3/api-usage/daily/private-apps"),
                      ("POST", "/oauth/v2/private-apps/get/access-token-info"), ("GET", "/crm/v3/schemas")}


# --- answers in the SDK's models ------------------------------------------------------------------------


def test_contact_reads_fit_the_sdk_models(client, sandbox):
    api, batch = client.crm.contacts.basic_api, client.crm.contacts.batch_api
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    _task(client, fan)
    _, body, typed = conform(api, "get_by_id", fan, properties=["email", "hs_email_click"],
                             properties_with_history=["email"], associations=["tasks"])
    assert typed.associations["tasks"].results and body["propertiesWithHistory"]["email"]
    _, body, _ = conform(api, "get_page", limit=5, properties=["email"])
    assert len(body["results"]) == 5 and body["paging"]["next"]["after"]
    ids = [{"id": fan}, {"id": "999999"}]
    status, body, typed = conform(batch, "read", BatchReadInputSimplePublicObjectId(
        inputs=ids, properties=["email"], properties_with_history=[]))
    assert status == 207 and typed.errors[0].context == {"ids": ["999999"]}
    status, _, _ = conform(batch, "read", BatchReadInputSimplePublicObjectId(
        inputs=ids[:1], properties=["email"], properties_with_history=["email"]))
    assert status == 200
    _, body, typed = conform(client.crm.contacts.search_api, "do_search", PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}],
        sorts=[{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}], limit=50, properties=["email"]))
    assert typed.total >= 220 and len(body["results"]) == 50


def test_contact_writes_fit_the_sdk_models(client, sandbox):
    batch, api = client.crm.contacts.batch_api, client.crm.contacts.basic_api
    one, two = (c["id"] for c in sandbox.contacts()[:2])
    status, _, _ = conform(batch, "update", BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": one, "properties": {"jobtitle": "Architect"}}]))
    assert status == 200
    status, _, typed = conform(batch, "update", BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": one, "properties": {"jobtitle": "Lead"}}, {"id": "999999", "properties": {"city": "Ede"}}]))
    assert status == 207 and typed.errors[0].category == "OBJECT_NOT_FOUND"
    conform(api, "update", one, SimplePublicObjectInput(properties={"city": "Delft"}))
    _, body, _ = conform(api, "merge", PublicMergeInput(primary_object_id=one, object_id_to_merge=two))
    assert body["id"] not in (one, two)         # a merge answers the new record (HubSpot's merge changelog)
    assert sandbox.contact(body["id"])["hs_merged_object_ids"].split(";") == [one, two]


def test_task_routes_fit_the_sdk_models(client, sandbox):
    tasks = client.crm.objects.tasks
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    assoc = [{**TASK_TO_CONTACT[0], "to": {"id": fan}}]
    status, body, _ = conform(tasks.basic_api, "create", SimplePublicObjectInputForCreate(
        properties={"hs_timestamp": "2030-01-01T09:00:00Z", "hs_task_subject": "Call Anna"}, associations=assoc))
    assert status == 201
    task_id = body["id"]
    good = {"properties": {"hs_timestamp": "1893456000000", "hs_task_subject": "A"}, "objectWriteTraceId": "t1"}
    bad = {"properties": {"hs_task_subject": "no due date"}, "objectWriteTraceId": "t2"}
    status, _, _ = conform(tasks.batch_api, "create", BatchInputSimplePublicObjectBatchInputForCreate(inputs=[good]))
    assert status == 201
    status, body, typed = conform(tasks.batch_api, "create", BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{**good, "objectWriteTraceId": "t3"}, bad]))
    assert status == 207 and typed.results[0].object_write_trace_id == "t3"
    conform(tasks.basic_api, "get_by_id", task_id, associations=["contacts"])
    conform(tasks.basic_api, "get_page", limit=2)
    conform(tasks.batch_api, "read", BatchReadInputSimplePublicObjectId(
        inputs=[{"id": task_id}], properties=["hs_task_subject"], properties_with_history=[]))
    _, body, _ = conform(tasks.search_api, "do_search", PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "hs_task_subject", "operator": "HAS_PROPERTY"}]}], limit=10))
    assert body["total"] == 3


def test_property_routes_fit_the_sdk_models(client):
    core, groups = client.crm.properties.core_api, client.crm.properties.groups_api
    _, body, _ = conform(core, "get_all", "contacts")
    assert {"email", "hs_analytics_num_page_views"} <= {p["name"] for p in body["results"]}
    conform(core, "get_all", "tasks")
    conform(core, "get_by_name", "contacts", "hubspot_owner_id")
    status, _, _ = conform(groups, "create", "contacts", PropertyGroupCreate(name="talent_engagement",
                                                                            label="Talent engagement"))
    assert status == 201
    status, body, _ = conform(core, "create", "contacts", PropertyCreate(
        name="te_engagement_band", label="Band", type="enumeration", field_type="select",
        group_name="talent_engagement", options=[{"label": "Fan", "value": "fan", "hidden": False}]))
    assert status == 201 and body["options"][0]["value"] == "fan"
    conform(groups, "get_all", "contacts")


def test_owner_routes_fit_the_sdk_models(client):
    _, body, typed = conform(client.crm.owners.owners_api, "get_page", limit=2)
    assert len(typed.results) == 2 and body["paging"]["next"]["after"]
    assert typed.results[0].type == "PERSON" and typed.results[0].user_id_including_inactive
    conform(client.crm.owners.owners_api, "get_by_id", typed.results[0].id)


def test_association_routes_fit_the_sdk_models(client, sandbox):
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    task_id = _task(client, fan)
    _, body, _ = conform(client.crm.associations.v4.basic_api, "get_page", "contacts", fan, "tasks")
    assert body["results"][0]["associationTypes"][0]["typeId"] == 203
    other = sandbox.contacts()[-1]["id"]
    status, _, typed = conform(client.crm.associations.v4.batch_api, "get_page", "tasks", "contacts",
                               BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": task_id}]))
    assert status == 200 and typed.results[0].to[0].to_object_id == fan
    status, _, _ = conform(client.crm.associations.v4.batch_api, "get_page", "contacts", "tasks",
                           BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": fan}, {"id": other}]))
    assert status == 207


def test_web_events_fit_the_sdk_models(client, sandbox):
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    _, body, typed = conform(client.events.events_api, "get_page", object_type="contact", object_id=int(fan),
                             event_type="e_visited_page", limit=5)
    assert len(typed.results) == 5 and typed.results[0].properties["hs_url"].startswith("https://careers.")
    assert body["paging"]["next"]["after"]


def test_list_routes_fit_the_sdk_models(client, sandbox):
    lists, memberships = client.crm.lists.lists_api, client.crm.lists.memberships_api
    pool = sandbox.seed_summary["lists"]["Engineering talent pool"]
    _, body, typed = conform(lists, "get_by_id", pool)
    assert typed.list.processing_type == "DYNAMIC" and typed.list.size >= 30 and "filterBranch" not in body["list"]
    # SDK 12.0.0's filter-branch model admits only ASSOCIATION branches, so a real OR root (HubSpot's own
    # example) fails client-side validation (HubSpot/hubspot-api-php#478): filters are checked for keys and
    # types only, which is what the SDK does with its default (validation off) configuration.
    _, body, typed = conform(lists, "get_by_id", pool, include_filters=True, strict=False)
    assert typed.list.filter_branch.filter_branch_type == "OR"
    assert body["list"]["filterBranch"]["filterBranches"][0]["filters"][0]["filterType"] == "PAGE_VIEW"
    _, _, typed = conform(lists, "get_by_name", "engineering TALENT pool", "0-1")
    assert typed.list.list_id == pool
    _, _, typed = conform(lists, "get_all", list_ids=[pool, "999"])
    assert [x.list_id for x in typed.lists] == [pool]
    _, body, typed = conform(lists, "do_search", ListSearchRequest(offset=0, query="talent", count=1))
    assert typed.total == 2 and typed.has_more and typed.lists[0].additional_properties["hs_list_size"]
    _, body, typed = conform(memberships, "get_page", pool, limit=10)
    assert len(typed.results) == 10 and typed.total == lists.get_by_id(pool).list.size and "prev" not in body["paging"]
    # the cursor goes back exactly as it came (HubSpot's is URL-encoded inside the JSON)
    _, body, typed = conform(memberships, "get_page", pool, limit=10, after=typed.paging.next.after)
    assert typed.paging.prev.before and typed.paging.next.after
    _, _, back = conform(memberships, "get_page", pool, limit=5, before=typed.paging.prev.before)
    assert [int(r.record_id) for r in back.results] == sorted((int(r.record_id) for r in back.results), reverse=True)


def test_error_bodies_fit_the_sdk_error_model(client, sandbox):
    api = client.crm.contacts.basic_api
    with pytest.raises(Exception) as missing:
        api.get_by_id("999999")
    assert missing.value.status == 404 and _error(api, missing.value)["category"] == "OBJECT_NOT_FOUND"
    with pytest.raises(Exception) as invalid:
        client.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": sandbox.contacts()[0]["id"], "properties": {"nope": "1"}}]))
    assert invalid.value.status == 400 and _error(api, invalid.value)["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    core = client.crm.properties.core_api
    with pytest.raises(Exception) as dup:
        core.create("contacts", PropertyCreate(name="email", label="E", type="string", field_type="text",
                                               group_name="contactinformation"))
    assert dup.value.status == 409
    _error(core, dup.value)
    lists = client.crm.lists.memberships_api
    with pytest.raises(Exception) as no_list:
        lists.get_page("987654")
    assert no_list.value.status == 404 and _error(lists, no_list.value)["category"] == "OBJECT_NOT_FOUND"
    with pytest.raises(Exception) as too_many:
        lists.get_page(sandbox.seed_summary["lists"]["Finance talent pool"], limit=251)
    assert too_many.value.status == 400 and _error(lists, too_many.value)["category"] == "VALIDATION_ERROR"
    anonymous = HubSpot(access_token="wrong", host=sandbox.url).crm.contacts.basic_api
    with pytest.raises(Exception) as denied:
        anonymous.get_page()
    assert denied.value.status == 401 and _error(api, denied.value)["category"] == "INVALID_AUTHENTICATION"
    narrow = HubSpotSandbox(scopes={"crm.objects.contacts.read"}).start()
    try:
        owners = HubSpot(access_token=narrow.token, host=narrow.url).crm.owners.owners_api
        with pytest.raises(Exception) as forbidden:
            owners.get_page()
        body = _error(owners, forbidden.value)
        assert body["errors"][0]["context"]["requiredScopes"] == ["crm.objects.owners.read"]
    finally:
        narrow.stop()


def test_rate_limit_body_has_the_documented_keys(sandbox):
    sandbox.add_fault(kind="status", status=429, policy="DAILY")
    resp = requests.get(f"{sandbox.url}/crm/v3/objects/contacts",
                        headers={"Authorization": f"Bearer {sandbox.token}"}, timeout=5)
    assert resp.status_code == 429
    assert set(resp.json()) == {"status", "message", "errorType", "correlationId", "policyName", "groupName",
                                "requestId"}


def test_email_events_have_the_shape_of_the_real_response(client, sandbox):
    example = json.loads(FIXTURE.read_text())
    resp = client.api_request({"method": "GET", "path": "/email/public/v1/events", "qs": {"limit": 1000}})
    body = resp.json()
    assert resp.status_code == 200 and set(body) == set(example)
    assert isinstance(body["offset"], str) and isinstance(body["hasMore"], bool)
    ours = {e["type"]: e for e in body["events"]}
    theirs = {e["type"]: e for e in example["events"]}
    compared = set(ours) & set(theirs)
    assert {"SENT", "OPEN", "CLICK"} <= compared
    for kind in compared:
        assert set(ours[kind]) == set(theirs[kind]), kind
        for key, value in theirs[kind].items():
            if value is not None:
                assert type(ours[kind][key]) is type(value), (kind, key)


def test_account_and_token_routes_have_the_documented_fields(client, sandbox):
    details = client.api_request({"method": "GET", "path": "/account-info/v3/details"}).json()
    assert set(details) == {"portalId", "accountType", "timeZone", "companyCurrency", "additionalCurrencies",
                            "utcOffset", "utcOffsetMilliseconds", "uiDomain", "dataHostingLocation"}
    usage = client.api_request({"method": "GET", "path": "/account-info/v3/api-usage/daily/private-apps"}).json()
    assert set(usage["results"][0]) == {"name", "usageLimit", "currentUsage", "collectedAt", "fetchStatus",
                                        "resetsAt"}
    info = client.api_request({"method": "POST", "path": "/oauth/v2/private-apps/get/access-token-info",
                               "body": {"tokenKey": sandbox.token}}).json()
    assert info["hubId"] == details["portalId"] and "crm.objects.contacts.write" in info["scopes"]
