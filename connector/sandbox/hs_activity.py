"""Builders for activity records: marketing-email events (v1 wire shape) and tracked page views."""

from __future__ import annotations

from .hs_store import APP_ID, APP_NAME, PORTAL_ID, Portal

SENDER = "talent@careers.example.com"
USER_AGENTS = {
    "COMPUTER": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
                "Safari/537.36",
    "MOBILE": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.4 Mobile/15E148 Safari/604.1",
    "BOT": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
}
# [C] BOUNCE categories from the legacy email events docs; UNKNOWN_USER is the hard "no such mailbox" bounce.
BOUNCE_RESPONSES = {"UNKNOWN_USER": "550 5.1.1 The email account that you tried to reach does not exist.",
                    "MAILBOX_FULL": "452 4.2.2 The recipient's inbox is out of storage space."}


# STATUSCHANGE shapes (legacy email events guide, developers.hubspot.com/docs/api-reference/legacy/
# email-analytics-v1/guide): the portal-wide status plus the per-type `subscriptions` it leaves, and a `source`.
SUBSCRIPTION_CHANGES = {
    # change -> (portalSubscriptionStatus, status of the listed subscription type, source)
    "global_unsubscribe": ("UNSUBSCRIBED", "UNSUBSCRIBED", "SOURCE_RECIPIENT"),
    "resubscribe": ("SUBSCRIBED", "SUBSCRIBED", "SOURCE_RECIPIENT"),
    "type_optout": ("SUBSCRIBED", "UNSUBSCRIBED", "SOURCE_RECIPIENT"),
    "list_unsubscribe": ("UNSUBSCRIBED", "UNSUBSCRIBED", "SOURCE_LIST_UNSUBSCRIBE"),
}
NEWSLETTER_SUBSCRIPTION_ID = 5_412_337
# [C] DROPPED reasons from the legacy email events guide (a few of them): why HubSpot did not send.
DROP_MESSAGES = {"PREVIOUSLY_BOUNCED": "The recipient has previously bounced.",
                 "PREVIOUSLY_UNSUBSCRIBED_PORTAL": "The recipient has unsubscribed from all email.",
                 "PREVIOUS_SPAM": "The recipient has previously marked an email as spam."}
DEFERRED_RESPONSE = "421 4.7.0 Try again later, closing connection."
SENDER_FIELDS = ("appName", "appId", "portalId", "emailCampaignId")   # [V] the fields UNBOUNCE need not carry


