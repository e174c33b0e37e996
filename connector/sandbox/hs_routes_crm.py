"""Contact and task routes: read, list, batch read/update, search, merge; task creation is in hs_routes_tasks."""

from __future__ import annotations

from functools import partial

from .hs_errors import batch_too_large, not_found, standard_error, validation
from .hs_search import search
from .hs_store import Record
from .hs_wire import (
    Call,
    Route,
    associations_of,
    batch_envelope,
    chosen_properties,
    decode_cursor,
    encode_cursor,
    paging,
    serialize,
)

BATCH_LIMIT = 100  # [C] batch endpoints take 100 inputs
HISTORY_BATCH_LIMIT = 50  # [C] "The maximum number of inputs supported in a batch request for property histories is 50"
LIST_LIMIT, HISTORY_LIST_LIMIT = 100, 50  # [V] SDK fetch_all page sizes; [U] more is a 400
DEFAULT_LIST_LIMIT = 10
READ_SCOPES = ("crm.objects.contacts.read",)
WRITE_SCOPES = ("crm.objects.contacts.write",)  # [V] the tasks guide lists the contacts scopes for tasks
UNIQUE_ID_PROPERTIES = {"contacts": ("email", "hs_object_id"), "tasks": ("hs_object_id",)}
GET_QUERY = ("properties", "propertiesWithHistory", "associations", "archived", "idProperty")
LIST_QUERY = ("limit", "after", "properties", "propertiesWithHistory", "associations", "archived")


def _lookup(call: Call, object_type: str, ident: str, id_property: str | None, archived: bool) -> Record | None:
    portal = call.portal
    if id_property and id_property != "hs_object_id":
        if id_property not in UNIQUE_ID_PROPERTIES[object_type]:
            raise validation(f"{id_property} is not a unique identifier property for {object_type}",
                             context={"idProperty": [id_property]})
        return portal.by_unique(object_type, id_property, ident, archived=archived)
    return portal.resolve(object_type, ident, archived=archived) if ident.isdigit() else None


def _history_names(call: Call, object_type: str, names: list[str] | None) -> list[str] | None:
    return [n for n in names if n in call.portal.defs[object_type]] if names else None


def get_object(object_type: str, id_param: str, call: Call) -> tuple[int, dict]:
    """GET /crm/v3/objects/{type}/{id}: merged-away ids answer with the survivor; archived only on request."""
    rec = _lookup(call, object_type, call.params[id_param], call.q("idProperty"), call.q_bool("archived"))
    if rec is None:
        raise not_found("resource not found")  # [U] wording
    names = chosen_properties(object_type, call.q_list("properties"), call.portal)
    history = _history_names(call, object_type, call.q_list("propertiesWithHistory"))
    return 200, serialize(rec, names, history=history, associations=associations_of(rec, call.q_list("associations")))


def list_objects(object_type: str, call: Call) -> tuple[int, dict]:
    """GET /crm/v3/objects/{type}: id order, cursor paging; archived records only with archived=true."""
    history = _history_names(call, object_type, call.q_list("propertiesWithHistory"))
    limit = call.q_int("limit", DEFAULT_LIST_LIMIT, HISTORY_LIST_LIMIT if history else LIST_LIMIT)
    start = decode_cursor(call.q("after"))
    if start is not None and not start.isdigit():
        raise validation(f"Invalid after token: {call.q('after')}")
    archived = call.q_bool("archived")
    names = chosen_properties(object_type, call.q_list("properties"), call.portal)
    kinds = call.q_list("associations")
    recs = sorted((r for r in call.portal.records[object_type].values()
                   if r.archived == archived and r.merged_into is None and (start is None or int(r.id) >= int(start))),
                  key=lambda r: int(r.id))
    page = recs[:limit]
    body = {"results": [serialize(r, names, history=history, associations=associations_of(r, kinds)) for r in page]}
    body.update(paging(call, encode_cursor(recs[limit].id) if len(recs) > limit else None))
    return 200, body


def batch_inputs(call: Call, limit: int) -> list:
    inputs = call.body_dict().get("inputs")
    if not isinstance(inputs, list):
        raise validation("inputs is required and must be a list")
    if len(inputs) > limit:
        raise batch_too_large(len(inputs), limit)
    return inputs


