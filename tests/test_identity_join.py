"""Email events join contacts through every email (primary and hs_additional_emails), re-join when a contact
gains an address, and the join is one set-based UPDATE however many recipients wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from connector import store
from connector.db import make_engine, migrate, session_scope

KIM, KIM_OLD, STRANGER = "kim.visser@example.org", "kim.old@private.example.net", "nobody.yet@example.org"


def _ms(minutes_ago: float) -> int:
    return int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp() * 1000)


@pytest.mark.both_databases
def test_an_event_of_an_unknown_recipient_joins_the_contact_that_gains_the_address(empty_sandbox, make_connector):
    kim = empty_sandbox.create_contact({"email": KIM, "hs_additional_emails": KIM_OLD})
    empty_sandbox.add_email_event(type="CLICK", recipient=KIM_OLD.upper(), emailCampaignId=1, created=_ms(20),
                                  url="https://careers.example.com/over-ons")
    empty_sandbox.add_email_event(type="CLICK", recipient=STRANGER, emailCampaignId=2, created=_ms(19),
                                  url="https://careers.example.com/vacancies/data-engineer")
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    first = conn.sync_json()
    assert first["resolved"] == 1                  # the additional address joined; the stranger's click waits
    assert conn.query("select contact_id from touchpoint where recipient = 'nobody.yet@example.org'") == [(None,)]
    score = int(empty_sandbox.contact(kim)["te_engagement_score"])
    assert score > 0
    empty_sandbox.touch_contacts([kim], properties={"hs_additional_emails": f"{KIM_OLD};{STRANGER}"})
    second = conn.sync_json()
    assert second["resolved"] == 1
    assert conn.query("select distinct contact_id from touchpoint where source = 'email_event'") == [(kim,)]
    assert int(empty_sandbox.contact(kim)["te_engagement_score"]) > score


def test_one_email_on_two_contacts_is_reported_not_guessed(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    migrate(engine)
    row = {"email": None, "additional_emails": "shared@example.org", "first_name": None, "last_name": None,
           "owner_id": None, "phone": None, "modified_ms": 5, "web_last_ms": None, "archived": False}
    with session_scope(engine) as session:
        store.save_contacts(session, [{**row, "id": "1"}, {**row, "id": "2"}])
        store.save_touchpoints(session, [{"source": "email_event", "source_id": "e@1", "kind": "email_open",
                                          "contact_id": None, "recipient": "shared@example.org", "occurred_ms": 1}])
        counts = store.resolve_identities(session)
    assert (counts["resolved"], counts["ambiguous_emails"]) == (0, 1)


def test_the_join_is_one_update_however_many_recipients(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    migrate(engine)
    n = 300
    contacts = [{"id": str(i), "email": f"p{i}@example.org", "additional_emails": f"old{i}@example.net",
                 "first_name": None, "last_name": None, "owner_id": None, "phone": None, "modified_ms": 5,
                 "web_last_ms": None, "archived": False} for i in range(n)]
    events = [{"source": "email_event", "source_id": f"e{i}@{k}", "kind": "email_open", "contact_id": None,
               "recipient": (f"p{i}@example.org" if k else f"old{i}@example.net"), "occurred_ms": 1}
              for i in range(n) for k in (0, 1)]
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with session_scope(engine) as session:
        store.save_contacts(session, contacts)
        store.save_touchpoints(session, events)
        statements.clear()
        assert store.resolve_identities(session)["resolved"] == 2 * n
    assert sum(s.lstrip().upper().startswith("UPDATE TOUCHPOINT") for s in statements) == 1
    with session_scope(engine) as session:
        assert store.touch_counts(session) == {str(i): 2 for i in range(n)}
