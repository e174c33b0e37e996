"""Recruitee end to end through the CLI: full sync, then changes in the ATS, then an incremental sync that
reads only what changed; HubSpot shows exactly the expected te_application_* values."""

from __future__ import annotations

import sqlite3

from tests.ats_expect import expected_hubspot, hubspot_values


def _people_with(world, stage=None, status="active", exclude=()):
    for person in world.people.values():
        if person.in_hubspot and len(person.applications) == 1 and person.id not in exclude:
            app = person.applications[0]
            if app.status == status and (stage is None or app.stage == stage):
                yield person, app


def test_full_then_incremental_sync_shows_exact_values_and_reads_only_changes(recruitee_connector, recruitee, sandbox):
    world = recruitee.world
    recruitee_connector.run("setup")
    full = recruitee_connector.sync_json()
    assert full["status"] == "ok" and full["candidates_matched"] > 40 and full["candidates_unmatched"] == 3
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, world)

    cursor_s = max(p.updated_ms for p in world.people.values()) // 1000
    overlap = {p.id for p in world.people.values() if p.updated_ms // 1000 >= cursor_s - 300}
    moved, moved_app = next(_people_with(world, stage="Telefonisch gesprek"))
    rejected, rejected_app = next(_people_with(world, stage="Eerste gesprek", exclude={moved.id}))
    hired, hired_app = next(_people_with(world, stage="Tweede gesprek", exclude={moved.id, rejected.id}))
    newcomer = sandbox.seed_summary["segments"]["abandoned"][0]       # had only an apply intent
    world.move(moved_app.id, "Tweede gesprek")
    world.close(rejected_app.id, "rejected")
    world.close(hired_app.id, "hired")
    new_app = world.apply(newcomer, 21_003)
    before = len(recruitee.requests)

    incremental = recruitee_connector.sync_json()
    reads = recruitee.requests[before:]
    assert [r.path.rsplit("/", 1)[-1] for r in reads] == ["offers", "disqualify_reasons", "candidates"]
    changed = {moved.id, rejected.id, hired.id, new_app.person_id}
    assert incremental["ats_candidates_pulled"] == len(changed | overlap)
    assert incremental["ats_requests"] == 3
    now = hubspot_values(sandbox)
    assert now == expected_hubspot(sandbox, world)
    by_candidate = {v["te_ats_candidate_id"]: v["te_application_status"] for v in now.values()}
    assert by_candidate[str(moved.id)] == "interview"
    assert by_candidate[str(rejected.id)] == "rejected"
    assert by_candidate[str(hired.id)] == "hired"
    assert by_candidate[str(new_app.person_id)] == "applied"


def test_every_candidate_list_request_carries_a_limit(recruitee_connector, recruitee):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json(ATS_PAGE_SIZE="7")
    lists = [r for r in recruitee.requests if r.path.endswith("/candidates")]
    assert len(lists) > 5 and all(r.query.get("limit") == ["7"] for r in lists)


def test_sandbox_returns_every_candidate_when_limit_is_missing(recruitee):
    import requests
    url = f"{recruitee.url}/c/{recruitee.company_id}/candidates"
    headers = {"Authorization": f"Bearer {recruitee.token}"}
    unbounded = requests.get(url, headers=headers, timeout=5).json()["candidates"]
    paged = requests.get(url, headers=headers, params={"limit": 5}, timeout=5).json()["candidates"]
    assert len(unbounded) == len(recruitee.world.people) and len(paged) == 5


def test_rate_limited_requests_are_retried_after_retry_after(recruitee_connector, recruitee):
    recruitee_connector.run("setup")
    recruitee.set_rate_limit(2, 1.0)
    result = recruitee_connector.sync_json(ATS_PAGE_SIZE="50")
    assert result["status"] == "ok"
    assert any(r.status == 429 for r in recruitee.requests)
    assert result["candidates_matched"] > 40


def test_missing_recruitee_token_names_the_variable(recruitee_connector):
    result = recruitee_connector.run("sync", expect=2, RECRUITEE_API_TOKEN="")
    assert result.output.strip() == "error: RECRUITEE_API_TOKEN is not set: ATS_KIND=recruitee needs it"


def test_rejected_token_is_one_line_without_the_token(recruitee_connector):
    recruitee_connector.run("setup")
    result = recruitee_connector.run("sync", expect=3, RECRUITEE_API_TOKEN="wrong-SENTINEL-token")
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: recruitee refused") and "RECRUITEE_API_TOKEN" in last
    assert "SENTINEL" not in result.output


def test_candidate_matched_on_a_second_email_records_which_email(recruitee_connector, recruitee):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    two = [p for p in recruitee.world.people.values() if len(p.emails) == 2]
    assert two
    db = sqlite3.connect(recruitee_connector.db_path)
    rows = dict(((cid, (match, email)) for cid, match, email in db.execute(
        "select id, match, matched_email from ats_candidate")))
    for person in two:
        assert rows[str(person.id)] == ("matched", person.emails[1])


def test_status_lists_candidates_without_a_contact(recruitee_connector, recruitee):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    out = recruitee_connector.run("status").output
    outsiders = [p for p in recruitee.world.people.values() if not p.in_hubspot]
    assert "ATS candidates without a HubSpot contact: 3" in out
    for person in outsiders:
        assert f"recruitee candidate {person.id}: unmatched" in out
        assert person.emails[0] not in out


def test_pool_shows_the_application_status(recruitee_connector, sandbox):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    out = recruitee_connector.run("pool", "--top", "0").output
    assert "interview" in out and "hired" in out and "screening" in out


def test_failure_on_a_later_page_keeps_the_committed_pages_and_a_rerun_converges(recruitee_connector, recruitee,
                                                                                sandbox):
    """Break the 3rd candidate page (no retries left); the run fails with one line; pages 1-2 and their cursor
    are kept; the re-run reads from that cursor and HubSpot ends exactly as after an uninterrupted sync."""
    recruitee_connector.run("setup")
    recruitee.add_fault(nth=3, status=500, path_prefix=f"/c/{recruitee.company_id}/search")
    failed = recruitee_connector.run("sync", expect=1, ATS_PAGE_SIZE="10", ATS_MAX_RETRIES="0")
    assert failed.output.strip().splitlines()[-1].startswith("error: recruitee answered 500 on candidates")
    db = sqlite3.connect(recruitee_connector.db_path)
    assert db.execute("select count(*) from ats_candidate").fetchone()[0] == 20
    assert db.execute("select value from cursor where stream = 'recruitee.candidates'").fetchone() is not None
    rerun = recruitee_connector.sync_json(ATS_PAGE_SIZE="10")
    first_query = next(r for r in reversed(recruitee.requests) if r.path.endswith("/search/new/candidates")
                       and r.query.get("offset") == ["0"])
    assert "filters" in first_query.query                     # resumed from the cursor, not from scratch
    assert rerun["status"] == "ok"
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, recruitee.world)
