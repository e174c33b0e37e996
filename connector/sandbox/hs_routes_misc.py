"""Schema and account routes: properties and groups, owners, associations v4, account and token info."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .hs_errors import batch_too_large, conflict, not_found, standard_error, unauthenticated, validation
from .hs_prop_defs import BOOL_OPTIONS
from .hs_props import NAME_RE, PropertyDef, iso_ms, validate_definition
from .hs_store import CONTACT_TO_TASK, PORTAL_ID, TASK_TO_CONTACT
from .hs_wire import Call, Route, batch_envelope, decode_cursor, encode_cursor, object_type_of, paging

TIME_ZONE = "Europe/Amsterdam"
OWNER_LIMIT, OWNER_DEFAULT_LIMIT = 500, 100  # [V] singer-io pages owners by 500
ASSOC_LIMIT = 500  # [U] page size of the v4 association list
# [V] changelog "Bug Fix: Batch Read Limit for HubSpot Associations API" (checked 2026-12): from Feb 10 2025 v3 and
# v4 batch read take at most 1000 ids ("Larger requests ... will be rejected with an error response"). An earlier
# version of that page said 100 (Airbyte#48834); the connector still sends 100 per request.
ASSOC_BATCH_LIMIT = 1000
TOKEN_USER_ID, TOKEN_APP_ID = 61_234_567, 3_456_789
LINK_TYPE = {("contacts", "tasks"): CONTACT_TO_TASK, ("tasks", "contacts"): TASK_TO_CONTACT}


# [U] exact names: crm.schemas.contacts.read/write for contacts; tasks use the contacts object scopes.
READ_PROPERTY_SCOPES = {"contacts": ("crm.schemas.contacts.read",), "tasks": ("crm.objects.contacts.read",)}
WRITE_PROPERTY_SCOPES = {"contacts": ("crm.schemas.contacts.write",), "tasks": ("crm.objects.contacts.write",)}


def list_properties(call: Call) -> tuple[int, dict]:
    object_type = object_type_of(call.params["objectType"])
    if call.q_bool("archived"):
        return 200, {"results": []}
    return 200, {"results": [d.to_wire() for d in call.portal.defs[object_type].values()]}


def get_property(call: Call) -> tuple[int, dict]:
    object_type = object_type_of(call.params["objectType"])
    defn = call.portal.defs[object_type].get(call.params["propertyName"])
    if defn is None:
        raise not_found(f"Property {call.params['propertyName']} does not exist")  # [U] wording
    return 200, defn.to_wire()


def create_property(call: Call) -> tuple[int, dict]:
    """POST /crm/v3/properties/{type}: 201; 409 when the name exists; 400 on a bad definition."""
    object_type = object_type_of(call.params["objectType"])
    body, portal = call.body_dict(), call.portal
    if isinstance(body.get("name"), str) and body["name"] in portal.defs[object_type]:
        raise conflict(f"Property named '{body['name']}' already exists.")  # [U] category and wording
    problems = validate_definition(body, set(portal.groups[object_type]))
    if problems:
        raise validation("; ".join(problems), errors=[{"message": p, "code": "INVALID_PROPERTY_DEFINITION"}
                                                      for p in problems])
    options = body.get("options") or (BOOL_OPTIONS if body["type"] == "bool" else [])
    options = [{"label": o["label"], "value": o["value"], "description": o.get("description", ""),
                "displayOrder": o.get("displayOrder", i), "hidden": bool(o.get("hidden", False))}
               for i, o in enumerate(options)]
    defn = PropertyDef(body["name"], body["label"], body["type"], body["fieldType"], body["groupName"], options,
                       hubspot_defined=False, description=body.get("description", "") or "",
                       display_order=body.get("displayOrder", -1), has_unique_value=bool(body.get("hasUniqueValue")),
                       created_ms=portal.clock())
    portal.defs[object_type][defn.name] = defn
    portal.version += 1
    return 201, defn.to_wire()


def list_groups(call: Call) -> tuple[int, dict]:
    object_type = object_type_of(call.params["objectType"])
    return 200, {"results": list(call.portal.groups[object_type].values())}


def create_group(call: Call) -> tuple[int, dict]:
    object_type = object_type_of(call.params["objectType"])
    body = call.body_dict()
    name, label = body.get("name"), body.get("label")
    if not isinstance(name, str) or not isinstance(label, str) or not name or not label:
        raise validation("name and label are required")
    if not NAME_RE.match(name):
        raise validation("name must start with a lowercase letter and hold only a-z, 0-9 and _")
    groups = call.portal.groups[object_type]
    if name in groups:
        raise conflict(f"A property group named '{name}' already exists.")  # [U] category and wording
    groups[name] = {"name": name, "label": label, "displayOrder": body.get("displayOrder", -1), "archived": False}
    return 201, groups[name]


def list_owners(call: Call) -> tuple[int, dict]:
    """GET /crm/v3/owners/: limit <= 500, after, email, archived (PublicOwner incl. v12's type fields)."""
    limit = call.q_int("limit", OWNER_DEFAULT_LIMIT, OWNER_LIMIT)
    start = decode_cursor(call.q("after"))
    archived, email = call.q_bool("archived"), call.q("email")
    owners = [o for o in sorted(call.portal.owners.values(), key=lambda o: int(o["id"]))
              if o["archived"] == archived and (email is None or o["email"].lower() == email.lower())
              and (start is None or int(o["id"]) >= int(start))]
    body = {"results": owners[:limit]}
    body.update(paging(call, encode_cursor(owners[limit]["id"]) if len(owners) > limit else None))
    return 200, body


def get_owner(call: Call) -> tuple[int, dict]:
    key = "userId" if call.q("idProperty") == "userId" else "id"
    for owner in call.portal.owners.values():
        if str(owner[key]) == call.params["ownerId"] and owner["archived"] == call.q_bool("archived"):
            return 200, owner
    raise not_found("resource not found")


def _links(call: Call, from_type: str, to_type: str, object_id: str) -> list[dict] | None:
    """Associated objects of one record in v4 shape; None when the record does not exist."""
    rec = call.portal.resolve(from_type, object_id) if object_id.isdigit() else None
    if rec is None:
        return None
    type_id = LINK_TYPE.get((from_type, to_type))
    if type_id is None:
        return []
    # [U] v4 answers toObjectId as a number although the SDK model declares a string; the SDK accepts both.
    return [{"toObjectId": int(i), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id,
                                                         "label": None}]} for i in sorted(rec.assoc, key=int)]


