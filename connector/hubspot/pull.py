"""fetch_* generators per HubSpot stream, and their row transforms into snake_case domain rows."""

from __future__ import annotations

from collections.abc import Iterator

from connector.emails import normalize_email  # re-exported: lookup and older callers import it from here
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
from connector.hubspot.contacts import (
    BadRecordError,
    ContactPage,
    contact_row,
    fetch_contact_pages,
    read_contacts,
)
from connector.hubspot.timeparse import ms_to_iso

# re-exported: the contacts stream lives in contacts.py; callers (sync, backfill, touchpoints) import it from here
__all__ = ["BadRecordError", "ContactPage", "contact_row", "fetch_contact_pages", "normalize_email", "read_contacts"]


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
