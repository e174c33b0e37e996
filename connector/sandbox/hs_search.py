"""CRM search: filter groups, one sort, paging and HubSpot's limits (200 a page, 10,000 a query).

Strict where HubSpot is loose: the index trails writes by the portal's search lag (hs_index), and records that tie
on the sort key come back in a different order on every query [U: HubSpot documents no tie order; Estuary's code
notes out-of-order results (reference §1.5)], so a client paging ties with `after` can skip or repeat records.
"""

from __future__ import annotations

import hashlib
import operator

from .hs_errors import validation
from .hs_prop_defs import OBJECT_META
from .hs_props import PropertyDef, parse_datetime_ms, sort_key_of
from .hs_store import Portal, Record
from .hs_wire import chosen_properties, serialize

MAX_LIMIT = 200  # [C] search guide "Limitations" (raised from 100 in Sep 2024)
DEFAULT_LIMIT = 10  # [U] HubSpot's default page size for search
RESULT_CAP = 10_000  # [C] "Attempting to page beyond 10,000 will result in a 400 error"
MAX_GROUPS, MAX_PER_GROUP, MAX_FILTERS = 5, 10, 25  # [V] changelog, search filter limits of Aug 26, 2024
MAX_SORTS = 1  # [U]
OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
QUERY_FIELDS = {"contacts": ("email", "firstname", "lastname", "phone", "company"),
                "tasks": ("hs_task_subject", "hs_task_body")}
NUMERIC = ("number", "datetime", "date")


def _view(portal: Portal, object_type: str) -> tuple[list[Record], tuple]:
    """The searchable records (the index's copies when a search lag is set) and a key that changes with them."""
    if portal.index.lag_ms:
        recs = portal.index.live(object_type)
        return recs, ("indexed", portal.index.version, portal.version)
    return portal.live(object_type), ("live", portal.version)


def _values(portal: Portal, object_type: str, prop: str) -> dict[str, object]:
    """Comparable value of `prop` for every searchable record, cached until the portal changes."""
    recs, version = _view(portal, object_type)
    key = ("values", object_type, prop, version)
    cached = portal.view_cache.get(key)
    if cached is not None:
        return cached
    created, modified, _, _ = OBJECT_META[object_type]
    defn = portal.defs[object_type].get(prop)
    if prop == modified:
        values = {r.id: r.updated_ms for r in recs}
    elif prop == created:
        values = {r.id: r.created_ms for r in recs}
    elif prop == "hs_object_id":
        values = {r.id: int(r.id) for r in recs}
    else:
        values = {r.id: sort_key_of(defn, r.props.get(prop)) for r in recs}
    if len(portal.view_cache) > 64:
        portal.view_cache.clear()
    portal.view_cache[key] = values
    return values


def _ordered(portal: Portal, object_type: str, prop: str | None, desc: bool) -> list[Record]:
    """Searchable records in sort order; ties (and unsorted queries) fall back to a hash of the id, never the id."""
    live, version = _view(portal, object_type)
    key = ("order", object_type, prop, desc, version)
    cached = portal.view_cache.get(key)
    if cached is not None:
        return cached
    recs = sorted(live, key=lambda r: r.tie)
    if prop is not None:
        values = _values(portal, object_type, prop)
        present = [r for r in recs if values[r.id] is not None]
        present.sort(key=lambda r: values[r.id], reverse=desc)  # stable: ties keep the hash order
        recs = present + [r for r in recs if values[r.id] is None]  # [U] unset values sort last
    portal.view_cache[key] = recs
    return recs


def _typed(defn: PropertyDef, raw: object, prop: str) -> object:
    if raw is None:
        raise validation(f"Filter on {prop} needs a value")
    if defn.type in NUMERIC:
        number = parse_datetime_ms(raw) if defn.type != "number" else _float(raw)
        if number is None:
            raise validation(f"{raw} is not a valid value for {prop} ({defn.type})",
                             context={"propertyName": [prop]})
        return number
    return str(raw).casefold()


def _float(raw: object) -> float | None:
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


COMPARE = {"EQ": operator.eq, "GT": operator.gt, "GTE": operator.ge, "LT": operator.lt, "LTE": operator.le}


def _matching(portal: Portal, object_type: str, flt: object) -> set[str]:
    """Ids of the live records one filter admits."""
    if not isinstance(flt, dict) or not isinstance(flt.get("propertyName"), str):
        raise validation("Each filter needs a propertyName and an operator")
    prop, op = flt["propertyName"], flt.get("operator")
    if op not in OPERATORS:
        raise validation(f"Unknown operator {op!r} for {prop}", context={"operator": [str(op)]})
    defn = portal.defs[object_type].get(prop)
    if defn is None:
        # [U] HubSpot rejects filters on properties that do not exist
        raise validation(f"Property '{prop}' does not exist", context={"propertyName": [prop]})
    values = _values(portal, object_type, prop).items()
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        present = op == "HAS_PROPERTY"
        return {rid for rid, v in values if (v is not None) is present}
    if op in ("IN", "NOT_IN"):
        raw = flt.get("values")
        if not isinstance(raw, list) or not raw:
            raise validation(f"{op} on {prop} needs a non-empty values list")
        wanted, inside = {_typed(defn, v, prop) for v in raw}, op == "IN"
        return {rid for rid, v in values if (v in wanted) is inside}  # [U] unset values match NOT_IN
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token, inside = str(flt.get("value", "")).casefold().strip("*"), op == "CONTAINS_TOKEN"
        return {rid for rid, v in values if (token in str(v or "")) is inside}
    low = _typed(defn, flt.get("value"), prop)
    if op == "BETWEEN":
        high = _typed(defn, flt.get("highValue"), prop)
        return {rid for rid, v in values if v is not None and low <= v <= high}
    if op == "NEQ":
        return {rid for rid, v in values if v != low}  # [U] unset values match NEQ
    compare = COMPARE[op]
    return {rid for rid, v in values if v is not None and compare(v, low)}


