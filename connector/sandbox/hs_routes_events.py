"""Activity routes: web-analytics events (v3, Enterprise only) and legacy marketing-email events (v1)."""

from __future__ import annotations

from .hs_errors import ApiError, error_body, validation
from .hs_props import iso_ms, parse_datetime_ms
from .hs_wire import Call, Route, decode_cursor, encode_cursor, paging

PAGE_VIEW = "e_visited_page"
WEB_LIMIT = 100  # [U] maximum page size of /events/v3/events
EMAIL_LIMIT, EMAIL_DEFAULT_LIMIT = 1000, 100  # [V] limit <= 1000 (anchors page with 1000); [U] default
EMAIL_TYPES = {"SENT", "DROPPED", "PROCESSED", "DELIVERED", "DEFERRED", "BOUNCE", "OPEN", "CLICK", "PRINT",
               "FORWARD", "STATUSCHANGE", "SPAMREPORT", "SUPPRESSED", "UNBOUNCE"}
SORTS = {"ASCENDING": False, "occurredAt": False, "DESCENDING": True, "-occurredAt": True}
ENTERPRISE_MESSAGE = ("This endpoint requires a Marketing Hub, Sales Hub, Service Hub, Content Hub or Data Hub "
                      "Enterprise subscription.")


def _bound(call: Call, name: str) -> int | None:
    raw = call.q(name)
    if raw is None:
        return None
    ms = parse_datetime_ms(raw)
    if ms is None:
        raise validation(f"Invalid value for {name}: {raw}", context={name: [raw]})
    return ms


def web_events(call: Call) -> tuple[int, dict]:
    """GET /events/v3/events/: page views of one CRM record.

    [V] Enterprise only ("Supported products"); other tiers get a 403 ([U] body wording and category).
    [U] Whether a portal-wide query without objectId is allowed is unverified: the sandbox takes the stricter
    reading and requires objectType and objectId together (the SDK docstring pairs them).
    """
    if call.tier != "enterprise":
        raise ApiError(403, error_body(ENTERPRISE_MESSAGE, "FORBIDDEN", sub_category="PRODUCT_TIER_REQUIRED"))
    object_type, object_id = call.q("objectType"), call.q("objectId")
    if not object_type or not object_id:
        raise validation("objectType and objectId are required together", context={"objectId": [object_id or ""]})
    if object_type.lower() not in ("contact", "contacts", "0-1"):
        raise validation(f"Unsupported objectType {object_type}", context={"objectType": [object_type]})
    limit = call.q_int("limit", WEB_LIMIT, WEB_LIMIT)
    sort = call.q("sort") or "DESCENDING"  # [U] newest first by default
    if sort not in SORTS:
        raise validation(f"Invalid sort {sort}: use ASCENDING or DESCENDING", context={"sort": [sort]})
    after, before = _bound(call, "occurredAfter"), _bound(call, "occurredBefore")
    event_type = call.q("eventType")
    contact = call.portal.resolve("contacts", object_id) if object_id.isdigit() else None
    events = [] if contact is None or event_type not in (None, PAGE_VIEW) else [
        e for e in call.portal.web_events.get(contact.id, [])
        if (after is None or e["ms"] > after) and (before is None or e["ms"] < before)]
    events.sort(key=lambda e: (e["ms"], e["id"]), reverse=SORTS[sort])
    start = decode_cursor(call.q("after"))
    offset = int(start) if start and start.isdigit() else 0
    page = events[offset:offset + limit]
    results = [{"objectType": "CONTACT", "objectId": object_id, "eventType": PAGE_VIEW,
                "occurredAt": iso_ms(e["ms"]), "id": e["id"], "properties": _page_view_properties(e)}
               for e in page]
    body: dict = {"results": results}
    body.update(paging(call, encode_cursor(str(offset + limit)) if offset + limit < len(events) else None))
    return 200, body


def _page_view_properties(event: dict) -> dict[str, str]:
    props = {"hs_url": event["url"], "hs_page_title": event.get("title", ""),
             "hs_referrer": event.get("referrer", ""), "hs_page_content_type": "STANDARD_PAGE"}
    if event.get("session"):
        props["hs_session_id"] = event["session"]
    return props


def _ms_param(call: Call, name: str) -> int | None:
    raw = call.q(name)
    if raw is None:
        return None
    if not raw.lstrip("-").isdigit():
        raise validation(f"{name} must be a timestamp in milliseconds, was {raw}")
    return int(raw)


def email_events(call: Call) -> tuple[int, dict]:
    """GET /email/public/v1/events: newest first, offset/hasMore paging.

    [V] startTimestamp/endTimestamp in epoch ms (endTimestamp inclusive per Estuary's code), limit <= 1000,
    recipient, campaignId, eventType, excludeFilteredEvents. [U] newest-first order and the offset format.
    """
    start, end = _ms_param(call, "startTimestamp"), _ms_param(call, "endTimestamp")
    limit = call.q_int("limit", EMAIL_DEFAULT_LIMIT, EMAIL_LIMIT)
    event_type, recipient, campaign = call.q("eventType"), call.q("recipient"), call.q("campaignId")
    app_id = call.q("appId")
    if event_type is not None and event_type not in EMAIL_TYPES:
        raise validation(f"Invalid eventType {event_type}", context={"eventType": [event_type]})
    exclude_filtered = call.q_bool("excludeFilteredEvents")
    position = decode_cursor(call.q("offset"))
    if position is not None and not position.isdigit():
        raise validation(f"Invalid offset {call.q('offset')}")
    skip = int(position or 0)
    source = (call.portal.events_by_recipient.get(recipient.lower(), []) if recipient
              else call.portal.email_events)
    matching = [e for e in source
                if (start is None or e["created"] >= start) and (end is None or e["created"] <= end)
                and (event_type is None or e["type"] == event_type)
                and (campaign is None or str(e.get("emailCampaignId")) == campaign)
                and (app_id is None or str(e.get("appId")) == app_id)
                and not (exclude_filtered and e.get("filteredEvent"))]
    matching.sort(key=lambda e: (e["created"], e["id"]), reverse=True)
    page = matching[skip:skip + limit]
    return 200, {"hasMore": skip + len(page) < len(matching), "offset": encode_cursor(str(skip + len(page))),
                 "events": [dict(e) for e in page]}


ROUTES = [
    Route("GET", "/events/v3/events/", "events.events_api.get_page",
          ("objectType", "eventType", "after", "limit", "sort", "occurredAfter", "occurredBefore", "objectId"),
          web_events, ("crm.objects.contacts.read",)),  # [U] scope of the events API
    Route("GET", "/email/public/v1/events", None,
          ("startTimestamp", "endTimestamp", "eventType", "recipient", "campaignId", "appId",
           "excludeFilteredEvents", "limit", "offset"), email_events, ("content",)),  # [V] scope content
]