def association_page(call: Call) -> tuple[int, dict]:
    """GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}."""
    from_type, to_type = object_type_of(call.params["objectType"]), object_type_of(call.params["toObjectType"])
    limit = call.q_int("limit", ASSOC_LIMIT, ASSOC_LIMIT)
    links = _links(call, from_type, to_type, call.params["objectId"])
    if links is None:
        raise not_found("resource not found")  # [U]
    start = decode_cursor(call.q("after"))
    links = [link for link in links if start is None or link["toObjectId"] >= int(start)]
    body = {"results": links[:limit]}
    body.update(paging(call, encode_cursor(str(links[limit]["toObjectId"])) if len(links) > limit else None))
    return 200, body


def association_batch_read(call: Call) -> tuple[int, dict]:
    """POST /crm/v4/associations/{from}/{to}/batch/read: 207 errors for unknown or unlinked ids."""
    from_type, to_type = object_type_of(call.params["fromObjectType"]), object_type_of(call.params["toObjectType"])
    inputs = call.body_dict().get("inputs")
    if not isinstance(inputs, list):
        raise validation("inputs is required and must be a list")
    if len(inputs) > ASSOC_BATCH_LIMIT:
        raise batch_too_large(len(inputs), ASSOC_BATCH_LIMIT)
    started, results, errors = call.portal.clock(), [], []
    for item in inputs:
        object_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        links = _links(call, from_type, to_type, object_id)
        if not links:
            # [C] v4 reports ids without associations as per-input errors (sub-category NO_ASSOCIATIONS_FOUND).
            errors.append(standard_error("OBJECT_NOT_FOUND", f"No {to_type} is associated with {from_type[:-1]} "
                                         f"{object_id}.", {"fromObjectId": [object_id]},
                                         "crm.associations.NO_ASSOCIATIONS_FOUND"))
            continue
        results.append({"from": {"id": object_id}, "to": links})
    return batch_envelope(results, started, call.portal.clock(), errors)


