"""Every email event type HubSpot documents is read: engagement and state become touchpoints, the rest is counted
only; `obsoletedBy` stops an event counting (also one stored before), `causedBy` keeps a STATUSCHANGE caused by a
bounce or spam report from becoming a second, unliftable negative; the contact's current email state (properties)
wins where the events are missing or older."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from connector.config import DEFAULT_VACANCY_URL_PATTERN
from connector.hubspot.touchpoints import KNOWN_TYPES, drop_caused_unsubscribes, read_email_event
from connector.sandbox.hs_activity import email_event, event_id, mark_obsolete
from connector.sandbox.hs_store import Portal
from connector.scoring.vacancies import VacancyMatcher

MATCHER = VacancyMatcher(DEFAULT_VACANCY_URL_PATTERN)
SENT_MS = 1_750_000_000_000
EMAIL = "kim.visser@example.org"
CAMPAIGN = 318_900_001
HOUR_S = 3600
# HubSpot's documented types (reference hubspot-api.md §3.9) and what each becomes.
EXPECTED = {
    "SENT": [], "DROPPED": [], "PROCESSED": [], "DEFERRED": [], "SUPPRESSED": [],
    "DELIVERED": ["delivered"], "UNBOUNCE": ["delivered"],
    "BOUNCE": ["hard_bounce"], "SPAMREPORT": ["spam_report"], "STATUSCHANGE": ["unsubscribe"],
    "OPEN": ["email_open"], "CLICK": ["email_click"], "PRINT": ["email_open"], "FORWARD": ["email_click"],
}


def _event(type_: str, after_s: float = HOUR_S, **fields) -> dict:
    """An event as the sandbox serves it (its shapes follow HubSpot's docs), an hour after its send."""
    portal = Portal(lambda: SENT_MS)
    sent = {"id": "sent-1", "created": SENT_MS}
    return email_event(portal, type=type_, recipient=EMAIL, created=SENT_MS + int(after_s * 1000),
                       campaign_id=CAMPAIGN, sent_by=sent, url="https://careers.example.com/over-ons", **fields)


def test_every_documented_type_is_known():
    assert set(EXPECTED) <= KNOWN_TYPES and "SUPPRESSION" in KNOWN_TYPES   # the guide's spelling, too


@pytest.mark.parametrize("type_", sorted(EXPECTED))
def test_each_type_is_read_without_error(type_):
    read = read_email_event(_event(type_), MATCHER)
    assert [r["kind"] for r in read.rows] == EXPECTED[type_]
    assert read.status == ("stored" if EXPECTED[type_] else "not_engagement")


def test_print_counts_even_right_after_the_send_but_an_open_does_not():
    """No privacy proxy prints a mail: the prefetch window (machine opens) applies to OPEN only."""
    assert read_email_event(_event("OPEN", after_s=10), MATCHER).rows == []
    assert [r["kind"] for r in read_email_event(_event("PRINT", after_s=10), MATCHER).rows] == ["email_open"]


def test_unbounce_without_recipient_or_sender_fields_is_no_error():
    event = _event("UNBOUNCE")
    assert not {"portalId", "appId", "emailCampaignId"} & set(event)      # the documented exception
    del event["recipient"]
    read = read_email_event(event, MATCHER)
    assert (read.rows, read.status) == ([], "no_recipient")


def test_unknown_type_is_counted_not_quarantined():
    assert read_email_event(_event("OPEN") | {"type": "SOMETHING_NEW"}, MATCHER).status == "unknown_type"


def test_an_obsolete_event_gives_no_touchpoint():
    read = read_email_event(_event("CLICK", obsoletedBy={"id": "later", "created": SENT_MS + 9_000_000}), MATCHER)
    assert (read.rows, read.status) == ([], "obsolete")


@pytest.mark.parametrize(("cause", "stored", "kept"), [
    ("BOUNCE", None, []),                                # cause in the same page
    ("SPAMREPORT", None, []),
    (None, {"hard_bounce"}, []),                         # cause stored by an earlier read
    ("CLICK", None, ["unsubscribe"]),                    # the unsubscribe link clicked: the person's own choice
    (None, None, ["unsubscribe"]),                       # cause unknown: the stricter reading, it floors
])
def test_statuschange_caused_by_a_bounce_or_spam_report_is_not_a_second_negative(cause, stored, kept):
    cause_event = _event(cause or "BOUNCE", after_s=60)
    change = _event("STATUSCHANGE", after_s=61, causedBy=event_id(cause_event))
    reads = [read_email_event(change, MATCHER)]
    page = [change] + ([cause_event] if cause else [])
    known = {reads[0].caused_by: stored} if stored else {}
    drop_caused_unsubscribes(reads, page, known)
    assert [r["kind"] for r in reads[0].rows] == kept


# --- end to end through the CLI -----------------------------------------------------------------------------


def _at(minutes_ago: float) -> int:
    return int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp() * 1000)


