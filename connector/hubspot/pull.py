"""fetch_* generators per HubSpot stream, and their row transforms into snake_case domain rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest

from connector.emails import normalize_email  # re-exported: lookup and older callers import it from here
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient, UndecodablePayloadError
from connector.hubspot.sanitize import first_text_problem
from connector.hubspot.timeparse import ms_to_iso, to_ms


class BadRecordError(ValueError):
    """A record we cannot take in: quarantined with its id and field, the run goes on."""

    def __init__(self, source: str, record_id: str, field: str, problem: str):
        super().__init__(f"{source} {record_id}: field {field} {problem}")
        self.source, self.record_id, self.field = source, record_id, field


@dataclass(frozen=True)
class ContactPage:
    rows: list[dict]
    bad: list[BadRecordError]
    checkpoint_ms: int          # every contact modified before this was seen (GTE restarts here)


def _search(client: HubSpotClient, filters: list[Filter], sort: str) -> list:
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=filters)], sorts=[f"{sort}"],
        properties=S.CONTACT_PROPERTIES, limit=S.SEARCH_PAGE_SIZE)
    api = client.api("crm.contacts.search_api")
    try:
        page = client.call("contact search", api.do_search_with_http_info, public_object_search_request=request,
                           search=True)
    except UndecodablePayloadError:
        # One record's raw non-UTF-8 bytes make the SDK drop the whole page: re-read it raw, with each bad byte
        # kept as a lone surrogate, so the record and field that hold it are quarantined and the rest is taken in.
        body = client.post_json("contact search", S.CONTACT_SEARCH_PATH,
                                client.api("crm.contacts.search_api").api_client.sanitize_for_serialization(request),
                                search=True)
        return [r for r in body.get("results") or [] if isinstance(r, dict)]
    return list(page.results or [])


def fetch_contact_pages(client: HubSpotClient, since_ms: int, until_ms: int) -> Iterator[ContactPage]:
    """Contacts with since <= lastmodifieddate < until, oldest first, in keyset pages.

    Each page restarts the filter at the newest timestamp seen (GTE) instead of paging with `after`:
    no query ever nears the 10,000-result cap, and a contact modified mid-run cannot shift the offsets
    and make us skip a neighbour. A full page that is all one millisecond (imports stamp thousands
    of contacts alike) is drained by hs_object_id before moving past it.
    """
    low = max(since_ms, S.EPOCH_FLOOR_MS)
    while low < until_ms:
        results = _search(client, [
            Filter(property_name="lastmodifieddate", operator="GTE", value=str(low)),
            Filter(property_name="lastmodifieddate", operator="LT", value=str(until_ms)),
        ], "lastmodifieddate")
        rows, bad = _transform_contacts(results)
        stamps = [r["modified_ms"] for r in rows if r["modified_ms"] >= low]
        if len(results) < S.SEARCH_PAGE_SIZE:
            yield ContactPage(rows, bad, until_ms)
            return
        newest = max(stamps, default=low)
        if newest > low:
            yield ContactPage(rows, bad, newest)
            low = newest
            continue
        yield from _drain_millisecond(client, low, rows, bad)
        low += 1


def _drain_millisecond(client, stamp_ms, first_rows, first_bad) -> Iterator[ContactPage]:
    """All contacts stamped exactly `stamp_ms`, by ascending hs_object_id (keyset again)."""
    yield ContactPage(first_rows, first_bad, stamp_ms)
    last_id = 0
    while True:
        results = _search(client, [
            Filter(property_name="lastmodifieddate", operator="EQ", value=str(stamp_ms)),
            Filter(property_name="hs_object_id", operator="GT", value=str(last_id)),
        ], "hs_object_id")
        rows, bad = _transform_contacts(results)
        ids = [int(i) for i in (r.get("id") if isinstance(r, dict) else r.id for r in results) if str(i).isdigit()]
        yield ContactPage(rows, bad, stamp_ms)
        if len(results) < S.SEARCH_PAGE_SIZE or not ids:
            return
        last_id = max(ids)


def _transform_contacts(results) -> tuple[list[dict], list[BadRecordError]]:
    rows, bad = [], []
    for obj in results:
        try:
            if isinstance(obj, dict):     # a page re-read raw (see _search)
                rows.append(contact_row(str(obj.get("id")), obj.get("properties") or {}, bool(obj.get("archived"))))
                continue
            rows.append(contact_row(obj.id, obj.properties or {}, bool(obj.archived)))
        except BadRecordError as err:
            bad.append(err)
    return rows, bad


def contact_row(contact_id: str, props: dict, archived: bool = False) -> dict:
    """A HubSpot contact → our contact row; raises BadRecordError naming the field."""
    unstorable = first_text_problem(props)
    if unstorable:
        raise BadRecordError("contact", contact_id, *unstorable)
    modified = _ms_field("contact", contact_id, "lastmodifieddate", props.get("lastmodifieddate"))
    if modified is None:
        raise BadRecordError("contact", contact_id, "lastmodifieddate", "is missing")
    email = normalize_email(props.get("email"))
    if props.get("email") and email is None:
        raise BadRecordError("contact", contact_id, "email", f"is not an email address: {props.get('email')[:80]!r}")
    extra = [e for e in (normalize_email(x) for x in (props.get("hs_additional_emails") or "").split(";")) if e]
    merged = {m.strip() for key in ("hs_merged_object_ids", "hs_calculated_merged_vids")
              for m in (props.get(key) or "").split(";") if m.strip() and m.strip() != contact_id}
    return {
        "id": str(contact_id), "email": email, "additional_emails": ";".join(extra) or None,
        "first_name": props.get("firstname") or None, "last_name": props.get("lastname") or None,
        "owner_id": props.get("hubspot_owner_id") or None, "phone": (props.get("phone") or "").strip() or None,
        "modified_ms": modified,
        "web_last_ms": _ms_field("contact", contact_id, "hs_analytics_last_timestamp",
                                 props.get("hs_analytics_last_timestamp")),
        "archived": archived, "merged_ids": sorted(merged),
        "email_optout": {"true": True, "false": False}.get(str(props.get("hs_email_optout") or "").lower()),
        "email_bounced": (bool(props.get("hs_email_hard_bounce_reason_enum")) or str(props.get("hs_email_bad_address")
                          ).lower() == "true") if {"hs_email_hard_bounce_reason_enum", "hs_email_bad_address"} & set(props)
        else None,
    }


def _ms_field(source, record_id, field, value) -> int | None:
    try:
        return to_ms(value)
    except (TypeError, ValueError):
        raise BadRecordError(source, record_id, field, f"is not a timestamp: {str(value)[:40]!r}") from None


def fetch_email_event_pages(client: HubSpotClient, start_ms: int, end_ms: int) -> Iterator[tuple[list[dict], int]]:
    """Email events with start <= created < end, in windows; yields (events, window end) per page."""
    window_start = start_ms
    while window_start < end_ms:
        window_end = min(window_start + S.EMAIL_EVENTS_WINDOW_MS, end_ms)
        offset = None
        while True:
            # endTimestamp is inclusive (Estuary code [V]): stop one ms short of the window end.
            params = {"startTimestamp": window_start, "endTimestamp": window_end - 1, "limit": S.EMAIL_EVENTS_PAGE_SIZE}
            if offset:
                params["offset"] = offset
            body = client.get_json("email events", S.EMAIL_EVENTS_PATH, params)
            events = body.get("events") or []
            more = bool(body.get("hasMore")) and bool(body.get("offset"))
            yield events, (window_start if more else window_end)
            if not more:
                break
            offset = body["offset"]
        window_start = window_end


def _paged(fetch_page) -> Iterator:
    """Follow HubSpot's `paging.next.after` cursor: fetch_page(after) for each page until there is no next."""
    after = None
    while True:
        page = fetch_page(after)
        yield page
        nxt = page.paging.next if page.paging else None
        if not nxt or not nxt.after:
            return
        after = nxt.after


