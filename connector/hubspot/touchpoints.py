"""HubSpot email and web analytics events → touchpoint rows (HubSpot field names stop here)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from connector.hubspot import streams as S
from connector.hubspot.pull import BadRecordError, normalize_email
from connector.hubspot.sanitize import first_text_problem, safe_for_message, timestamp_problem
from connector.hubspot.timeparse import to_ms
from connector.scoring.vacancies import VacancyMatcher, normalize_url

# The device of an email event: `deviceType` (COMPUTER / MOBILE / TABLET) is in the v1 events' field list
# (reference hubspot-api.md section 3.9, [V] Airbyte schema).
DEVICES = {"COMPUTER": "desktop", "DESKTOP": "desktop", "MOBILE": "mobile", "TABLET": "mobile"}
EMAIL_SOURCE = "email_event"
WEB_SOURCE = "web_event"
# Opens within this long after the send are machine prefetches (Apple Mail Privacy Protection fetches every mail's
# pixel on delivery; scanners within seconds: scoring-anchors.md 15), not a person reading. What we rely on:
# `filteredEvent` (documented: "filtered out of reporting based on customer reporting settings", i.e. bots) and
# `sentBy.created`, the documented time of the SENT event the open belongs to. HubSpot documents no MPP marker of
# its own (no field says "privacy proxy"), so the time since the send is the signal.
PREFETCH_WINDOW_MS = 5 * 60 * 1000
# Every type the legacy email events guide documents, by what it means for a candidate's engagement [V list,
# reference hubspot-api.md §3.9; developers.hubspot.com/docs/api-reference/legacy/email-analytics-v1/guide]:
# - engagement: an open, and what a person can only do with the mail open in front of them. PRINT is reading it
#   (an open, but no privacy proxy prints: no prefetch window); FORWARD passes it on on purpose, as deliberate as
#   a click. Both map onto the scorer's kinds rather than new ones, so the scoring model stays as it is.
ENGAGEMENT = {"OPEN": "email_open", "PRINT": "email_open", "CLICK": "email_click", "FORWARD": "email_click"}
# - the person's state: negatives (hard BOUNCE, SPAMREPORT, a portal-wide STATUSCHANGE) and what lifts them. A
#   DELIVERED after a hard bounce shows the address works again (sync_pull keeps only those of bounced recipients,
#   so the table does not grow by every delivery); UNBOUNCE is HubSpot resetting a hard bounce ("unbounced"
#   automatically or by an admin [C]): the address may be mailed again, so it lifts the bounce the same way.
STATE = {"DELIVERED": "delivered", "UNBOUNCE": "delivered"}
NEGATIVE_TYPES = {"BOUNCE", "SPAMREPORT", "STATUSCHANGE"}
# - delivery plumbing, no engagement and no state of the person: read and counted, never stored. SENT only names
#   the campaign (its subject); DROPPED / SUPPRESSED are HubSpot not sending (the reason is a state we already
#   know from the bounce, spam report or unsubscribe that caused it); PROCESSED / DEFERRED are queueing and
#   retries. SUPPRESSED is what real records carry (Estuary [C]); the guide spells it SUPPRESSION: both are read.
NOT_ENGAGEMENT = {"SENT", "DROPPED", "PROCESSED", "DEFERRED", "SUPPRESSED", "SUPPRESSION"}
KNOWN_TYPES = set(ENGAGEMENT) | set(STATE) | NEGATIVE_TYPES | NOT_ENGAGEMENT
# Kinds whose event, when it caused a STATUSCHANGE (`causedBy`: "the event which directly caused this event"
# [V docs]), already carries the negative: HubSpot unsubscribing a spam reporter or a bounced address is not the
# person unsubscribing, and must be lifted with its cause (an UNBOUNCE), not only by a re-subscribe.
CAUSE_CARRIES_NEGATIVE = {"hard_bounce", "spam_report"}
CAUSE_TYPES = {"BOUNCE", "SPAMREPORT"}


@dataclass(frozen=True)
class EmailRead:
    """What one email event gave: its rows, and why none when none (not engagement, obsolete, ...)."""

    identity: str
    rows: list[dict]
    status: str                 # "stored" | "not_engagement" | "obsolete" | "filtered" | "unknown_type" | ...
    caused_by: str | None = None    # the identity of the event that caused this one, when HubSpot says
    etype: str = ""


def email_event_touchpoints(event: dict, matcher: VacancyMatcher) -> list[dict]:
    """Touchpoints of one legacy email event; [] for events that are not engagement (SENT, bots, ...)."""
    return read_email_event(event, matcher).rows


def read_email_event(event: dict, matcher: VacancyMatcher) -> EmailRead:
    """One legacy email event read: rows, or the reason for none; raises BadRecordError naming the field.

    HubSpot identifies an event by `id` plus `created` [V docs]: both make the source id. One that carries
    `obsoletedBy` ("the follow-on event which makes this current event obsolete" [V docs]) gives no rows; the
    caller also drops what an earlier read of it stored.
    """
    event_id = str(event.get("id") or "")
    if not event_id:
        raise BadRecordError(EMAIL_SOURCE, "?", "id", "is missing")
    try:
        created = to_ms(event.get("created"))
    except (TypeError, ValueError, OverflowError):
        created = None
    if created is None:
        raise BadRecordError(EMAIL_SOURCE, event_id, "created", "is not a timestamp")
    identity = email_event_identity(event_id, created)
    etype = str(event.get("type") or "").upper()
    if etype not in KNOWN_TYPES:
        return EmailRead(identity, [], "unknown_type", etype=etype)
    if etype in NOT_ENGAGEMENT:
        return EmailRead(identity, [], "not_engagement", etype=etype)
    if event.get("obsoletedBy"):
        return EmailRead(identity, [], "obsolete", etype=etype)
    if event.get("filteredEvent") is True:
        return EmailRead(identity, [], "filtered", etype=etype)
    if etype == "UNBOUNCE" and not event.get("recipient"):
        return EmailRead(identity, [], "no_recipient", etype=etype)     # [V] UNBOUNCE need not carry a recipient
    unstorable = first_text_problem({k: event.get(k) for k in ("id", "recipient", "url")})
    if unstorable:
        raise BadRecordError(EMAIL_SOURCE, ascii(identity)[1:-1], *unstorable)
    if (problem := timestamp_problem(created)) is not None:
        raise BadRecordError(EMAIL_SOURCE, identity, "created", problem)
    recipient = normalize_email(event.get("recipient"))
    if recipient is None:
        raise BadRecordError(EMAIL_SOURCE, identity, "recipient", "is not an email address")
    campaign = str(event.get("emailCampaignId") or "") or None
    url = event.get("url") if etype == "CLICK" else None
    rows = [_row(EMAIL_SOURCE, identity, kind, None, recipient, created, campaign, None, url)
            for kind in _email_kinds(etype, event)
            if not (etype == "OPEN" and kind == "email_open" and _prefetched(event, created))]
    apply = matcher.is_apply_url(url) if url else None
    if apply:   # a click on an apply URL is also an apply intent (DESIGN.md §5)
        rows.append(_row(EMAIL_SOURCE, identity, "apply_intent", None, recipient, created, apply.key, apply.label, url,
                         device=DEVICES.get(str(event.get("deviceType") or "").upper())))
    return EmailRead(identity, rows, "stored" if rows else "not_engagement", _event_ref(event.get("causedBy")), etype)


def drop_caused_unsubscribes(reads: list[EmailRead], events: list[dict], stored_kinds: dict[str, set[str]]) -> int:
    """Take out the unsubscribe of a STATUSCHANGE caused by a hard bounce or spam report (in this page, or stored
    earlier: `stored_kinds`): the cause is the negative. Returns how many rows were dropped."""
    page_types = {}
    for ev in events:
        try:
            page_types[email_event_identity(str(ev.get("id") or ""), to_ms(ev.get("created")))] = \
                str(ev.get("type") or "").upper()
        except (TypeError, ValueError, OverflowError):
            continue
    dropped = 0
    for read in reads:
        cause = read.caused_by
        if cause is None or not any(r["kind"] == "unsubscribe" for r in read.rows):
            continue
        if page_types.get(cause) in CAUSE_TYPES or stored_kinds.get(cause, set()) & CAUSE_CARRIES_NEGATIVE:
            dropped += sum(r["kind"] == "unsubscribe" for r in read.rows)
            read.rows[:] = [r for r in read.rows if r["kind"] != "unsubscribe"]
    return dropped


def _event_ref(value) -> str | None:
    """The identity of an EventId ({id, created}) as HubSpot puts it in causedBy/obsoletedBy/sentBy."""
    if not isinstance(value, dict) or not value.get("id"):
        return None
    try:
        created = to_ms(value.get("created"))
    except (TypeError, ValueError, OverflowError):
        return None
    return email_event_identity(str(value["id"]), created) if created is not None else None


def email_event_identity(event_id: str, created_ms: int) -> str:
    """The source id of an email event: HubSpot's identity is id plus created."""
    return f"{event_id}@{created_ms}"


