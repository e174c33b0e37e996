"""Merges as HubSpot does them now (a new record with a new id; both old ids resolve to it): one contact with both
histories, one score, one task ledger, and nothing ever written to an old id; chains resolve to the last survivor."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from connector.db import make_engine, migrate, session_scope
from connector.models import Contact, ContactAlias, Touchpoint
from connector.sandbox.hs_seed_data import VACANCIES, vacancy_url
from connector.state.aliases import record_merges, survivor_of

ANNA, ANNA_PRIVATE, ANNA_WORK = "anna.devries@example.nl", "anna.private@example.org", "a.devries@work.example.com"
BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"
TASK_CREATE = "/crm/v3/objects/tasks/batch/create"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _fan_activity(sandbox, email: str, contact_id: str, at: datetime, campaign: int) -> None:
    """Clicks on four vacancies and their apply pages, page views on three days: a fan."""
    for i, (slug, title) in enumerate(VACANCIES[:4]):
        for apply in (False, True):
            sandbox.add_email_event(type="CLICK", recipient=email, created=_ms(at) - (i * 2 + apply) * 60_000,
                                    emailCampaignId=campaign + i, url=vacancy_url(slug, apply=apply))
        for days in (0, 2, 4):
            sandbox.add_web_event(contact_id, url=vacancy_url(slug), title=f"{title} | Careers",
                                  occurred_at=at - timedelta(days=days, minutes=10 + i))


def _writes_to(sandbox, ids: set[str]) -> list:
    """Recorded requests that wrote to any of these contact ids (batch updates, PATCHes, task associations)."""
    hits = []
    for r in sandbox.requests:
        body = r.body if isinstance(r.body, dict) else {}
        updated = {str(i.get("id")) for i in body.get("inputs", [])} if r.path == BATCH_UPDATE else set()
        linked = {str(a["to"]["id"]) for i in body.get("inputs", []) for a in i.get("associations", [])} \
            if r.path == TASK_CREATE else set()
        patched = {i for i in ids if f"/{i}" in r.path} if r.method in ("PATCH", "PUT", "DELETE") else set()
        if (updated | linked | patched) & ids:
            hits.append(r)
    return hits


@pytest.fixture
def two_annas(empty_sandbox, make_connector):
    """Anna twice (work and private address), both with history and a score; Anna (work) got a task."""
    owner = empty_sandbox.add_owner("lotte@example.com", "Lotte", "Jansen")
    one = empty_sandbox.create_contact({"email": ANNA, "firstname": "Anna", "hubspot_owner_id": owner})
    two = empty_sandbox.create_contact({"email": ANNA_PRIVATE, "firstname": "Anna", "hubspot_owner_id": owner})
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    conn.sync_json()                                   # the baseline: no tasks on the first sync
    _fan_activity(empty_sandbox, ANNA, one, datetime.now(UTC) - timedelta(minutes=5), 4_001)
    empty_sandbox.add_email_event(type="OPEN", recipient=ANNA_PRIVATE, emailCampaignId=5_001,
                                  created=_ms(datetime.now(UTC) - timedelta(minutes=3)))
    assert conn.sync_json()["tasks_created"] == 1
    return conn, one, two


@pytest.mark.both_databases
def test_merge_into_a_new_id_leaves_one_contact_with_both_histories(two_annas, empty_sandbox):
    conn, one, two = two_annas
    before = dict(conn.query("select contact_id, count(*) from touchpoint group by contact_id"))
    assert before[one] > 0 and before[two] > 0
    merged = empty_sandbox.merge_contacts(one, two)
    assert merged not in (one, two)
    empty_sandbox.add_web_event(merged, url=vacancy_url(VACANCIES[5][0]), title="Careers",
                                occurred_at=datetime.now(UTC) - timedelta(minutes=2))
    empty_sandbox.requests.clear()
    counts = conn.sync_json()
    assert counts["status"] == "ok" and counts["tasks_created"] == 0
    assert not _writes_to(empty_sandbox, {one, two})
    assert dict(conn.query("select contact_id, count(*) from touchpoint group by contact_id")) == {
        merged: before[one] + before[two] + 1}
    assert conn.query("select alias_id, survivor_id from contact_alias order by alias_id") == sorted(
        [(one, merged), (two, merged)])
    assert conn.query("select contact_id from score") == [(merged,)]
    assert {c for (c,) in conn.query("select distinct contact_id from score_history")} == {merged}
    assert conn.query("select distinct contact_id from task_outbox") == [(merged,)]
    assert conn.query("select contact_id from task_trigger") == [(merged,)]
    assert {c for (c,) in conn.query("select contact_id from webcursor")} == {merged}
    assert {c for (c,) in conn.query("select distinct contact_id from pushed")} == {merged}
    assert empty_sandbox.tasks()[0]["contact_ids"] == [merged]
    assert int(empty_sandbox.contact(merged)["te_engagement_score"]) >= 75
    # A later sync writes nothing to the old ids either, and the merged record's email still joins new events.
    empty_sandbox.add_email_event(type="OPEN", recipient=ANNA_PRIVATE, emailCampaignId=5_002)
    empty_sandbox.requests.clear()
    assert conn.sync_json()["status"] == "ok"
    assert not _writes_to(empty_sandbox, {one, two})
    assert conn.query(f"select count(*) from touchpoint where contact_id = '{merged}' and key = '5002'") == [(1,)]


@pytest.mark.both_databases
def test_a_chain_of_merges_resolves_to_the_last_survivor(two_annas, empty_sandbox):
    conn, one, two = two_annas
    three = empty_sandbox.create_contact({"email": ANNA_WORK, "firstname": "Anna"})
    empty_sandbox.add_email_event(type="OPEN", recipient=ANNA_WORK, emailCampaignId=6_001,
                                  created=_ms(datetime.now(UTC) - timedelta(minutes=2)))
    conn.sync_json()
    total = conn.query("select count(*) from touchpoint where contact_id is not null")[0][0]
    first = empty_sandbox.merge_contacts(one, two)
    conn.sync_json()                                     # the first merge is seen on its own
    last = empty_sandbox.merge_contacts(first, three)
    empty_sandbox.requests.clear()
    assert conn.sync_json()["status"] == "ok"
    assert not _writes_to(empty_sandbox, {one, two, three, first})
    assert conn.query("select alias_id, survivor_id from contact_alias order by alias_id") == sorted(
        (i, last) for i in (one, two, three, first))
    assert conn.query("select contact_id, count(*) from touchpoint group by contact_id") == [(last, total)]
    assert conn.query("select contact_id from score") == [(last,)]
    assert empty_sandbox.tasks()[0]["contact_ids"] == [last]


def test_a_stale_row_of_a_merged_away_id_is_not_resurrected(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    migrate(engine)
    from connector import store
    row = {"id": "1", "email": "a@example.org", "additional_emails": None, "first_name": None, "last_name": None,
           "owner_id": None, "phone": None, "modified_ms": 5, "web_last_ms": None, "archived": False}
    with session_scope(engine) as session:
        store.save_contacts(session, [row, {**row, "id": "3", "modified_ms": 9, "merged_ids": ["1", "2"]}])
        store.save_contacts(session, [{**row, "modified_ms": 10}])       # e.g. a late read of the old id
        assert session.get(Contact, "1").merged_into == "3"
        assert store.live_contact_ids(session) == ["3"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=8), st.randoms())
def test_any_order_of_learning_merges_resolves_every_id_to_its_last_survivor(merges, rng: random.Random):
    """HubSpot's merges happen in order; the connector may learn them in any order (and learn some twice):
    every id ends at the final survivor, and touchpoints follow."""
    ids = [str(i) for i in range(8)]
    survivor, history = {i: i for i in ids}, []
    next_id = 100
    for a, b in merges:           # simulate HubSpot: A+B -> new id
        a, b = survivor[str(a)], survivor[str(b)]
        if a == b:
            continue
        new = str(next_id)
        next_id += 1
        for k, v in list(survivor.items()):
            if v in (a, b):
                survivor[k] = new
        survivor[new] = new
        history.append((new, {a, b}))
    if not history:
        return
    learned = history + rng.sample(history, len(history))      # some twice, later ones possibly first
    rng.shuffle(learned)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/s.db")
        migrate(engine)
        with session_scope(engine) as session:
            for i in ids:
                session.add(Touchpoint(source="t", source_id=i, kind="email_open", contact_id=i, occurred_ms=1))
            session.flush()
            for new, absorbed in learned:
                record_merges(session, {new: absorbed})
            final = {i: survivor_of(session, i) for i in ids}
            assert final == {i: survivor[i] for i in ids}
            assert all(session.get(ContactAlias, a).survivor_id == survivor[a] for a in survivor if a != survivor[a])
            owners = {tp.source_id: tp.contact_id for tp in session.exec(select(Touchpoint))}
            assert owners == {i: survivor[i] for i in ids}


def test_an_alias_is_never_written_even_with_stray_local_state(two_annas, empty_sandbox):
    """Belt and braces: an old id with a score, a pending task and no merged_into mark (say, a crash between
    steps of an older version) is still never written to: push and task creation skip the alias table's ids."""
    conn, one, two = two_annas
    merged = empty_sandbox.merge_contacts(one, two)
    conn.sync_json()
    db = sqlite3.connect(conn.db_path)
    with db:
        db.execute("update contact set merged_into = null where id = ?", (one,))
        db.execute("insert into score select ?, value + 1, band, suppressed, reasons, model_version, last_touch_ms, "
                   "computed_at, touch_count, horizon_exit_ms from score where contact_id = ?", (one, merged))
        db.execute("insert into task_outbox (key, contact_id, owner_id, status, subject, body, priority, due_ms, "
                   "score, band, attempts, created_at, updated_at) select key || '-stray', ?, owner_id, 'pending', "
                   "subject, body, priority, due_ms, score, band, 0, created_at, updated_at from task_outbox", (one,))
    empty_sandbox.requests.clear()
    assert conn.sync_json()["status"] == "ok"
    assert not _writes_to(empty_sandbox, {one, two})
