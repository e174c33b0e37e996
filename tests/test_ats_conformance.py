"""The ATS sandboxes and adapters checked against the OpenAPI subsets in connector/sandbox/openapi/ (written
from the vendors' public docs): every route is specified, every answer matches its schema, and every request
the adapters make uses only documented operations and parameters with valid values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from jsonschema import Draft202012Validator

SPECS = Path(__file__).parent.parent / "connector" / "sandbox" / "openapi"


def _spec(name: str) -> dict:
    return json.loads((SPECS / f"{name}.json").read_text())


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node and len(node) == 1 and node["$ref"].startswith("#/components/") and \
            not node["$ref"].startswith("#/components/schemas/"):
        target = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _operation(spec: dict, method: str, path: str) -> tuple[str, dict] | None:
    for template, ops in spec["paths"].items():
        if re.fullmatch(re.sub(r"\{\w+\}", r"[^/]+", template), path) and method.lower() in ops:
            return template, ops[method.lower()]
    return None


def _validate(spec: dict, schema: dict, value) -> None:
    Draft202012Validator({**schema, "components": spec["components"]}).validate(value)


def _check_answer(spec: dict, method: str, path: str, resp: requests.Response) -> None:
    found = _operation(spec, method, path)
    assert found, f"{method} {path} is not in the spec"
    responses = found[1]["responses"]
    assert str(resp.status_code) in responses, f"{method} {path} answered {resp.status_code}, not specified"
    response = _resolve(spec, responses[str(resp.status_code)])
    _validate(spec, response["content"]["application/json"]["schema"], resp.json())


def _check_request(spec: dict, recorded) -> None:
    found = _operation(spec, recorded.method, recorded.path)
    assert found, f"the adapter called {recorded.method} {recorded.path}, which is not in the spec"
    params = {p["name"]: p for p in (_resolve(spec, p) for p in found[1].get("parameters", [])) if p["in"] == "query"}
    for name, values in recorded.query.items():
        assert name in params, f"{recorded.path}: undocumented query parameter {name}"
        schema = params[name]["schema"]
        value = values[0]
        if schema.get("type") == "integer":
            assert value.isdigit(), f"{recorded.path}: {name}={value} is not an integer"
            value = int(value)
        _validate(spec, schema, value)


def _routes(server) -> set[tuple[str, str]]:
    return {(m, re.sub(r"\{\w+\}", "{}", p)) for m, p, _ in server.ROUTES}


def _spec_routes(spec: dict) -> set[tuple[str, str]]:
    return {(m.upper(), re.sub(r"\{\w+\}", "{}", p)) for p, ops in spec["paths"].items() for m in ops}


@pytest.mark.parametrize("name", ["recruitee", "greenhouse"])
def test_every_sandbox_route_is_specified_and_every_specified_route_is_served(name):
    from connector.sandbox.greenhouse import GreenhouseSandbox
    from connector.sandbox.recruitee import RecruiteeSandbox
    server = {"recruitee": RecruiteeSandbox, "greenhouse": GreenhouseSandbox}[name]
    assert _routes(server) == _spec_routes(_spec(name))


def test_recruitee_sandbox_answers_match_the_spec(recruitee):
    spec, base = _spec("recruitee"), f"{recruitee.url}/c/{recruitee.company_id}"
    auth = {"Authorization": f"Bearer {recruitee.token}"}
    person = next(iter(recruitee.world.people))
    calls = [("/offers", {}), ("/disqualify_reasons", {}), ("/candidates", {"limit": 5}), (f"/candidates/{person}", {}),
             ("/search/new/candidates", {"limit": 5, "sort_by": "updated_at_asc",
                                         "filters": json.dumps([{"field": "updated_at", "gte": 0}])})]
    for path, params in calls:
        resp = requests.get(base + path, params=params, headers=auth, timeout=5)
        assert resp.status_code == 200
        _check_answer(spec, "GET", f"/c/{recruitee.company_id}{path}", resp)
    _check_answer(spec, "GET", f"/c/{recruitee.company_id}/offers", requests.get(base + "/offers", timeout=5))
    recruitee.set_rate_limit(1, 60.0)
    requests.get(base + "/offers", headers=auth, timeout=5)
    limited = requests.get(base + "/offers", headers=auth, timeout=5)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    _check_answer(spec, "GET", f"/c/{recruitee.company_id}/offers", limited)


def test_greenhouse_sandbox_answers_match_the_spec(greenhouse):
    spec = _spec("greenhouse")
    token_resp = requests.post(f"{greenhouse.url}/token", auth=(greenhouse.client_id, greenhouse.client_secret),
                               data={"grant_type": "client_credentials"}, timeout=5)
    _check_answer(spec, "POST", "/token", token_resp)
    auth = {"Authorization": f"Bearer {token_resp.json()['access_token']}"}
    for path in ("/v3/jobs", "/v3/candidates", "/v3/applications", "/v3/rejection_reasons", "/v3/users"):
        first = requests.get(greenhouse.url + path, params={"per_page": 3}, headers=auth, timeout=5)
        _check_answer(spec, "GET", path, first)
        if "next" in first.links:
            _check_answer(spec, "GET", path, requests.get(first.links["next"]["url"], headers=auth, timeout=5))
            mixed = requests.get(first.links["next"]["url"] + "&per_page=3", headers=auth, timeout=5)
            assert mixed.status_code == 422
            _check_answer(spec, "GET", path, mixed)
    board = f"/v1/boards/{greenhouse.board_token}/jobs"
    _check_answer(spec, "GET", board, requests.get(greenhouse.url + board, timeout=5))
    _check_answer(spec, "GET", "/v3/jobs", requests.get(greenhouse.url + "/v3/jobs", timeout=5))
    greenhouse.set_rate_limit(1, 10.0)
    requests.get(greenhouse.url + "/v3/jobs", headers=auth, timeout=5)
    limited = requests.get(greenhouse.url + "/v3/jobs", headers=auth, timeout=5)
    assert limited.status_code == 429 and {"Retry-After", "X-RateLimit-Reset"} <= set(limited.headers)
    _check_answer(spec, "GET", "/v3/jobs", limited)


def test_recruitee_adapter_requests_match_the_spec(recruitee_connector, recruitee):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json(ATS_PAGE_SIZE="25")
    recruitee.world.move(recruitee.world.applications()[0].id, "Aanbod")
    recruitee_connector.sync_json(ATS_PAGE_SIZE="25")
    assert len(recruitee.requests) > 5
    for recorded in recruitee.requests:
        _check_request(_spec("recruitee"), recorded)


def test_greenhouse_adapter_requests_match_the_spec(greenhouse_connector, greenhouse):
    greenhouse_connector.run("setup")
    greenhouse_connector.sync_json(ATS_PAGE_SIZE="25")
    greenhouse.world.move(greenhouse.world.applications()[0].id, "Aanbod")
    greenhouse_connector.sync_json(ATS_PAGE_SIZE="25")
    spec = _spec("greenhouse")
    assert len(greenhouse.requests) > 10
    for recorded in greenhouse.requests:
        _check_request(spec, recorded)
        if "cursor" in recorded.query:
            assert set(recorded.query) == {"cursor"}
