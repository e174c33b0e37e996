"""Marketing forms and their submissions: the stored form model, its v3 wire shape, and the builders.

Facts marked [V] come from HubSpot's forms pages (v3 "Get a list of forms" example, v1 "Get submissions for a
form") or the SDK 12.0.0 models, [U] are decided here (unverified).
- A form is `{id, name, formType, createdAt, updatedAt, archived, fieldGroups, configuration, displayOptions,
  legalConsentOptions}` [V v3 example]; form types hubspot, captured, flow, blog_comment [V forms guide].
- A submission is `{conversionId, submittedAt (epoch ms), values: [{name, value}], pageUrl}` and carries no
  contact id [V v1 reference]; values hold what the visitor typed, untrimmed [U].
- HubSpot also creates or updates the submitter's contact (and its conversion rollups); the sandbox does not:
  tests and the seed create the contacts they need, and the connector reads submissions only from this feed.
"""

from __future__ import annotations

import uuid

from .hs_props import iso_ms
from .hs_store import ID_NAMESPACE, Portal

FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment")  # [V] forms guide
FIELD_LABELS = {"email": "Email", "firstname": "First name", "lastname": "Last name", "cv": "CV",
                "vacancy": "Vacancy", "phone": "Phone number", "message": "Message"}
FIELD_TYPES = {"email": "email", "cv": "file", "message": "multi_line_text", "phone": "phone"}
CONTACT_TYPE = "0-1"
STYLE = {"fontFamily": "arial, helvetica, sans-serif", "backgroundWidth": "100%", "labelTextColor": "#33475b",
         "labelTextSize": "14px", "helpTextColor": "#7C98B6", "helpTextSize": "11px",
         "legalConsentTextColor": "#33475b", "legalConsentTextSize": "14px", "submitColor": "#ff7a59",
         "submitAlignment": "left", "submitFontColor": "#ffffff", "submitSize": "12px"}


def new_form(portal: Portal, name: str, fields: list[str], *, at_ms: int, form_type: str = "hubspot",
             form_id: str | None = None) -> dict:
    """Store a form with these contact fields (email first, as HubSpot's editor requires [U]); returns it."""
    if form_type not in FORM_TYPES:
        raise ValueError(f"unknown form type {form_type}")
    guid = form_id or str(uuid.uuid5(ID_NAMESPACE, f"form-{name}"))
    if guid in portal.forms:
        raise ValueError(f"form {guid} exists")
    form = {"id": guid, "name": name, "formType": form_type, "created_ms": at_ms, "updated_ms": at_ms,
            "archived": False, "archived_ms": None, "fields": list(fields)}
    portal.forms[guid] = form
    return form


def new_submission(portal: Portal, form_id: str, values: dict[str, str], *, at_ms: int, page_url: str,
                   conversion_id: str | None = None) -> dict:
    """Store one submission of a form, as a visitor's browser sends it; returns the wire record."""
    if form_id not in portal.forms:
        raise KeyError(form_id)
    subs = portal.form_submissions[form_id]
    # deterministic per form and position (not the portal's shared sequence, so other seeded ids do not move)
    conversion_id = conversion_id or str(uuid.uuid5(ID_NAMESPACE, f"conversion-{form_id}-{len(subs)}"))
    submission = {"conversionId": conversion_id, "submittedAt": at_ms,
                  "values": [{"name": k, "value": v} for k, v in values.items()], "pageUrl": page_url}
    subs.append(submission)
    if len(subs) > 1 and subs[-2]["submittedAt"] > at_ms:
        subs.sort(key=lambda s: s["submittedAt"])
    return submission


def _field(name: str) -> dict:
    kind = FIELD_TYPES.get(name, "single_line_text")
    out = {"objectTypeId": CONTACT_TYPE, "name": name, "label": FIELD_LABELS.get(name, name.title()),
           "required": name == "email", "hidden": False, "fieldType": kind, "dependentFields": []}
    if kind == "email":
        out["validation"] = {"blockedEmailDomains": [], "useDefaultBlockList": False}
    elif kind == "file":
        out["allowMultipleFiles"] = False
    elif kind == "phone":
        out["useCountryCodeSelect"] = False
        out["validation"] = {"minAllowedDigits": 7, "maxAllowedDigits": 20}
    return out


def form_definition(form: dict) -> dict:
    """The v3 wire shape of a stored form [V v3 example; field shapes per the SDK's *Field models]."""
    out = {
        "id": form["id"], "name": form["name"], "formType": form["formType"],
        "createdAt": iso_ms(form["created_ms"]), "updatedAt": iso_ms(form["updated_ms"]),
        "archived": form["archived"],
        # one field per group, as the editor stores them [V v3 example]
        "fieldGroups": [{"groupType": "default_group", "richTextType": "text", "fields": [_field(name)]}
                        for name in form["fields"]],
        "configuration": {
            "language": "en", "cloneable": True, "editable": True, "archivable": True, "recaptchaEnabled": False,
            "postSubmitAction": {"type": "thank_you", "value": "Thanks for submitting the form."},
            "notifyContactOwner": False, "notifyRecipients": [], "createNewContactForNewEmail": False,
            "prePopulateKnownValues": True, "allowLinkToResetKnownValues": False, "lifecycleStages": []},
        "displayOptions": {"renderRawHtml": False, "theme": "default_style", "submitButtonText": "Submit",
                           "style": dict(STYLE)},
        "legalConsentOptions": {"type": "none"},
    }
    if form["archived"] and form["archived_ms"] is not None:
        out["archivedAt"] = iso_ms(form["archived_ms"])
    return out
