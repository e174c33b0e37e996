"""What the portal's tier and scopes allow, as portal facts: probed by `setup`, re-probed by a sync while unknown.

A fact is "yes", "no" or "unknown: why" (setup on an empty portal cannot try web analytics: the events API is read
per contact). Each sync re-probes the unknown ones and records the answer, so a portal set up before its first
contact gets its page views once it has one, without a second `setup`.
"""

from __future__ import annotations

from collections.abc import Callable

from connector.errors import AuthError, FatalError
from connector.hubspot import streams as S

FACT_EMAIL_EVENTS = "capability.email_events"
FACT_WEB_EVENTS = "capability.web_analytics"
FACT_FORMS = "capability.forms"
UNKNOWN = "unknown"
NO_CONTACTS = "unknown: the portal has no contacts to probe with"


def probe(fn: Callable[[], object]) -> str:
    """'yes' when the call works; 'no: …' when HubSpot refuses it for scope or tier."""
    try:
        fn()
        return "yes"
    except AuthError as exc:
        if exc.status == 401:
            raise
        return f"no: {exc}"
    except FatalError as exc:
        if exc.status in (402, 403, 404):
            return f"no: {exc}"
        raise


def probe_email_events(client) -> str:
    return probe(lambda: client.get_json("email events", S.EMAIL_EVENTS_PATH, {"limit": 1}))


def probe_web_analytics(client, contact_id: str | None) -> str:
    """The events API needs an object to ask about; without a contact the answer stays unknown."""
    if contact_id is None:
        return NO_CONTACTS
    events = client.api("events.events_api")
    return probe(lambda: client.call("web analytics events", events.get_page_with_http_info, object_type="contact",
                                     object_id=int(contact_id), event_type=S.WEB_EVENT_TYPE, limit=1))


def probe_forms(client) -> str:
    from connector.hubspot.forms import fetch_forms
    return probe(lambda: fetch_forms(client))


def fact_value(answer: str) -> str:
    """What is recorded: "yes", "no", or the unknown answer with its reason (re-probed by the next sync)."""
    if answer == "yes":
        return "yes"
    return answer if answer.startswith(UNKNOWN) else "no"


def is_unknown(value: str | None) -> bool:
    return value is None or value.startswith(UNKNOWN)


def reprobe(client, name: str, contact_id: str | None) -> str:
    """The recorded value of one capability fact, probed again now."""
    if name == FACT_WEB_EVENTS:
        return fact_value(probe_web_analytics(client, contact_id))
    if name == FACT_EMAIL_EVENTS:
        return fact_value(probe_email_events(client))
    return fact_value(probe_forms(client))