def fetch_web_events(client: HubSpotClient, contact_id: str, after_ms: int, before_ms: int) -> Iterator[list[dict]]:
    """Page views of one contact (web analytics events are served per object; Enterprise only), as raw JSON.

    Read without the SDK's models: one event with an unparseable `occurredAt` would fail the SDK's whole page,
    and with it every later run; raw, that event alone is quarantined.
    """
    params = {"objectType": "contact", "objectId": str(contact_id), "eventType": S.WEB_EVENT_TYPE,
              "occurredAfter": ms_to_iso(after_ms), "occurredBefore": ms_to_iso(before_ms),
              "limit": S.WEB_EVENTS_PAGE_SIZE}
    while True:
        body = client.get_json("web analytics events", S.WEB_EVENTS_PATH, params)
        yield [e for e in body.get("results") or [] if isinstance(e, dict)]
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return
        params = {**params, "after": after}


def fetch_list_member_ids(client: HubSpotClient, list_id: str) -> Iterator[list[str]]:
    """Record ids of a HubSpot list's members, page by page (lists v3 memberships)."""
    api = client.api("crm.lists.memberships_api")

    def page(after):
        kwargs = {"after": after} if after else {}
        return client.call(f"list {list_id} memberships", api.get_page_with_http_info, list_id=str(list_id),
                           limit=S.LIST_MEMBERS_PAGE_SIZE, **kwargs)
    for p in _paged(page):
        yield [str(m.record_id) for m in p.results or []]


def fetch_owner_pages(client: HubSpotClient) -> Iterator[list[dict]]:
    """The portal's owners, active and archived, page by page (owners v3), as snake_case rows."""
    api = client.api("crm.owners.owners_api")
    for archived in (False, True):
        def page(after, archived=archived):
            kwargs = {"after": after} if after else {}
            return client.call("owners", api.get_page_with_http_info, limit=S.OWNERS_PAGE_SIZE, archived=archived,
                               **kwargs)
        for p in _paged(page):
            yield [{"id": str(o.id), "email": normalize_email(o.email), "first_name": o.first_name or None,
                    "last_name": o.last_name or None, "archived": bool(o.archived)} for o in p.results or []]