def batch_read(object_type: str, call: Call) -> tuple[int, dict]:
    """POST .../batch/read: 207 with OBJECT_NOT_FOUND listing missing ids [V public fixtures of real bodies]."""
    body = call.body_dict()
    history = _history_names(call, object_type, body.get("propertiesWithHistory"))
    inputs = batch_inputs(call, HISTORY_BATCH_LIMIT if history else BATCH_LIMIT)
    started = call.portal.clock()
    names = chosen_properties(object_type, body.get("properties"), call.portal)
    archived, id_property = call.q_bool("archived"), body.get("idProperty")
    results, seen, missing = [], set(), []
    for item in inputs:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str | int) or isinstance(ident, bool):
            raise validation("Each input needs an id")
        rec = _lookup(call, object_type, str(ident), id_property, archived)
        if rec is None:
            missing.append(str(ident))
        elif rec.id not in seen:
            seen.add(rec.id)
            results.append(serialize(rec, names, history=history))
    errors = [standard_error("OBJECT_NOT_FOUND", f"Could not get some {object_type[:-1].upper()} objects, they may "
                             "be deleted or not exist. Check that ids are valid.", {"ids": missing})] if missing else None
    return batch_envelope(results, started, call.portal.clock(), errors)


def batch_update(object_type: str, call: Call) -> tuple[int, dict]:
    """POST .../batch/update: a bad value fails the whole batch (400); missing ids give 207 per-id errors.

    [V] changelog "Simplifying batch update response codes": 200 when all succeed, 207 when some fail.
    """
    inputs = batch_inputs(call, BATCH_LIMIT)
    portal = call.portal
    planned, ids = [], []
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or "properties" not in item:
            raise validation("Each input needs an id (string) and properties")
        ids.append(item["id"])
        planned.append((item, portal.validate_write(object_type, item["properties"])))
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise validation(f"Duplicate IDs found in batch input: {dupes}. IDs must be unique",
                         context={"ids": dupes})  # [U] wording
    started, results, errors = portal.clock(), [], []
    for item, values in planned:
        rec = _lookup(call, object_type, item["id"], item.get("idProperty"), False)
        if rec is None:
            errors.append(standard_error("OBJECT_NOT_FOUND", f"Could not get some {object_type[:-1].upper()} "
                                         "objects, they may be deleted or not exist. Check that ids are valid.",
                                         {"ids": [item["id"]]}))
            continue
        portal.apply(rec, values, portal.clock())
        results.append(serialize(rec, chosen_properties(object_type, list(values), portal)))
    return batch_envelope(results, started, portal.clock(), errors)


def update_object(object_type: str, id_param: str, call: Call) -> tuple[int, dict]:
    """PATCH /crm/v3/objects/{type}/{id}."""
    body = call.body_dict()
    values = call.portal.validate_write(object_type, body.get("properties"))
    rec = _lookup(call, object_type, call.params[id_param], call.q("idProperty"), False)
    if rec is None:
        raise not_found("resource not found")
    call.portal.apply(rec, values, call.portal.clock())
    return 200, serialize(rec, chosen_properties(object_type, list(values), call.portal))


def merge_contacts(call: Call) -> tuple[int, dict]:
    """POST /crm/v3/objects/contacts/merge: answers the NEW merged record, which both old ids now resolve to
    ([V] developer changelog "Updated merge functionality for contacts and companies")."""
    body = call.body_dict()
    primary = call.portal.resolve("contacts", str(body.get("primaryObjectId", "")))
    merged = call.portal.resolve("contacts", str(body.get("objectIdToMerge", "")))
    if primary is None or merged is None:
        raise not_found("resource not found")
    if primary.id == merged.id:
        raise validation("Cannot merge a contact with itself")
    survivor = call.portal.merge(primary, merged, call.portal.clock())
    return 200, serialize(survivor, chosen_properties("contacts", None, call.portal))


def search_objects(object_type: str, call: Call) -> tuple[int, dict]:
    return 200, search(call.portal, object_type, call.body_dict())


def _object_routes(object_type: str, id_param: str, api: str) -> list[Route]:
    base = f"/crm/v3/objects/{object_type}"
    return [
        Route("GET", f"{base}/{{{id_param}}}", f"{api}.basic_api.get_by_id", GET_QUERY,
              partial(get_object, object_type, id_param), READ_SCOPES),
        Route("GET", base, f"{api}.basic_api.get_page", LIST_QUERY, partial(list_objects, object_type), READ_SCOPES),
        Route("POST", f"{base}/batch/read", f"{api}.batch_api.read", ("archived",),
              partial(batch_read, object_type), READ_SCOPES),
        Route("POST", f"{base}/search", f"{api}.search_api.do_search", (), partial(search_objects, object_type),
              READ_SCOPES, search=True),
    ]


ROUTES = _object_routes("contacts", "contactId", "crm.contacts") + [
    Route("POST", "/crm/v3/objects/contacts/batch/update", "crm.contacts.batch_api.update", (),
          partial(batch_update, "contacts"), WRITE_SCOPES),
    Route("PATCH", "/crm/v3/objects/contacts/{contactId}", "crm.contacts.basic_api.update", ("idProperty",),
          partial(update_object, "contacts", "contactId"), WRITE_SCOPES),
    Route("POST", "/crm/v3/objects/contacts/merge", "crm.contacts.basic_api.merge", (), merge_contacts,
          WRITE_SCOPES),
] + _object_routes("tasks", "taskId", "crm.objects.tasks")