@pytest.fixture
def kim(empty_sandbox, make_connector):
    """A contact who viewed a vacancy an hour ago (score 7), synced once."""
    contact_id = empty_sandbox.create_contact({"email": EMAIL, "firstname": "Kim", "lastname": "Visser"})
    empty_sandbox.add_web_event(contact_id, url="https://careers.example.com/vacancies/data-engineer",
                                occurred_at=datetime.now(UTC) - timedelta(hours=1), title="Data Engineer | Careers")
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    conn.sync_json()
    assert empty_sandbox.contact(contact_id)["te_engagement_score"] == "7"
    return conn, contact_id


def _mail(sandbox, type_: str, minutes_ago: float, **fields) -> dict:
    return sandbox.add_email_event(type=type_, recipient=EMAIL, created=_at(minutes_ago), campaign_id=CAMPAIGN, **fields)


def _score(conn, sandbox, contact_id) -> str:
    assert conn.sync_json()["status"] == "ok"
    return sandbox.contact(contact_id)["te_engagement_score"]


def test_a_sync_reads_every_type_and_stores_only_what_counts(kim, empty_sandbox):
    conn, cid = kim
    sent = _mail(empty_sandbox, "SENT", 50, subject="Nieuwe vacatures")
    for i, type_ in enumerate(["PROCESSED", "DEFERRED", "DELIVERED", "OPEN", "PRINT", "FORWARD", "DROPPED",
                               "SUPPRESSED"]):
        _mail(empty_sandbox, type_, 40 - i, sent_by=sent)
    _mail(empty_sandbox, "CLICK", 30, sent_by=sent, url="https://careers.example.com/vacancies/data-engineer")
    counts = conn.sync_json()
    assert counts.get("quarantined", 0) == 0 and counts["email_events_read"] == 10
    assert counts["email_events_not_engagement"] == 5    # SENT, PROCESSED, DEFERRED, DROPPED, SUPPRESSED
    assert (counts["email_new_open"], counts["email_new_print"], counts["email_new_forward"],
            counts["email_new_click"]) == (1, 1, 1, 1)
    kinds = sorted(k for (k,) in conn.query("select kind from touchpoint where source = 'email_event'"))
    assert kinds == ["email_click", "email_click", "email_open", "email_open"]   # no delivery: nothing bounced
    assert int(empty_sandbox.contact(cid)["te_engagement_score"]) > 7


@pytest.mark.both_databases
def test_an_event_made_obsolete_after_it_was_stored_stops_counting(kim, empty_sandbox):
    conn, cid = kim
    click = _mail(empty_sandbox, "CLICK", 20, url="https://careers.example.com/vacancies/data-engineer")
    raised = int(_score(conn, empty_sandbox, cid))
    assert raised > 7
    follow_on = _mail(empty_sandbox, "DELIVERED", 5)
    with empty_sandbox.portal.lock:
        mark_obsolete(empty_sandbox.portal, click["id"], follow_on)
    counts = conn.sync_json()       # the click is within the re-read overlap: read again, now obsolete
    assert (counts["email_events_obsolete"], counts["touchpoints_obsoleted"]) == (1, 1)
    assert empty_sandbox.contact(cid)["te_engagement_score"] == "7"
    assert conn.query("select count(*) from touchpoint where kind = 'email_click'") == [(0,)]


