"""Forms routes: the v3 form definitions (list, by id) and the v1 form-integrations submissions feed.

Facts marked [V] come from the SDK 12.0.0 `hubspot.marketing.forms` docstrings or HubSpot's forms reference
pages, [U] are decided here (unverified). The stored model and wire shape are in hs_forms.
"""

from __future__ import annotations

from .hs_errors import not_found, validation
from .hs_forms import FORM_TYPES, form_definition
from .hs_wire import Call, Route, decode_cursor, encode_cursor, paging

FORMS_DEFAULT_LIMIT = 20  # [V] SDK get_page: "By default, it returns the first 20 `hubspot` forms"
FORMS_LIMIT = 100  # [U] HubSpot documents no maximum; a larger limit is refused here (the stricter reading)
SUBMISSIONS_DEFAULT_LIMIT, SUBMISSIONS_LIMIT = 20, 50  # [V] v1 reference: "Defaults to 20, supports a maximum of 50"
SCOPES = ("forms",)  # [V] forms v2/v3 ScopesList
SUBMISSION_SCOPES = ("forms", "forms-uploaded-files")  # [V] v1 submissions ScopesList: "one of the following"
ALL_TYPES = "all"  # [U] accepted as every type, as Airbyte's stream sends it [C]


def _offset(call: Call) -> int:
    position = decode_cursor(call.q("after"))
    if position is not None and not position.isdigit():
        raise validation(f"Invalid after token: {call.q('after')}", context={"after": [call.q("after") or ""]})
    return int(position or 0)


def _types(call: Call) -> set[str]:
    wanted = call.q_list("formTypes")
    if not wanted:
        return {"hubspot"}  # [V] SDK docstring: only `hubspot` forms by default
    if ALL_TYPES in wanted:
        return set(FORM_TYPES)
    bad = [t for t in wanted if t not in FORM_TYPES]
    if bad:
        raise validation(f"Invalid formTypes: {bad}", context={"formTypes": bad})
    return set(wanted)


def list_forms(call: Call) -> tuple[int, dict]:
    """GET /marketing/v3/forms/: forms of the asked types, archived ones only with archived=true [V SDK].

    [U] order: oldest form first (HubSpot does not document it); the `after` token is opaque.
    """
    limit = call.q_int("limit", FORMS_DEFAULT_LIMIT, FORMS_LIMIT)
    types, archived = _types(call), call.q_bool("archived")
    forms = sorted((f for f in call.portal.forms.values() if f["formType"] in types and f["archived"] == archived),
                   key=lambda f: (f["created_ms"], f["id"]))
    start = _offset(call)
    page = forms[start:start + limit]
    body: dict = {"results": [form_definition(f) for f in page]}
    body.update(paging(call, encode_cursor(str(start + limit)) if start + limit < len(forms) else None))
    return 200, body


def _form(call: Call, guid: str) -> dict:
    form = call.portal.forms.get(guid)
    if form is None:
        raise not_found(f"Form {guid} does not exist")  # [U] wording; HubSpot's 404 envelope [V]
    return form


def get_form(call: Call) -> tuple[int, dict]:
    """GET /marketing/v3/forms/{formId}; an archived form only with archived=true [U]."""
    form = _form(call, call.params["formId"])
    if form["archived"] and not call.q_bool("archived"):
        raise not_found(f"Form {form['id']} does not exist")
    return 200, form_definition(form)


def submissions(call: Call) -> tuple[int, dict]:
    """GET /form-integrations/v1/submissions/forms/{formGuid}: newest first [V reference], `after` paging.

    [V] limit 1..50, default 20 (a limit over 50 is a 400 here: the reference's `1 <= x <= 50`, the stricter
    reading). [U] an unknown guid is a 404; submissions of archived forms are still served.
    """
    form = _form(call, call.params["formGuid"])
    limit = call.q_int("limit", SUBMISSIONS_DEFAULT_LIMIT, SUBMISSIONS_LIMIT)
    newest_first = sorted(call.portal.form_submissions.get(form["id"], []),
                          key=lambda s: (s["submittedAt"], s["conversionId"]), reverse=True)
    start = _offset(call)
    page = newest_first[start:start + limit]
    body: dict = {"results": [{**s, "values": [dict(v) for v in s["values"]]} for s in page]}
    body.update(paging(call, encode_cursor(str(start + limit)) if start + limit < len(newest_first) else None))
    return 200, body


ROUTES = [
    Route("GET", "/marketing/v3/forms/", "marketing.forms.forms_api.get_page",
          ("after", "limit", "archived", "formTypes"), list_forms, SCOPES),
    Route("GET", "/marketing/v3/forms/{formId}", "marketing.forms.forms_api.get_by_id", ("archived",), get_form,
          SCOPES),
    Route("GET", "/form-integrations/v1/submissions/forms/{formGuid}", None, ("limit", "after"), submissions,
          SUBMISSION_SCOPES),
]