def email_campaign_name(event: dict) -> tuple[str, str] | None:
    """(campaign id, subject) from a SENT event, which is the one event type that carries the subject."""
    if str(event.get("type") or "").upper() != "SENT":
        return None
    campaign, subject = str(event.get("emailCampaignId") or ""), str(event.get("subject") or "").strip()
    if first_text_problem({"campaign": campaign, "subject": subject}):
        return None
    return (campaign, subject[:200]) if campaign and subject else None


def _prefetched(event: dict, created_ms: int) -> bool:
    """An open that came within PREFETCH_WINDOW_MS of its send: a machine, not a reader."""
    try:
        sent = to_ms((event.get("sentBy") or {}).get("created"))
    except (TypeError, ValueError):
        return False
    return sent is not None and created_ms - sent < PREFETCH_WINDOW_MS


def _email_kinds(etype: str, event: dict) -> list[str]:
    if etype in ENGAGEMENT:
        return [ENGAGEMENT[etype]]
    if etype in STATE:
        return [STATE[etype]]
    if etype == "SPAMREPORT":
        return ["spam_report"]
    if etype == "BOUNCE":
        return ["hard_bounce"] if str(event.get("category") or "").upper() in S.HARD_BOUNCE_CATEGORIES else []
    if etype == "STATUSCHANGE":
        return _subscription_kinds(event)
    return []


