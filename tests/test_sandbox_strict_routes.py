"""The sandbox accepts what HubSpot accepts and refuses what it refuses, route by route.

- CRM object paths take the singular, the object type id and any case (`/crm/v3/objects/0-1`, `.../task/...`);
  so do the properties and v4 association paths.
- Every route declares its scopes; a token without them gets HubSpot's 403 MISSING_SCOPES naming them.
- GET schemas answers an empty list in the SDK's model; v4 association batch read takes 1,000 ids, not 1,001.
The new answers are parsed by the official SDK with client-side validation on (`conform`).
"""

from __future__ import annotations

import re

import pytest
import requests
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.objects import BatchReadInputSimplePublicObjectId, PublicObjectSearchRequest

from connector.sandbox.hs_routes_misc import ASSOC_BATCH_LIMIT
from connector.sandbox.hs_routes_schemas import SCHEMA_READ_SCOPES
from connector.sandbox.hubspot import DEFAULT_SCOPES, ROUTES, HubSpotSandbox
from tests import test_sandbox_conformance as shared
from tests.test_sandbox_conformance import _contact_id, _error, _task, conform

sandbox, fresh, client = shared.sandbox, shared.fresh, shared.client

ALIASES = {"contacts": ("contact", "0-1", "CONTACTS", "Contact"), "tasks": ("task", "0-27", "TASKS", "Task")}
OBJECT_ROUTES = [(r, kind) for r in ROUTES for kind in ALIASES if re.match(rf"^/crm/v3/objects/{kind}(/|$)", r.path)]
NO_SCOPE_ROUTES = {("POST", "/oauth/v2/private-apps/get/access-token-info")}   # [C] needs only the token itself
EVERY_SCOPE = frozenset(DEFAULT_SCOPES | set(SCHEMA_READ_SCOPES)
                        | {s for r in ROUTES for s in r.scopes}
                        | {s for r in ROUTES for scopes in (r.type_scopes or {}).values() for s in scopes})
PARAMS = {"objectType": "contacts", "fromObjectType": "contacts", "toObjectType": "tasks", "objectTypeId": "0-1",
          "propertyName": "email", "listName": "pool"}


def _filled(path: str, **values) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: {**PARAMS, **values}.get(m.group(1), "1"), path)


def _http(box, method: str, path: str, body=None) -> requests.Response:
    return requests.request(method, box.url + path, json=body, timeout=10,
                            headers={"Authorization": f"Bearer {box.token}"})


@pytest.fixture
def schemas_scope(sandbox):
    """The shared sandbox's token with the schema read scope too (restored after the test)."""
    before = sandbox.scopes
    sandbox.scopes = before | {"crm.schemas.custom.read"}
    yield sandbox
    sandbox.scopes = before


# --- singular names and object type ids ------------------------------------------------------------


@pytest.mark.parametrize("route,kind", OBJECT_ROUTES, ids=lambda x: f"{x.method} {x.path}" if hasattr(x, "path") else x)
def test_every_contact_and_task_route_answers_to_its_singular_and_type_id(sandbox, route, kind):
    for alias in ALIASES[kind]:
        path = _filled(route.path.replace(f"/objects/{kind}", f"/objects/{alias}", 1))
        assert sandbox._match(route.method, path)[0] is route, (alias, path)


def test_an_object_type_hubspot_does_not_have_is_not_routed(sandbox):
    resp = _http(sandbox, "GET", "/crm/v3/objects/widgets?limit=1")
    assert resp.status_code == 404 and resp.json()["category"] == "OBJECT_NOT_FOUND"


def test_the_generic_objects_api_reads_contacts_and_tasks_by_type_id_and_singular(client, sandbox):
    objects = client.crm.objects
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    task_id = _task(client, fan)
    _, body, _ = conform(objects.basic_api, "get_page", "0-1", limit=3, properties=["email"])
    assert len(body["results"]) == 3 and body["paging"]["next"]["after"]
    _, body, typed = conform(objects.basic_api, "get_by_id", "contact", fan, associations=["0-27"])
    assert body["properties"]["email"] == "anna.devries@example.nl"
    assert [r.id for r in typed.associations["tasks"].results] == [task_id]
    status, body, _ = conform(objects.batch_api, "read", "0-27", BatchReadInputSimplePublicObjectId(
        inputs=[{"id": task_id}], properties=["hs_task_subject"], properties_with_history=[]))
    assert status == 200 and body["results"][0]["properties"]["hs_task_subject"] == "Call"
    _, body, _ = conform(objects.search_api, "do_search", "task", PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "hs_task_subject", "operator": "EQ", "value": "Call"}]}]))
    assert [r["id"] for r in body["results"]] == [task_id]
    _, body, _ = conform(objects.basic_api, "get_by_id", "TASKS", task_id)
    assert body["id"] == task_id


def test_a_write_through_the_type_id_path_lands_on_the_contact(sandbox):
    contact = sandbox.contacts()[0]["id"]
    resp = _http(sandbox, "PATCH", f"/crm/v3/objects/0-1/{contact}", {"properties": {"city": "Zwolle"}})
    assert resp.status_code == 200 and sandbox.contact(contact)["city"] == "Zwolle"
    assert sandbox.requests[-1].path == f"/crm/v3/objects/0-1/{contact}"       # recorded as sent


