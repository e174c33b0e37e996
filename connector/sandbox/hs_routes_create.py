"""Contact creation: POST /crm/v3/objects/contacts (201), 409 when a live contact already holds the email."""

from __future__ import annotations

from .hs_errors import conflict
from .hs_routes_crm import WRITE_SCOPES
from .hs_wire import Call, Route, chosen_properties, serialize


def create_contact(call: Call) -> tuple[int, dict]:
    """[V] HubSpot answers 409 CONFLICT "Contact already exists. Existing ID: <id>" for a taken email."""
    body = call.body_dict()
    values = call.portal.validate_write("contacts", body.get("properties") or {})
    email = (values.get("email") or "").strip().lower()
    if email:
        for rec in call.portal.live("contacts"):
            if email in call.portal.emails_of(rec):
                raise conflict(f"Contact already exists. Existing ID: {rec.id}", "CONFLICT")
    rec = call.portal.create("contacts", values, call.portal.clock(), source="INTEGRATION")
    return 201, serialize(rec, chosen_properties("contacts", list(values), call.portal))


ROUTES = [
    Route("POST", "/crm/v3/objects/contacts", "crm.contacts.basic_api.create", (), create_contact, WRITE_SCOPES),
]