def _admitted(portal: Portal, object_type: str, body: dict) -> set[str] | None:
    """Ids matching any filter group (all filters of a group); None when there are no filters."""
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list):
        raise validation("filterGroups must be a list")
    if len(groups) > MAX_GROUPS:
        raise validation(f"Too many filter groups: {len(groups)} > {MAX_GROUPS}")
    if sum(len(g.get("filters") or []) for g in groups if isinstance(g, dict)) > MAX_FILTERS:
        raise validation(f"Too many filters: more than {MAX_FILTERS}")
    admitted: set[str] | None = None
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or not filters:
            raise validation("Each filter group needs at least one filter")
        if len(filters) > MAX_PER_GROUP:
            raise validation(f"Too many filters in a group: {len(filters)} > {MAX_PER_GROUP}")
        matched = set.intersection(*(_matching(portal, object_type, f) for f in filters))
        admitted = matched if admitted is None else admitted | matched
    return admitted


def _sort(portal: Portal, object_type: str, body: dict) -> tuple[str | None, bool]:
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list) or len(sorts) > MAX_SORTS:
        raise validation(f"At most {MAX_SORTS} sort is supported")
    if not sorts:
        return None, False
    sort = sorts[0]
    if isinstance(sort, str):  # the SDK types sorts as strings: "prop" or "-prop"
        prop, desc = sort.lstrip("-"), sort.startswith("-")
    elif isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
        direction = sort.get("direction", "ASCENDING")
        if direction not in ("ASCENDING", "DESCENDING"):
            raise validation(f"Invalid sort direction {direction!r}")
        prop, desc = sort["propertyName"], direction == "DESCENDING"
    else:
        raise validation("Invalid sort")
    if prop not in portal.defs[object_type]:
        raise validation(f"Property '{prop}' does not exist", context={"propertyName": [prop]})
    return prop, desc


def _paging_args(body: dict) -> tuple[int, int]:
    limit = body.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise validation(f"limit must be between 1 and {MAX_LIMIT}, was {limit}", context={"limit": [str(limit)]})
    raw_after = body.get("after")
    try:
        after = int(raw_after) if raw_after not in (None, "") else 0
    except (TypeError, ValueError):
        raise validation(f"Invalid after: {raw_after}") from None
    if after < 0:
        raise validation(f"Invalid after: {raw_after}")
    if after >= RESULT_CAP:
        # [C] the search cap: paging to or beyond 10,000 answers 400. [U] wording.
        raise validation(f"The search results are limited to {RESULT_CAP} records: after={after} is past "
                         "that limit. Narrow the query with filters.", context={"after": [str(after)]})
    return limit, after


def _shuffle_ties(matched: list[Record], values: dict[str, object], salt: int) -> list[Record]:
    """The same records with every run of equal sort values in an order of this query's own."""
    mix = int.from_bytes(hashlib.blake2b(str(salt).encode(), digest_size=8).digest(), "big")

    def rank(rec: Record) -> int:       # the stable tie hash, scrambled per query: cheap for a 12,000-record run
        return ((rec.tie ^ mix) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    out, start = [], 0
    while start < len(matched):
        end = start + 1
        value = values[matched[start].id]
        while end < len(matched) and values[matched[end].id] == value:
            end += 1
        out.extend(sorted(matched[start:end], key=rank) if end - start > 1 else matched[start:end])
        start = end
    return out


def search(portal: Portal, object_type: str, body: dict) -> dict:
    """POST /crm/v3/objects/{type}/search -> CollectionResponseWithTotalSimplePublicObjectForwardPaging."""
    portal.search_count += 1
    for hook in list(portal.search_hooks):
        hook(portal.search_count)
    limit, after = _paging_args(body)
    admitted = _admitted(portal, object_type, body)
    prop, desc = _sort(portal, object_type, body)
    query = body.get("query")
    query = query.casefold().strip() if isinstance(query, str) and query.strip() else None
    requested = body.get("properties")
    if requested is not None and not (isinstance(requested, list) and all(isinstance(p, str) for p in requested)):
        raise validation("properties must be a list of property names")
    names = chosen_properties(object_type, requested, portal)
    page_end = min(after + limit, RESULT_CAP)
    fields = QUERY_FIELDS[object_type]
    values = _values(portal, object_type, prop) if prop is not None else None
    total, matched, boundary = 0, [], None
    for rec in _ordered(portal, object_type, prop, desc):
        if admitted is not None and rec.id not in admitted:
            continue
        if query and not any(query in rec.props.get(f, "").casefold() for f in fields):
            continue
        if total >= page_end and (values is None or values[rec.id] != boundary):
            if query is None:       # the last tie run is complete: count the rest without walking it
                total = len(admitted) if admitted is not None else sum(1 for _ in _view(portal, object_type)[0])
                break
        else:
            matched.append(rec)     # a tie run that crosses the page's end is kept whole, to be shuffled
            boundary = values[rec.id] if values is not None else None
        total += 1
    if values is not None:
        matched = _shuffle_ties(matched, values, portal.search_count)
    page = matched[after:page_end]
    out: dict = {"total": total, "results": [serialize(r, names) for r in page]}
    if after + len(page) < total and page:
        # The next cursor is offered even when it lands on the cap: the next call then fails as HubSpot's does.
        out["paging"] = {"next": {"after": str(after + len(page))}}
    return out