def test_properties_and_v4_associations_take_singular_names_and_type_ids(client, sandbox):
    # [U] HubSpot's properties and v4 paths document {objectType} as a name or an object type id.
    core = client.crm.properties.core_api
    _, plural, _ = conform(core, "get_all", "contacts")
    for alias in ("contact", "0-1"):
        _, body, _ = conform(core, "get_all", alias)
        assert {p["name"] for p in body["results"]} == {p["name"] for p in plural["results"]}
    _, body, _ = conform(core, "get_by_name", "0-27", "hs_task_subject")
    assert body["name"] == "hs_task_subject"
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    task_id = _task(client, fan)
    v4 = client.crm.associations.v4
    _, body, _ = conform(v4.basic_api, "get_page", "0-1", fan, "task")
    assert [(r["toObjectId"], r["associationTypes"][0]["typeId"]) for r in body["results"]] == [(int(task_id), 203)]
    status, _, typed = conform(v4.batch_api, "get_page", "0-27", "contact",
                               BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": task_id}]))
    assert status == 200 and typed.results[0].to[0].to_object_id == fan


# --- scopes ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bare():
    box = HubSpotSandbox(seed=False, rate_limit=100_000, search_rate_per_s=100_000).start()
    yield box
    box.stop()


def _scope_cases():
    for route in ROUTES:
        if route.type_scopes:
            for kind, scopes in route.type_scopes.items():
                yield pytest.param(route, kind, scopes, id=f"{route.method} {route.path} [{kind}]")
        elif route.scopes:
            yield pytest.param(route, "contacts", route.scopes, id=f"{route.method} {route.path}")


def test_every_route_declares_its_scopes_but_the_token_info_probe():
    undeclared = {(r.method, r.path) for r in ROUTES if not r.scopes and not r.type_scopes}
    assert undeclared == NO_SCOPE_ROUTES


@pytest.mark.parametrize("route,kind,scopes", list(_scope_cases()))
def test_a_token_without_the_routes_scopes_gets_403_missing_scopes(bare, route, kind, scopes):
    bare.scopes = EVERY_SCOPE - set(scopes)
    try:
        resp = _http(bare, route.method, _filled(route.path, objectType=kind), {} if route.method != "GET" else None)
    finally:
        bare.scopes = DEFAULT_SCOPES
    assert resp.status_code == 403, resp.text
    body = resp.json()
    assert body["category"] == "MISSING_SCOPES" and body["errors"][0]["context"]["requiredScopes"] == sorted(scopes)
    assert bare.requests[-1].status == 403


def test_any_one_of_a_routes_scopes_is_enough(bare):
    for scope in SCHEMA_READ_SCOPES:
        bare.scopes = frozenset({scope})
        try:
            assert _http(bare, "GET", "/crm-object-schemas/v3/schemas").status_code == 200, scope
        finally:
            bare.scopes = DEFAULT_SCOPES


# --- schemas --------------------------------------------------------------------------------------------------


def test_schemas_answer_an_empty_list_in_the_sdks_model(client, schemas_scope):
    status, body, typed = conform(client.crm.schemas.core_api, "get_all")
    assert status == 200 and body == {"results": []} and typed.results == []
    _, body, _ = conform(client.crm.schemas.core_api, "get_all", archived=True)
    assert body == {"results": []}
    assert _http(schemas_scope, "GET", "/crm/v3/schemas").json() == {"results": []}
    assert _http(schemas_scope, "GET", "/crm/v3/schemas?archived=maybe").status_code == 400


def test_schemas_without_the_scope_name_hubspots_four_scopes(client):
    api = client.crm.schemas.core_api
    with pytest.raises(Exception) as denied:
        api.get_all()
    body = _error(api, denied.value)
    assert denied.value.status == 403 and body["errors"][0]["context"]["requiredScopes"] == sorted(SCHEMA_READ_SCOPES)


def test_schemas_need_an_enterprise_portal():
    box = HubSpotSandbox(seed=False, tier="professional", scopes={"crm.schemas.custom.read"}).start()
    try:
        resp = _http(box, "GET", "/crm-object-schemas/v3/schemas")
    finally:
        box.stop()
    assert resp.status_code == 403 and resp.json()["category"] == "FORBIDDEN"


# --- association batch read limit ----------------------------------------------------------------------------


def test_association_batch_read_takes_1000_ids_and_refuses_1001(client, sandbox):
    fan = _contact_id(sandbox, "anna.devries@example.nl")
    _task(client, fan)
    ids = [{"id": fan}] + [{"id": str(9_000_000 + i)} for i in range(ASSOC_BATCH_LIMIT - 1)]
    batch = client.crm.associations.v4.batch_api
    status, body, typed = conform(batch, "get_page", "contacts", "tasks",
                                  BatchInputPublicFetchAssociationsBatchRequest(inputs=ids))
    assert ASSOC_BATCH_LIMIT == 1000 and status == 207
    assert len(typed.results) == 1 and body["numErrors"] == 999
    with pytest.raises(Exception) as too_many:
        batch.get_page("contacts", "tasks", BatchInputPublicFetchAssociationsBatchRequest(
            inputs=ids + [{"id": "42"}]))
    body = _error(batch, too_many.value)
    assert too_many.value.status == 400 and body["category"] == "VALIDATION_ERROR" and "1000" in body["message"]