def _utc_offset(now_ms: int) -> tuple[str, int]:
    offset = datetime.fromtimestamp(now_ms / 1000, tz=UTC).astimezone(ZoneInfo(TIME_ZONE)).utcoffset()
    millis = int((offset or timedelta()).total_seconds() * 1000)
    sign = "+" if millis >= 0 else "-"
    return f"{sign}{abs(millis) // 3_600_000:02d}:{abs(millis) // 60_000 % 60:02d}", millis


def account_details(call: Call) -> tuple[int, dict]:
    """GET /account-info/v3/details [V docs response fields]."""
    offset, millis = _utc_offset(call.portal.clock())
    return 200, {"portalId": PORTAL_ID, "accountType": "STANDARD", "timeZone": TIME_ZONE,
                 "companyCurrency": "EUR", "additionalCurrencies": [], "utcOffset": offset,
                 "utcOffsetMilliseconds": millis, "uiDomain": "app-eu1.hubspot.com", "dataHostingLocation": "eu1"}


def api_usage(call: Call) -> tuple[int, dict]:
    """GET /account-info/v3/api-usage/daily/private-apps [V docs example]."""
    usage = call.usage
    return 200, {"results": [{"name": "private-apps-api-calls-daily", "usageLimit": usage.get("limit", 0),
                              "currentUsage": usage.get("used", 0), "collectedAt": iso_ms(call.portal.clock()),
                              "fetchStatus": "SUCCESS", "resetsAt": iso_ms(usage.get("resets_ms", 0))}]}


def token_info(call: Call) -> tuple[int, dict]:
    """POST /oauth/v2/private-apps/get/access-token-info {tokenKey} -> hubId, scopes [C public client code].

    It needs no scope. The sandbox also requires the bearer header (HubSpot requires it for EU tokens).
    """
    if call.body_dict().get("tokenKey") != call.token:
        raise unauthenticated()  # [U] HubSpot's answer to a foreign tokenKey
    return 200, {"userId": TOKEN_USER_ID, "hubId": PORTAL_ID, "appId": TOKEN_APP_ID, "scopes": sorted(call.scopes)}


PROPS, GROUPS = "/crm/v3/properties/{objectType}", "/crm/v3/properties/{objectType}/groups"
ROUTES = [
    Route("GET", PROPS, "crm.properties.core_api.get_all", ("archived",), list_properties,
          type_scopes=READ_PROPERTY_SCOPES),
    Route("GET", PROPS + "/{propertyName}", "crm.properties.core_api.get_by_name", ("archived",), get_property,
          type_scopes=READ_PROPERTY_SCOPES),
    Route("POST", PROPS, "crm.properties.core_api.create", (), create_property, type_scopes=WRITE_PROPERTY_SCOPES),
    Route("GET", GROUPS, "crm.properties.groups_api.get_all", (), list_groups, type_scopes=READ_PROPERTY_SCOPES),
    Route("POST", GROUPS, "crm.properties.groups_api.create", (), create_group, type_scopes=WRITE_PROPERTY_SCOPES),
    Route("GET", "/crm/v3/owners/", "crm.owners.owners_api.get_page", ("email", "after", "limit", "archived"),
          list_owners, ("crm.objects.owners.read",)),
    Route("GET", "/crm/v3/owners/{ownerId}", "crm.owners.owners_api.get_by_id", ("idProperty", "archived"),
          get_owner, ("crm.objects.owners.read",)),
    Route("GET", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}",
          "crm.associations.v4.basic_api.get_page", ("after", "limit"), association_page,
          ("crm.objects.contacts.read",)),
    Route("POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
          "crm.associations.v4.batch_api.get_page", (), association_batch_read, ("crm.objects.contacts.read",)),
    Route("GET", "/account-info/v3/details", None, (), account_details, ("oauth",)),
    Route("GET", "/account-info/v3/api-usage/daily/private-apps", None, (), api_usage, ("oauth",)),
    Route("POST", "/oauth/v2/private-apps/get/access-token-info", None, (), token_info),
]
