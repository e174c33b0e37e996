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
    hard = [e for e in real if e["type"] == "BOUNCE" and e.get("category") in HARD_BOUNCE_CATEGORIES]
    optout = any((e["type"] == "STATUSCHANGE" and e.get("portalSubscriptionStatus") == "UNSUBSCRIBED")
                 or e["type"] == "SPAMREPORT" for e in real)

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
        "hs_email_hard_bounce_reason": hard[-1].get("response", "") if hard else "",
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