def email_event(portal: Portal, *, type: str, recipient: str, created: int, campaign_id: int = 0,
                subject: str = "", url: str | None = None, filtered: bool = False,
                sent_by: dict | None = None, device: str = "COMPUTER", change: str = "global_unsubscribe",
                subscription_id: int = NEWSLETTER_SUBSCRIPTION_ID, **extra) -> dict:
    """One event of GET /email/public/v1/events, keyed like the shared example fixture for its type.

    STATUSCHANGE: `change` is global_unsubscribe, resubscribe, type_optout (one subscription type only: the
    portal status stays SUBSCRIBED) or list_unsubscribe; `source` and `requestedBy` can be overridden."""
    event: dict = {"appName": APP_NAME, "appId": APP_ID, "created": created, "id": portal.next_uuid("email"),
                   "portalId": PORTAL_ID, "recipient": recipient, "type": type, "emailCampaignId": campaign_id,
                   "smtpId": None}
    if sent_by is not None:
        event["sentBy"] = {"id": sent_by["id"], "created": sent_by["created"]}
    if type == "SENT":
        event.update({"replyTo": [SENDER], "cc": [], "bcc": [], "subject": subject, "from": SENDER})
        event["sentBy"] = {"id": event["id"], "created": created}
    elif type in ("OPEN", "PROCESSED"):     # PROCESSED carries the client fields too (the real response fixture)
        agent = "BOT" if filtered else device
        event.update({"browser": {}, "deviceType": "COMPUTER" if agent == "BOT" else device, "duration": 0,
                      "userAgent": USER_AGENTS[agent], "location": {}, "filteredEvent": filtered})
    elif type in ("PRINT", "FORWARD"):
        # [C] the same client fields as an open (browser, location, userAgent, ipAddress).
        event.update({"browser": {}, "deviceType": device, "userAgent": USER_AGENTS[device], "location": {},
                      "ipAddress": "192.0.2.10", "filteredEvent": filtered})
    elif type == "DEFERRED":       # [C] a temporary rejection; HubSpot retries (attempt, response)
        event.update({"attempt": extra.pop("attempt", 1), "response": DEFERRED_RESPONSE})
    elif type == "DROPPED":        # [C] never sent: the reason and the message's envelope
        reason = extra.pop("dropReason", "PREVIOUSLY_BOUNCED")
        event.update({"dropReason": reason, "dropMessage": DROP_MESSAGES.get(reason, ""), "subject": subject,
                      "from": SENDER, "replyTo": [SENDER], "cc": [], "bcc": []})
    elif type == "SUPPRESSED":     # [U] seen in real records (Estuary), undocumented: a send held back
        pass
    elif type == "UNBOUNCE":
        # [V] the one type that need not carry type/recipient/portalId/appId...: the sandbox keeps the type and
        # recipient (events are served by recipient) and drops the sender fields; `user` asked for it [C].
        for name in SENDER_FIELDS + ("smtpId",):
            event.pop(name, None)
        event["user"] = extra.pop("user", "admin@careers.example.com")
    elif type == "CLICK":
        event.update({"browser": {}, "referer": "", "deviceType": device, "linkId": 0, "url": url or "",
                      "userAgent": USER_AGENTS["BOT" if filtered else device], "location": {},
                      "filteredEvent": filtered})
    elif type == "DELIVERED":
        event.update({"response": "250 2.0.0 OK", "filteredEvent": False})
    elif type == "BOUNCE":
        category = extra.pop("category", "UNKNOWN_USER")
        event.update({"category": category, "status": "5.1.1" if category == "UNKNOWN_USER" else "4.2.2",
                      "response": BOUNCE_RESPONSES.get(category, "550 5.0.0 Message rejected")})
    elif type == "SPAMREPORT":
        event.update({"userAgent": USER_AGENTS[device], "ipAddress": "192.0.2.10"})
    elif type == "STATUSCHANGE":
        # [C] fields of a subscription change: subscriptions, source, requestedBy, portalSubscriptionStatus.
        portal_status, type_status, source = SUBSCRIPTION_CHANGES[change]
        event.pop("smtpId")
        event.update({"subscriptions": [{"id": subscription_id, "status": type_status}],
                      "source": source, "requestedBy": recipient,
                      "portalSubscriptionStatus": portal_status,
                      "changeType": "SUBSCRIPTION_STATUS" if change == "type_optout" else "PORTAL_STATUS",
                      "bounced": False})
    event.update(extra)
    return event


def event_id(event: dict) -> dict:
    """The EventId ({id, created}) HubSpot uses in sentBy, causedBy and obsoletedBy [V docs]."""
    return {"id": event["id"], "created": event["created"]}


def mark_obsolete(portal: Portal, old_id: str, follow_on: dict) -> dict:
    """A follow-on event makes an earlier one obsolete: the earlier one now carries `obsoletedBy` [V docs]."""
    old = next(e for e in portal.email_events if e["id"] == old_id)
    old["obsoletedBy"] = event_id(follow_on)
    portal.version += 1
    return old


def web_event(portal: Portal, *, ms: int, url: str, title: str = "", referrer: str = "",
              session: str = "") -> dict:
    """One tracked page view (stored form; the events route renders it as ExternalUnifiedEvent)."""
    return {"id": portal.next_uuid("web"), "ms": ms, "url": url, "title": title, "referrer": referrer,
            "session": session}


def contacts_with_email(portal: Portal, recipient: str) -> list:
    """Live contacts that own `recipient` as primary or additional email."""
    wanted = recipient.strip().lower()
    return [c for c in portal.live("contacts") if wanted in portal.emails_of(c)]