def test_unsubscribe_caused_by_a_bounce_is_lifted_by_the_unbounce(kim, empty_sandbox):
    conn, cid = kim
    bounce = _mail(empty_sandbox, "BOUNCE", 40, category="UNKNOWN_USER")
    _mail(empty_sandbox, "STATUSCHANGE", 39, change="global_unsubscribe", causedBy=event_id(bounce))
    assert _score(conn, empty_sandbox, cid) == "0"
    _mail(empty_sandbox, "UNBOUNCE", 10)
    assert _score(conn, empty_sandbox, cid) == "7"


def test_unsubscribe_then_resubscribe_lifts_the_floor(kim, empty_sandbox):
    conn, cid = kim
    _mail(empty_sandbox, "STATUSCHANGE", 30, change="global_unsubscribe")
    assert _score(conn, empty_sandbox, cid) == "0"
    _mail(empty_sandbox, "STATUSCHANGE", 10, change="resubscribe")
    assert _score(conn, empty_sandbox, cid) == "7"


@pytest.mark.parametrize(("prop", "negative", "current"), [
    ("hs_email_optout", "true", "false"),
    ("hs_email_hard_bounce_reason_enum", "UNKNOWN_USER", ""),
    ("hs_email_bad_address", "true", "false"),
])
@pytest.mark.both_databases
def test_contact_state_properties_floor_and_lift_without_any_event(kim, empty_sandbox, prop, negative, current):
    """An unsubscribe made in the CRM, or a bounce older than the lookback: no event, only the property says it."""
    conn, cid = kim
    empty_sandbox.touch_contacts([cid], properties={prop: negative})
    assert _score(conn, empty_sandbox, cid) == "0"
    assert conn.query(f"select email_optout, email_bounced from contact where id = '{cid}'") == [
        (1, 0) if prop == "hs_email_optout" else (None, 1)]
    empty_sandbox.touch_contacts([cid], properties={prop: current})
    assert _score(conn, empty_sandbox, cid) == "7"
    assert _score(conn, empty_sandbox, cid) == "7"        # a state that did not change adds nothing
    assert conn.query("select count(*) from touchpoint where source = 'contact_state'") == [(2,)]


def test_an_event_newer_than_the_contact_state_wins(kim, empty_sandbox):
    conn, cid = kim
    empty_sandbox.touch_contacts([cid], properties={"hs_email_optout": "true"})
    assert _score(conn, empty_sandbox, cid) == "0"
    with empty_sandbox.portal.lock:     # rollups recalculate later: the contact still says "unsubscribed"
        portal = empty_sandbox.portal
        portal.add_email_event(email_event(portal, type="STATUSCHANGE", change="resubscribe", recipient=EMAIL,
                                           created=empty_sandbox.now_ms(), campaign_id=CAMPAIGN))
    assert empty_sandbox.contact(cid)["hs_email_optout"] == "true"
    assert _score(conn, empty_sandbox, cid) == "7"
    assert _score(conn, empty_sandbox, cid) == "7"        # the older property does not floor it again


def test_seeded_portal_has_the_other_types(sandbox, connector):
    """The demo portal carries PROCESSED, DEFERRED (made obsolete by the delivery) and a caused STATUSCHANGE."""
    types = {e["type"] for e in sandbox.portal.email_events}
    assert {"SENT", "PROCESSED", "DEFERRED", "DELIVERED", "OPEN", "CLICK", "SPAMREPORT", "STATUSCHANGE"} <= types
    assert any(e["type"] == "DEFERRED" and e.get("obsoletedBy") for e in sandbox.portal.email_events)
    assert any(e["type"] == "STATUSCHANGE" and e.get("causedBy") for e in sandbox.portal.email_events)
    connector.run("setup")
    counts = connector.sync_json()
    assert counts["status"] == "ok" and counts.get("quarantined", 0) == 0
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select count(*) from touchpoint where source_id like '%' and kind = 'unsubscribe'"
                      ).fetchone()[0] >= 1
