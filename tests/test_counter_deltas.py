"""Counter deltas: a portal without per-event web analytics still gets a web signal from HubSpot's visit and
page-view counters; a 403 on the events API is one warning, not a failure; unknown capabilities are re-probed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.counters import MAX_PER_RISE, Reading, counter_touchpoints

VACANCY = "https://careers.example.com/vacancies/data-engineer"
EVENTS = "/events/v3/events"


# --- pure: what a rise makes ------------------------------------------------------------------------------------


def _credit(readings: list[tuple[int, int]], last_ms: int = 1_000) -> list[dict]:
    """Touchpoints of crediting each (visits, page views) reading in turn, as the sync does run after run."""
    rows, credited = [], (None, None)
    for visits, views in readings:
        rows += counter_touchpoints(Reading("c1", visits, views, last_ms, *credited))
        credited = (visits, views)
    return rows


def test_first_sight_gives_one_visit_and_one_page_view_dated_by_the_last_visit():
    rows = counter_touchpoints(Reading("c1", 7, 19, 1_234, None, None))
    assert [(r["kind"], r["source_id"], r["occurred_ms"]) for r in rows] == [
        ("counted_visit", "c1:visits:7", 1_234), ("counted_page_view", "c1:views:19", 1_234)]


def test_no_rise_a_fall_or_no_session_time_make_nothing():
    assert counter_touchpoints(Reading("c1", 3, 5, 1_000, 3, 5)) == []
    assert counter_touchpoints(Reading("c1", 2, 4, 1_000, 3, 5)) == []
    assert counter_touchpoints(Reading("c1", 9, 9, None, None, None)) == []
    assert counter_touchpoints(Reading("c1", None, None, 1_000, None, None)) == []


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=12))
def test_crediting_run_by_run_counts_each_visit_once(steps):
    readings, visits, views = [], 0, 0
    for dv, dp in steps:                      # counters only grow (a rise per run of at most MAX_PER_RISE)
        visits, views = visits + dv, views + dp
        readings.append((visits, views))
    rows = _credit(readings)
    ids = [r["source_id"] for r in rows]
    assert len(ids) == len(set(ids))
    first_visits, first_views = readings[0]
    assert sorted(int(i.rsplit(":", 1)[1]) for i in ids if ":visits:" in i) == \
        ([first_visits] if first_visits else []) + list(range(first_visits + 1, visits + 1))
    assert sorted(int(i.rsplit(":", 1)[1]) for i in ids if ":views:" in i) == \
        ([first_views] if first_views else []) + list(range(first_views + 1, views + 1))
    assert _credit(readings + [readings[-1]]) == rows, "a re-read of the same counters adds nothing"


def test_a_huge_rise_makes_at_most_the_cap():
    rows = counter_touchpoints(Reading("c1", 500, 500, 1_000, 1, 1))
    assert len(rows) == 2 * MAX_PER_RISE and {r["source_id"] for r in rows} >= {"c1:visits:500", "c1:views:491"}


# --- end to end -------------------------------------------------------------------------------------------------


@pytest.fixture
def professional(sandbox):
    """The seeded portal below Enterprise: /events/v3/events answers 403."""
    sandbox.tier = "professional"
    yield sandbox
    sandbox.tier = "enterprise"


def _visit_twice(sandbox, contact_id: str, hours_ago: float = 5) -> None:
    """Two sessions (more than 30 minutes apart), three page views: HubSpot's counters rise by 2 and 3."""
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    for minutes in (0, 5, 90):
        sandbox.add_web_event(contact_id, url=VACANCY, occurred_at=start + timedelta(minutes=minutes))


def _counted(connector, contact_id: str) -> list[tuple[str, str]]:
    return sorted(connector.query("select kind, source_id from touchpoint where source = 'hubspot_counter' "
                                  f"and contact_id = '{contact_id}'"))


def _explain(connector, email: str) -> dict:
    return json.loads(connector.run("explain", email, "--json").output)


