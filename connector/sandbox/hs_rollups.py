"""Contact rollups (hs_email_*, hs_analytics_*) from marketing-email events and tracked page views."""

from __future__ import annotations

from .hs_props import iso_ms

SESSION_GAP_MS = 30 * 60_000  # a new web session after 30 minutes without a page view
HARD_BOUNCE_CATEGORIES = {"UNKNOWN_USER", "MAILBOX_MISCONFIGURATION", "DOMAIN_REPUTATION"}  # [U]


def _max_ms(events: list[dict], *types: str) -> int | None:
    times = [e["created"] for e in events if e["type"] in types]
    return max(times) if times else None


def email_rollups(events: list[dict]) -> dict[str, str]:
    """Contact rollups from marketing-email events; filtered (bot) events do not count [U]."""
    real = [e for e in events if not e.get("filteredEvent")]
    opens = [e for e in real if e["type"] == "OPEN"]
    clicks = [e for e in real if e["type"] == "CLICK"]
    sends = sorted((e for e in real if e["type"] == "SENT"), key=lambda e: e["created"])
    last_engaged = _max_ms(real, "OPEN", "CLICK")
    # The current state, not "ever": the latest portal-wide status change (a spam report unsubscribes [U]) and
    # the latest hard bounce unless reset later; obsolete events do not count.
    live = sorted((e for e in real if not e.get("obsoletedBy")), key=lambda e: e["created"])
    resets = [e["created"] for e in live if e["type"] in ("UNBOUNCE", "DELIVERED")]
    # [U] an unsubscribe HubSpot made because of a bounce ends with the bounce (causedBy names it).
    reset_bounces = {e["id"] for e in live if e["type"] == "BOUNCE" and any(t > e["created"] for t in resets)}
    states = [e for e in live if e["type"] == "SPAMREPORT" or (e["type"] == "STATUSCHANGE" and e.get(
        "portalSubscriptionStatus") in ("SUBSCRIBED", "UNSUBSCRIBED") and e.get("changeType") != "SUBSCRIPTION_STATUS"
        and (e.get("causedBy") or {}).get("id") not in reset_bounces)]
    optout = bool(states) and (states[-1]["type"] == "SPAMREPORT" or states[-1]["portalSubscriptionStatus"] ==
                               "UNSUBSCRIBED")
    # [U] a delivery after a hard bounce means HubSpot mails the address again (it drops mail to a bounced one),
    # so the bounce was reset as by an UNBOUNCE.
    bounce_state = [e for e in live if e["type"] in ("UNBOUNCE", "DELIVERED") or (
        e["type"] == "BOUNCE" and e.get("category") in HARD_BOUNCE_CATEGORIES)]
    bounced = bounce_state[-1] if bounce_state and bounce_state[-1]["type"] == "BOUNCE" else None

    def iso_or_blank(ms: int | None) -> str:
        return iso_ms(ms) if ms is not None else ""

    return {
        "hs_email_delivered": str(sum(e["type"] == "DELIVERED" for e in real)) if events else "",
        "hs_email_open": str(len({e["emailCampaignId"] for e in opens})) if events else "",
        "hs_email_click": str(len({e["emailCampaignId"] for e in clicks})) if events else "",
        "hs_email_bounce": str(sum(e["type"] == "BOUNCE" for e in real)) if events else "",
        "hs_email_first_open_date": iso_or_blank(min((e["created"] for e in opens), default=None)),
        "hs_email_last_open_date": iso_or_blank(_max_ms(real, "OPEN")),
        "hs_email_last_click_date": iso_or_blank(_max_ms(real, "CLICK")),
        "hs_email_last_send_date": iso_or_blank(sends[-1]["created"] if sends else None),
        "hs_email_last_email_name": sends[-1].get("subject", "") if sends else "",
        "hs_email_sends_since_last_engagement": str(sum(s["created"] > (last_engaged or 0) for s in sends))
        if sends else "",
        "hs_email_optout": "true" if optout else ("false" if events else ""),
        "hs_email_hard_bounce_reason": bounced.get("response", "") if bounced else "",
        "hs_email_hard_bounce_reason_enum": bounced.get("category", "OTHER") if bounced else "",
        "hs_email_bad_address": ("true" if bounced and bounced.get("category") == "UNKNOWN_USER" else "false")
        if events else "",
    }


def web_rollups(events: list[dict]) -> dict[str, str]:
    """Contact rollups from tracked page views (events sorted by time)."""
    if not events:
        return {}
    sessions = [events[0]]
    for prev, cur in zip(events, events[1:], strict=False):
        if cur["ms"] - prev["ms"] > SESSION_GAP_MS:
            sessions.append(cur)
    return {
        "hs_analytics_num_page_views": str(len(events)),
        "hs_analytics_num_visits": str(len(sessions)),
        "hs_analytics_first_timestamp": iso_ms(events[0]["ms"]),
        "hs_analytics_last_timestamp": iso_ms(events[-1]["ms"]),
        "hs_analytics_first_visit_timestamp": iso_ms(sessions[0]["ms"]),
        "hs_analytics_last_visit_timestamp": iso_ms(sessions[-1]["ms"]),
        "hs_analytics_first_url": events[0]["url"],
        "hs_analytics_last_url": events[-1]["url"],
        "hs_analytics_last_referrer": events[-1].get("referrer", ""),
    }
