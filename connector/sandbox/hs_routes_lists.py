"""Lists v3 (segments) routes: list definitions, memberships paging, lookup by name, search.

Shapes follow the SDK's `hubspot.crm.lists` models (12.0.0) and the examples on HubSpot's Lists API pages.
Facts marked [V] come from the SDK's docstrings or HubSpot's documentation, [C] from public third-party
material, [U] are decided here (unverified). The list model and its membership rules are in hs_lists (ContactList).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote, unquote

from .hs_errors import not_found, validation
from .hs_lists import CONTACT_LISTS, PROCESSING_TYPES, ContactList, current_members, definition
from .hs_props import iso_ms
from .hs_store import Portal
from .hs_wire import Call, Route

MEMBERS_LIMIT = 250  # [V] SDK MembershipsApi.get_page: "The maximum `limit` is 250"
MEMBERS_DEFAULT_LIMIT = 100  # [V] API reference (2026-03 memberships page): "default: 100"
SEARCH_COUNT_LIMIT, SEARCH_DEFAULT_COUNT = 500, 20  # [V] SDK ListSearchRequest.count docstring
SCOPES = ("crm.lists.read",)  # [V] API reference ScopesList of the v3 memberships and list pages


def _find(call: Call, list_id: str) -> ContactList:
    if not list_id.isdigit():
        # [U] ILS list ids are numeric; HubSpot is believed to refuse others as invalid input.
        raise validation(f"Invalid list id: {list_id}", context={"listId": [list_id]})
    lst = call.portal.lists.get(list_id)
    if lst is None:
        raise not_found(f"List {list_id} does not exist.")  # [U] wording; HubSpot's 404 envelope [V]
    return lst


def get_list(call: Call) -> tuple[int, dict]:
    """GET /crm/v3/lists/{listId} -> ListFetchResponse {list}."""
    lst = _find(call, call.params["listId"])
    return 200, {"list": definition(call.portal, lst, call.q_bool("includeFilters"))}


def get_list_by_name(call: Call) -> tuple[int, dict]:
    """GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}; the name is not case sensitive [V]."""
    include = call.q_bool("includeFilters")
    object_type, name = call.params["objectTypeId"], call.params["listName"]
    for lst in call.portal.lists.values():
        if object_type == CONTACT_LISTS and lst.name.lower() == name.lower():
            return 200, {"list": definition(call.portal, lst, include)}
    raise not_found(f"List with name {name} and objectTypeId {object_type} does not exist.")  # [U] wording


def get_lists(call: Call) -> tuple[int, dict]:
    """GET /crm/v3/lists/?listIds=..: the definitions of the ids that exist [V SDK docstring]; none asked, none."""
    include, wanted = call.q_bool("includeFilters"), call.q_list("listIds") or []
    found = [call.portal.lists[i] for i in dict.fromkeys(wanted) if i in call.portal.lists]
    return 200, {"lists": [definition(call.portal, lst, include) for lst in found]}


def _token(record_id: str) -> str:
    """A membership cursor as HubSpot writes it: base64 of the 8-byte record id, URL-encoded in the JSON.

    [V] the v3 memberships example answers `"after": "AAAAAAAAAS0%3D"` (record 301), `%3D` included.
    """
    return quote(base64.b64encode(int(record_id).to_bytes(8, "big")).decode(), safe="")


def _position(call: Call, name: str) -> int | None:
    """A cursor back to a record id; it may come as sent (`...%3D`) or already decoded (`...=`)."""
    raw = call.q(name)
    if raw is None:
        return None
    try:
        data = base64.b64decode(unquote(raw).replace(" ", "+"), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if len(data) != 8:
        raise validation(f"Invalid {name} token: {raw}", context={name: [raw]})  # [U] wording
    return int.from_bytes(data, "big")


def memberships_page(call: Call) -> tuple[int, dict]:
    """GET /crm/v3/lists/{listId}/memberships: ordered by recordId [V SDK docstring].

    Ascending from the start or after `after`; with only `before`, descending below it; `after` wins when
    both are given [V]. A limit outside 1..250 is a 400 [U: HubSpot documents the maximum, not the answer
    to more]. `paging.next.after` when more records follow; `paging.prev.before` when records precede the
    page [V docs example shows both]; `total` counts all members [V].
    """
    lst = _find(call, call.params["listId"])
    limit = call.q_int("limit", MEMBERS_DEFAULT_LIMIT, MEMBERS_LIMIT)
    members = current_members(call.portal, lst)
    ids = sorted(members, key=int)
    after, before = _position(call, "after"), _position(call, "before")
    if after is not None or before is None:
        rest = [i for i in ids if after is None or int(i) > after]
        page = rest[:limit]
        forward, backward = len(rest) > limit, bool(page) and page[0] != ids[0]
        last, first = (page[-1], page[0]) if page else (None, None)
    else:
        rest = [i for i in reversed(ids) if int(i) < before]
        page = rest[:limit]
        forward, backward = bool(page) and page[0] != ids[-1], len(rest) > limit
        last, first = (page[0], page[-1]) if page else (None, None)
    body: dict = {"results": [{"recordId": i, "membershipTimestamp": iso_ms(members[i])} for i in page],
                  "total": len(ids)}
    link = f"{call.base_url}{call.path}?limit={limit}"
    paging = {}
    if forward and last is not None:
        paging["next"] = {"after": _token(last), "link": f"{link}&after={_token(last)}"}
    if backward and first is not None:
        paging["prev"] = {"before": _token(first), "link": f"{link}&before={_token(first)}"}
    if paging:
        body["paging"] = paging
    return 200, body


def _search_item(portal: Portal, lst: ContactList) -> dict:
    """PublicObjectListSearchResult; additionalProperties holds the default hs_* list properties [V SDK].

    Properties that are empty or do not exist are left out [V], so asked-for extras add nothing here;
    [U] datetimes there as epoch-ms strings.
    """
    members = current_members(portal, lst)
    props = {"hs_list_size": str(len(members))}
    if members:
        props["hs_last_record_added_at"] = str(max(members.values()))
    item = definition(portal, lst, False)
    item.pop("size")
    item["additionalProperties"] = props
    return item


def search_lists(call: Call) -> tuple[int, dict]:
    """POST /crm/v3/lists/search {query, offset, count<=500, processingTypes, listIds} [V SDK ListSearchRequest].

    `query` matches list names (case-insensitive substring [U]); results in list-id order [U]; `offset` in the
    answer is where the next page starts.
    """
    body = call.body_dict()
    offset, count, query = body.get("offset", 0), body.get("count", SEARCH_DEFAULT_COUNT), body.get("query") or ""
    types, ids = body.get("processingTypes") or [], body.get("listIds") or []
    extra = body.get("additionalProperties") or []
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise validation("offset must be a non-negative integer", context={"offset": [str(offset)]})
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= SEARCH_COUNT_LIMIT:
        raise validation(f"count must be between 1 and {SEARCH_COUNT_LIMIT}", context={"count": [str(count)]})
    if not isinstance(query, str) or not all(isinstance(v, str) for v in [*types, *ids, *extra]):
        raise validation("query, processingTypes, listIds and additionalProperties take strings")
    bad = [t for t in types if t not in PROCESSING_TYPES]
    if bad:
        raise validation(f"Invalid processingTypes: {bad}", context={"processingTypes": bad})
    hits = [lst for lst in sorted(call.portal.lists.values(), key=lambda x: int(x.list_id))
            if query.lower() in lst.name.lower() and (not types or lst.processing_type in types)
            and (not ids or lst.list_id in ids)]
    page = hits[offset:offset + count]
    return 200, {"lists": [_search_item(call.portal, lst) for lst in page], "total": len(hits),
                 "offset": offset + len(page), "hasMore": offset + len(page) < len(hits)}


BASE = "/crm/v3/lists"
ROUTES = [
    Route("GET", BASE + "/", "crm.lists.lists_api.get_all", ("listIds", "includeFilters"), get_lists, SCOPES),
    Route("GET", BASE + "/{listId}", "crm.lists.lists_api.get_by_id", ("includeFilters",), get_list, SCOPES),
    Route("GET", BASE + "/object-type-id/{objectTypeId}/name/{listName}", "crm.lists.lists_api.get_by_name",
          ("includeFilters",), get_list_by_name, SCOPES),
    Route("POST", BASE + "/search", "crm.lists.lists_api.do_search", (), search_lists, SCOPES),
    Route("GET", BASE + "/{listId}/memberships", "crm.lists.memberships_api.get_page", ("after", "before", "limit"),
          memberships_page, SCOPES),
]