def test_a_403_on_web_analytics_is_one_warning_and_counters_take_over(connector, sandbox):
    email = "rising.counters@example.org"
    cid = sandbox.create_contact({"email": email, "firstname": "Rising"})
    connector.run("setup")                                   # Enterprise: page views per event
    first = connector.sync_json()
    assert first["status"] == "ok" and "warnings" not in first
    before = _explain(connector, email)["value"]
    sandbox.tier = "professional"                           # the portal left Enterprise
    try:
        _visit_twice(sandbox, cid)
        mark = len(sandbox.requests)
        second = connector.sync_json()
        assert second["status"] == "ok" and second["warnings"] == 1
        assert [r.status for r in sandbox.requests[mark:] if r.path.startswith(EVENTS)] == [403], "asked once"
        status = json.loads(connector.run("status", "--json").output)
        assert status["capabilities"]["web_analytics"] == "no"
        assert status["runs"][0]["status"] == "ok" and status["runs"][0]["error"].startswith("warning: ")
        assert "403" in status["runs"][0]["error"]
        assert _counted(connector, cid) == [("counted_page_view", f"{cid}:views:{n}") for n in (1, 2, 3)] + \
            [("counted_visit", f"{cid}:visits:{n}") for n in (1, 2)]
        data = _explain(connector, email)
        assert data["value"] > before
        counted = [c for c in data["contributions"] if c["kind"] in ("counted_visit", "counted_page_view")]
        assert len(counted) == 5 and all(c["synthetic"] and c["origin"] == "hubspot_counters" for c in counted)
        assert all("counter" in c["note"] and "not a page view" in c["note"] for c in counted)
        assert not any(c["synthetic"] for c in data["contributions"] if c not in counted)
        text = " ".join(connector.run("explain", email, COLUMNS="250").output.split())
        assert "counted_visit" in text and "HubSpot's visit counter" in text and "counted by HubSpot" in text
        mark = len(sandbox.requests)
        third = connector.sync_json()
        assert third["status"] == "ok" and "warnings" not in third
        assert not [r for r in sandbox.requests[mark:] if r.path.startswith(EVENTS)], "web analytics stays off"
        assert len(_counted(connector, cid)) == 5
    finally:
        sandbox.tier = "enterprise"


def test_a_crash_after_the_contacts_page_does_not_double_the_rise(connector, professional):
    sandbox = professional
    email = "crash.counters@example.org"
    cid = sandbox.create_contact({"email": email})
    sandbox.add_web_event(cid, url=VACANCY, occurred_at=datetime.now(UTC) - timedelta(hours=9))
    connector.run("setup")
    connector.sync_json()
    assert _counted(connector, cid) == [("counted_page_view", f"{cid}:views:1"), ("counted_visit", f"{cid}:visits:1")]
    _visit_twice(sandbox, cid)                               # visits 1 -> 3, page views 1 -> 4
    sandbox.add_fault(path_prefix="/email/public/v1/events", status=400)    # the step after the contacts pull
    crashed = connector.run("sync", expect=None)
    assert crashed.exit_code != 0 and len(_counted(connector, cid)) == 2
    for _ in range(2):
        assert connector.sync_json()["status"] == "ok"
    assert _counted(connector, cid) == [("counted_page_view", f"{cid}:views:{n}") for n in (1, 2, 3, 4)] + \
        [("counted_visit", f"{cid}:visits:{n}") for n in (1, 2, 3)]


def test_web_analytics_unknown_at_setup_is_probed_again_by_the_sync(connector, empty_sandbox):
    sandbox = empty_sandbox
    connector.run("setup")                                   # no contact to probe the events API with
    status = json.loads(connector.run("status", "--json").output)
    assert status["capabilities"]["web_analytics"].startswith("unknown")
    cid = sandbox.create_contact({"email": "first.visitor@example.org"})
    sandbox.add_web_event(cid, url=VACANCY, occurred_at=datetime.now(UTC) - timedelta(hours=2))
    counts = connector.sync_json()
    assert counts["status"] == "ok"
    status = json.loads(connector.run("status", "--json").output)
    assert status["capabilities"]["web_analytics"] == "yes"
    kinds = connector.query(f"select source, kind from touchpoint where contact_id = '{cid}'")
    assert ("web_event", "vacancy_view") in kinds and not _counted(connector, cid), "page views, nothing counted twice"
