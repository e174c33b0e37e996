"""One bad record never stops the portal: it is quarantined once (source, id, field), every other contact is
written, and the cursors move past it (the next run is clean)."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from connector.hubspot.timeparse import ms_to_iso

VACANCY = "https://careers.example.com/vacancies/data-engineer"


def _fan(sandbox):
    email = sandbox.seed_summary["segments"]["fan"][0]
    return next(c["id"] for c in sandbox.contacts() if c["properties"].get("email") == email), email


def _surrogate_name(sandbox):
    cid = sandbox.create_contact({"email": "lone.surrogate@example.org", "firstname": "Bad\udcffName"})
    return "contact", cid, "firstname"


def _nul_in_name(sandbox):
    cid = sandbox.create_contact({"email": "nul.char@example.org", "lastname": "Nul\x00Byte"})
    return "contact", cid, "lastname"


def _raw_bytes_in_search_page(sandbox):
    cid = sandbox.create_contact({"email": "raw.bytes@example.org", "firstname": "RAWBYTESMARK"})
    sandbox.corrupt_responses("RAWBYTESMARK", b"Ren\xe9e \xff\xfe")     # Latin-1 and garbage, not UTF-8
    return "contact", cid, "firstname"


def _surrogate_in_page_view_url(sandbox):
    cid, _ = _fan(sandbox)
    event = sandbox.add_web_event(cid, url=VACANCY + "-\udcff", occurred_at=datetime.now(UTC) - timedelta(hours=2))
    return "web_event", event["id"], "hs_url"


def _unparseable_occurred_at(sandbox):
    cid, _ = _fan(sandbox)
    at = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=123000)
    event = sandbox.add_web_event(cid, url=VACANCY, occurred_at=at)
    sandbox.corrupt_responses(f'"occurredAt": "{ms_to_iso(int(at.timestamp() * 1000))}"', b'"occurredAt": "last Tuesday"')
    return "web_event", event["id"], "occurredAt"


def _created_in_seconds(sandbox):
    _, email = _fan(sandbox)
    created = int((datetime.now(UTC) - timedelta(hours=4)).timestamp() * 1000)
    event = sandbox.add_email_event(type="CLICK", recipient=email, emailCampaignId=31, url=VACANCY, created=created)
    sandbox.corrupt_responses(f'"created": {created}', f'"created": {created // 1000}'.encode())
    return "email_event", f"{event['id']}@{created // 1000}", "created"


def _surrogate_in_click_url(sandbox):
    _, email = _fan(sandbox)
    created = int((datetime.now(UTC) - timedelta(hours=5)).timestamp() * 1000)
    event = sandbox.add_email_event(type="CLICK", recipient=email, emailCampaignId=32, url=VACANCY + "\udcff",
                                    created=created)
    return "email_event", f"{event['id']}@{created}", "url"


def _not_an_email(sandbox):
    cid = sandbox.create_contact({"email": "anna@@example..org", "firstname": "Odd"})
    return "contact", cid, "email"


def _event_from_the_far_future(sandbox):
    _, email = _fan(sandbox)
    created = int((datetime.now(UTC) - timedelta(hours=6)).timestamp() * 1000)
    event = sandbox.add_email_event(type="OPEN", recipient=email, emailCampaignId=33, created=created)
    sandbox.corrupt_responses(f'"created": {created}', b'"created": 99999999999999999')
    return "email_event", f"{event['id']}@99999999999999999", "created"


CASES = [_not_an_email, _event_from_the_far_future, _surrogate_name, _nul_in_name, _raw_bytes_in_search_page, _surrogate_in_page_view_url,
         _unparseable_occurred_at, _created_in_seconds, _surrogate_in_click_url]


@pytest.mark.parametrize("make_bad", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_bad_record_is_quarantined_once_and_every_other_contact_is_written(connector, sandbox, make_bad):
    connector.run("setup")
    source, record_id, field = make_bad(sandbox)
    first = connector.sync_json()
    assert first["status"] == "ok" and first["quarantined"] == 1
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select source, record_id, field from quarantine").fetchall() == [(source, record_id, field)]
    bad_contact = record_id if source == "contact" else None
    unscored = [c["id"] for c in sandbox.contacts()
                if c["id"] != bad_contact and c["properties"].get("te_engagement_score") in (None, "")]
    assert unscored == []
    second = connector.sync_json()          # the cursors passed it, and the overlap does not quarantine it again
    assert second["status"] == "ok" and second.get("quarantined", 0) == 0
    assert db.execute("select count(*) from quarantine").fetchone()[0] == 1
    assert field in connector.run("status").output


def test_two_email_events_sharing_an_id_are_both_kept(connector, sandbox):
    _, email = _fan(sandbox)
    connector.run("setup")
    now = datetime.now(UTC)
    for hours in (30, 6):
        created = int((now - timedelta(hours=hours)).timestamp() * 1000)
        sandbox.add_email_event(type="CLICK", recipient=email, emailCampaignId=41, url=VACANCY, created=created,
                                id="shared-event-id")
    connector.sync_json()
    db = sqlite3.connect(connector.db_path)
    rows = db.execute("select source_id from touchpoint where source_id like 'shared-event-id@%' "
                      "and kind = 'email_click'").fetchall()
    assert len(rows) == 2


def test_page_view_recorded_late_is_read_by_the_next_run(connector, sandbox):
    cid, _ = _fan(sandbox)
    connector.run("setup")
    connector.sync_json()
    # HubSpot records a view stamped ten minutes before the first run's end only after that run.
    late = sandbox.add_web_event(cid, url=VACANCY + "-late", occurred_at=datetime.now(UTC) - timedelta(minutes=10))
    connector.sync_json()
    again = connector.sync_json()
    db = sqlite3.connect(connector.db_path)
    assert db.execute("select count(*) from touchpoint where source_id = ?", (late["id"],)).fetchone()[0] == 1
    assert again["touchpoints_new"] == 0          # the overlap re-read is idempotent


def test_unknown_event_types_and_huge_values_are_taken_in_or_ignored_without_stopping(connector, sandbox):
    _, email = _fan(sandbox)
    huge = sandbox.create_contact({"email": "huge@example.org", "firstname": "H" * 60_000})
    sandbox.add_email_event(type="HOLOGRAM", recipient=email, emailCampaignId=34)
    sandbox.add_email_event(type="BOUNCE", recipient=email, emailCampaignId=34, category="SOMETHING_NEW")
    connector.run("setup")
    counts = connector.sync_json()
    assert counts["status"] == "ok" and counts.get("quarantined", 0) == 0
    assert [c["id"] for c in sandbox.contacts() if not c["properties"].get("te_engagement_band")] == []
    db = sqlite3.connect(connector.db_path)
    assert len(db.execute("select first_name from contact where id = ?", (huge,)).fetchone()[0]) == 60_000