def _subscription_kinds(event: dict) -> list[str]:
    """The person's portal-wide state after a STATUSCHANGE (legacy email events guide [V]:
    developers.hubspot.com/docs/api-reference/legacy/email-analytics-v1/guide): `portalSubscriptionStatus`
    UNSUBSCRIBED means unsubscribed from all email; SUBSCRIBED means they receive email, so it lifts an earlier
    unsubscribe, even when one entry of `subscriptions` (one subscription type, a newsletter) says UNSUBSCRIBED:
    that opt-out is not a global unsubscribe. Without the portal status, only every listed type unsubscribed counts."""
    portal = str(event.get("portalSubscriptionStatus") or "").upper()
    if portal == "UNSUBSCRIBED":
        return ["unsubscribe"]
    if portal == "SUBSCRIBED":
        return ["resubscribe"]
    statuses = [str((s or {}).get("status") or "").upper() for s in event.get("subscriptions") or []]
    return ["unsubscribe"] if statuses and all(st == "UNSUBSCRIBED" for st in statuses) else []


def web_event_touchpoints(contact_id: str, event: dict, matcher: VacancyMatcher) -> list[dict]:
    """Touchpoints of one web analytics page view (the raw JSON of /events/v3/events)."""
    event_id = str(event.get("id") or "")
    if not event_id:
        raise BadRecordError(WEB_SOURCE, f"contact {contact_id}", "id", "is missing")
    props = event.get("properties") or {}
    if not isinstance(props, dict):
        raise BadRecordError(WEB_SOURCE, event_id, "properties", "is not an object")
    unstorable = first_text_problem({"id": event_id, "hs_url": props.get("hs_url"),
                                     "hs_page_title": props.get("hs_page_title")})
    if unstorable:
        raise BadRecordError(WEB_SOURCE, ascii(event_id)[1:-1], *unstorable)
    raw = event.get("occurredAt")
    if raw in (None, ""):
        raise BadRecordError(WEB_SOURCE, event_id, "occurredAt", "is missing")
    try:
        occurred = to_ms(raw)
    except (TypeError, ValueError, OverflowError):
        raise BadRecordError(WEB_SOURCE, event_id, "occurredAt", f"is not a timestamp: {safe_for_message(raw)}") from None
    if (problem := timestamp_problem(occurred)) is not None:
        raise BadRecordError(WEB_SOURCE, event_id, "occurredAt", problem)
    match = matcher.classify(props.get("hs_url"), props.get("hs_page_title"))
    if match is None:
        return []
    # No device: HubSpot documents no device field on page-view events, so none is guessed (te_abandoned_device
    # comes only from the email click's documented `deviceType`).
    return [_row(WEB_SOURCE, event_id, match.kind, str(contact_id), None, occurred, match.key, match.label,
                 props.get("hs_url"))]


def _row(source, source_id, kind, contact_id, recipient, occurred_ms, key, label, url, device=None) -> dict:
    return {"source": source, "source_id": source_id, "kind": kind, "contact_id": contact_id,
            "recipient": recipient, "occurred_ms": occurred_ms, "key": key, "label": label, "url": url,
            "device": device}


def sample_page_view_hosts(client, contact_ids: list[str]) -> dict[str, int]:
    """Hosts of the page views of a few contacts, most seen first: what an admin needs to set CAREERS_HOSTS."""
    api = client.api("events.events_api")
    hosts: Counter[str] = Counter()
    for contact_id in contact_ids:
        page = client.call("web analytics events", api.get_page_with_http_info, object_type="contact",
                           object_id=int(contact_id), event_type=S.WEB_EVENT_TYPE, limit=S.WEB_EVENTS_PAGE_SIZE)
        for event in page.results or []:
            normalized = normalize_url((getattr(event, "properties", None) or {}).get("hs_url"))
            if normalized:
                hosts[normalized[0]] += 1
    return dict(hosts.most_common())
