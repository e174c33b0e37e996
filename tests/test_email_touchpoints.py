"""Which legacy email events become touchpoints: machine opens are left out, subscription changes follow HubSpot's
documented STATUSCHANGE shape (portalSubscriptionStatus + subscriptions), deliveries are state-only."""

from __future__ import annotations

import pytest

from connector.config import DEFAULT_VACANCY_URL_PATTERN
from connector.hubspot.touchpoints import email_event_touchpoints
from connector.scoring.vacancies import VacancyMatcher

SENT_MS = 1_750_000_000_000
MATCHER = VacancyMatcher(DEFAULT_VACANCY_URL_PATTERN)


def event(type_: str, after_send_s: float, **fields) -> dict:
    return {"id": f"ev-{type_}-{after_send_s}", "type": type_, "recipient": "Kim@Example.org",
            "created": SENT_MS + int(after_send_s * 1000), "emailCampaignId": 42,
            "sentBy": {"id": "sent-1", "created": SENT_MS}, **fields}


def kinds(ev: dict) -> list[str]:
    return [row["kind"] for row in email_event_touchpoints(ev, MATCHER)]


@pytest.mark.parametrize(("after_send_s", "fields", "expected"), [
    (8, {}, []),                                   # Apple MPP / scanner prefetch seconds after the send
    (4 * 60, {}, []),                              # still within 5 minutes of the send
    (6 * 60, {}, ["email_open"]),                  # a person, minutes later
    (3 * 3600, {"filteredEvent": True}, []),       # HubSpot's bot filter
    (3 * 3600, {"sentBy": None}, ["email_open"]),  # no send time known: counted
])
def test_machine_opens_are_not_counted(after_send_s, fields, expected):
    assert kinds(event("OPEN", after_send_s, **fields)) == expected


@pytest.mark.parametrize(("portal", "types", "expected"), [
    ("UNSUBSCRIBED", [], ["unsubscribe"]),
    ("UNSUBSCRIBED", [{"id": 1, "status": "UNSUBSCRIBED"}], ["unsubscribe"]),
    ("SUBSCRIBED", [{"id": 1, "status": "SUBSCRIBED"}], ["resubscribe"]),
    ("SUBSCRIBED", [{"id": 1, "status": "UNSUBSCRIBED"}], ["resubscribe"]),   # one type only: no global unsubscribe
    (None, [{"id": 1, "status": "UNSUBSCRIBED"}, {"id": 2, "status": "SUBSCRIBED"}], []),
    (None, [{"id": 1, "status": "UNSUBSCRIBED"}], ["unsubscribe"]),
])
def test_subscription_changes_follow_the_portal_status(portal, types, expected):
    fields = {"subscriptions": types, "source": "SOURCE_RECIPIENT", "requestedBy": "kim@example.org"}
    if portal:
        fields["portalSubscriptionStatus"] = portal
    assert kinds(event("STATUSCHANGE", 3600, **fields)) == expected


def test_delivery_is_a_state_only_touchpoint_and_sent_is_none():
    assert kinds(event("DELIVERED", 60)) == ["delivered"]
    assert kinds(event("SENT", 0, subject="Nieuwe vacatures juni")) == []
