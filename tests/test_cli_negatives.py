"""Negatives follow the person's current state, end to end: STATUSCHANGE, BOUNCE and DELIVERED events in the
HubSpot sandbox's documented shapes, pulled by `connector sync`, as the score HubSpot then holds."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

EMAIL = "kim.visser@example.org"
CAMPAIGN = 318_900_001


def _at(minutes_ago: float) -> int:
    return int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp() * 1000)


@pytest.fixture
def candidate(empty_sandbox, make_connector):
    """A contact who viewed a vacancy an hour ago (score 7), synced once."""
    contact_id = empty_sandbox.create_contact({"email": EMAIL, "firstname": "Kim", "lastname": "Visser"})
    empty_sandbox.add_web_event(contact_id, url="https://careers.example.com/vacancies/data-engineer",
                                occurred_at=datetime.now(UTC) - timedelta(hours=1), title="Data Engineer | Careers")
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    conn.sync_json()
    assert empty_sandbox.contact(contact_id)["te_engagement_score"] == "7"
    return conn, contact_id


def _mail(sandbox, type_: str, minutes_ago: float, **fields):
    return sandbox.add_email_event(type=type_, recipient=EMAIL, created=_at(minutes_ago), campaign_id=CAMPAIGN, **fields)


def _score(conn, sandbox, contact_id) -> str:
    conn.sync_json()
    return sandbox.contact(contact_id)["te_engagement_score"]


def test_unsubscribe_floors_and_a_later_resubscribe_lifts_it(candidate, empty_sandbox):
    conn, cid = candidate
    _mail(empty_sandbox, "STATUSCHANGE", 30, change="global_unsubscribe")
    assert _score(conn, empty_sandbox, cid) == "0"
    assert empty_sandbox.contact(cid)["te_engagement_reasons"] == "Unsubscribed from email: score floored"
    _mail(empty_sandbox, "STATUSCHANGE", 10, change="resubscribe")
    assert _score(conn, empty_sandbox, cid) == "7"


def test_opting_out_of_one_subscription_type_is_no_floor(candidate, empty_sandbox):
    conn, cid = candidate
    event = _mail(empty_sandbox, "STATUSCHANGE", 30, change="type_optout")
    assert event["portalSubscriptionStatus"] == "SUBSCRIBED" and event["subscriptions"][0]["status"] == "UNSUBSCRIBED"
    assert _score(conn, empty_sandbox, cid) == "7"


def test_spam_report_floors_like_an_unsubscribe(candidate, empty_sandbox):
    conn, cid = candidate
    _mail(empty_sandbox, "SPAMREPORT", 30)
    assert _score(conn, empty_sandbox, cid) == "0"


def test_hard_bounce_floors_until_a_later_delivery(candidate, empty_sandbox):
    conn, cid = candidate
    _mail(empty_sandbox, "DELIVERED", 50)                 # before the bounce: lifts nothing
    _mail(empty_sandbox, "BOUNCE", 40, category="UNKNOWN_USER")
    assert _score(conn, empty_sandbox, cid) == "0"
    _mail(empty_sandbox, "DELIVERED", 10)
    assert _score(conn, empty_sandbox, cid) == "7"


def test_deliveries_are_stored_only_for_bounced_recipients(candidate, empty_sandbox):
    conn, _cid = candidate
    other = empty_sandbox.create_contact({"email": "fine@example.org"})
    assert other
    for minutes in (30, 20, 10):
        empty_sandbox.add_email_event(type="DELIVERED", recipient="fine@example.org", created=_at(minutes),
                                      campaign_id=CAMPAIGN)
    conn.sync_json()
    db = sqlite3.connect(conn.db_path)
    assert db.execute("select count(*) from touchpoint where kind = 'delivered'").fetchone() == (0,)
