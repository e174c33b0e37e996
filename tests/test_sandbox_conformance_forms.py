"""The sandbox's forms routes against the SDK's `hubspot.marketing.forms` models and HubSpot's documented v1 shape."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

import pytest
import requests

from connector.sandbox.hubspot import HubSpotSandbox
from tests import test_sandbox_conformance as shared
from tests.test_sandbox_conformance import _error, _strict, _walk, conform

# The conformance module's fixtures: a sandbox per module, reset per test, and an SDK client on it.
sandbox, fresh, client = shared.sandbox, shared.fresh, shared.client

# SDK 12.0.0 flattens the field oneOf into one model whose fieldType enum admits only "payment_link_radio" and whose
# `validation` is the number field's, and it admits only `formType: hubspot`; so a form is checked field by field
# against the model of its own fieldType (strictly), and the rest of the form for keys and types.
FIELD_MODELS = {"email": "EmailField", "single_line_text": "SingleLineTextField", "file": "FileField",
                "phone": "PhoneField", "multi_line_text": "MultiLineTextField"}


def _form_conforms(api, form: dict) -> None:
    models = importlib.import_module("hubspot.marketing.forms.models")
    strict = _strict(api)
    for group in form["fieldGroups"]:
        strict.deserialize(SimpleNamespace(data=json.dumps({**group, "fields": []})), "FieldGroup")
        for item in group["fields"]:
            model = FIELD_MODELS[item["fieldType"]]
            strict.deserialize(SimpleNamespace(data=json.dumps(item)), model)
            _walk(item, model, models, f"{form['name']}.{item['name']}")
    for key, model in (("configuration", "HubSpotFormConfiguration"), ("displayOptions", "FormDisplayOptions"),
                       ("legalConsentOptions", "LegalConsentOptionsNone")):
        strict.deserialize(SimpleNamespace(data=json.dumps(form[key])), model)
    _walk({**form, "fieldGroups": [{**g, "fields": []} for g in form["fieldGroups"]]}, "FormDefinitionBase", models,
          form["name"])


def test_form_routes_fit_the_sdk_models(client, sandbox):
    api = client.marketing.forms.forms_api
    _, body, typed = conform(api, "get_page", strict=False, walk=False, limit=2)
    assert len(typed.results) == 2 and body["paging"]["next"]["after"]
    assert {f["formType"] for f in body["results"]} == {"hubspot"}         # only hubspot forms unless asked
    _, body, typed = conform(api, "get_page", strict=False, walk=False, form_types=["hubspot", "flow"], limit=100)
    assert "paging" not in body and {f.form_type for f in typed.results} == {"hubspot", "flow"}
    for form in body["results"]:
        _form_conforms(api, form)
    names = {f["name"]: f["id"] for f in body["results"]}
    assert {"Apply", "Start application", "Job alert", "Solliciteer: Data Engineer"} <= set(names)
    _, one, _ = conform(api, "get_by_id", names["Apply"], strict=False, walk=False)
    _form_conforms(api, one)
    assert [f["name"] for g in one["fieldGroups"] for f in g["fields"]][:1] == ["email"]
    sandbox.archive_form(names["Job alert"])
    _, body, _ = conform(api, "get_page", strict=False, walk=False, form_types=["flow"], archived=True)
    assert [f["name"] for f in body["results"]] == ["Job alert"] and body["results"][0]["archivedAt"]
    with pytest.raises(Exception) as gone:
        api.get_by_id(names["Job alert"])
    assert gone.value.status == 404 and _error(api, gone.value)["category"] == "OBJECT_NOT_FOUND"
    with pytest.raises(Exception) as bad_type:
        api.get_page(form_types=["popup"])
    assert bad_type.value.status == 400 and _error(api, bad_type.value)["category"] == "VALIDATION_ERROR"


def _submissions(client, guid: str, **qs):
    return client.api_request({"method": "GET", "path": f"/form-integrations/v1/submissions/forms/{guid}", "qs": qs})


def test_form_submissions_have_the_documented_shape_and_limits(client, sandbox):
    guid = sandbox.seed_summary["forms"]["forms"]["Start application"]
    resp = _submissions(client, guid, limit=5)
    body = resp.json()
    assert resp.status_code == 200 and set(body) == {"results", "paging"}
    assert set(body["paging"]["next"]) == {"after", "link"}
    for sub in body["results"]:
        assert set(sub) == {"conversionId", "submittedAt", "values", "pageUrl"}
        assert isinstance(sub["submittedAt"], int) and isinstance(sub["conversionId"], str)
        assert all(set(v) == {"name", "value"} for v in sub["values"])
    stamps = [s["submittedAt"] for s in body["results"]]
    assert stamps == sorted(stamps, reverse=True)                       # reverse-chronological [V]
    rest = _submissions(client, guid, limit=50, after=body["paging"]["next"]["after"]).json()
    assert rest["results"][0]["submittedAt"] <= stamps[-1]
    assert {s["conversionId"] for s in rest["results"]}.isdisjoint({s["conversionId"] for s in body["results"]})
    total = len(body["results"]) + len(rest["results"])
    assert len(_submissions(client, guid).json()["results"]) == min(20, total)   # default page size 20 [V]
    too_many = _submissions(client, guid, limit=51)
    assert too_many.status_code == 400 and too_many.json()["category"] == "VALIDATION_ERROR"
    unknown = _submissions(client, "00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["category"] == "OBJECT_NOT_FOUND"
    narrow = HubSpotSandbox(scopes={"crm.objects.contacts.read"}).start()
    try:
        denied = requests.get(f"{narrow.url}/form-integrations/v1/submissions/forms/{guid}",
                              headers={"Authorization": f"Bearer {narrow.token}"}, timeout=5)
        assert denied.status_code == 403 and denied.json()["category"] == "MISSING_SCOPES"
    finally:
        narrow.stop()
