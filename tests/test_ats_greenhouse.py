"""Greenhouse Harvest v3 end to end through the CLI: full and incremental syncs, the cursor-only rule, a token
expiring mid-sync, 429s, prospects never counted as applicants."""

from __future__ import annotations

from tests.ats_expect import expected_hubspot, hubspot_values

GH = {"prospect_job": None}      # Greenhouse keeps prospects on the job itself


def _single(world, stage, exclude=()):
    for person in world.people.values():
        if person.in_hubspot and len(person.applications) == 1 and person.id not in exclude:
            app = person.applications[0]
            if app.status == "active" and app.stage == stage and not app.prospect:
                return person, app
    raise AssertionError(f"no single active application in {stage}")


def test_full_then_incremental_sync_shows_exact_values_and_reads_only_changes(greenhouse_connector, greenhouse,
                                                                             sandbox):
    world = greenhouse.world
    greenhouse_connector.run("setup")
    full = greenhouse_connector.sync_json(ATS_PAGE_SIZE="20")
    assert full["status"] == "ok" and full["candidates_unmatched"] == 3
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, world, **GH)

    moved, moved_app = _single(world, "Telefonisch gesprek")
    rejected, rejected_app = _single(world, "Eerste gesprek", {moved.id})
    hired, hired_app = _single(world, "Tweede gesprek", {moved.id, rejected.id})
    world.move(moved_app.id, "Tweede gesprek")
    world.close(rejected_app.id, "rejected")
    world.close(hired_app.id, "hired")
    new_app = world.apply(sandbox.seed_summary["segments"]["abandoned"][0], 21_003)
    before = len(greenhouse.requests)

    incremental = greenhouse_connector.sync_json(ATS_PAGE_SIZE="20")
    reads = [r for r in greenhouse.requests[before:] if r.path.startswith("/v3/")]
    assert [r.path for r in reads] == ["/v3/rejection_reasons", "/v3/users", "/v3/jobs", "/v3/candidates",
                                       "/v3/applications"]
    assert all(r.query.get("updated_at", ["gte|"])[0].startswith("gte|") for r in reads[2:])
    assert incremental["ats_candidates_pulled"] == 4 and incremental["ats_applications_pulled"] == 4
    assert incremental["ats_jobs_pulled"] == 0
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, world, **GH)
    by_candidate = {v["te_ats_candidate_id"]: v["te_application_status"] for v in hubspot_values(sandbox).values()}
    assert [by_candidate[str(p.id)] for p in (moved, rejected, hired)] == ["interview", "rejected", "hired"]
    assert by_candidate[str(new_app.person_id)] == "applied"


def test_follow_up_pages_carry_only_the_cursor(greenhouse_connector, greenhouse):
    greenhouse_connector.run("setup")
    greenhouse_connector.sync_json(ATS_PAGE_SIZE="10")
    lists = [r for r in greenhouse.requests if r.path.startswith("/v3/")]
    follow_ups = [r for r in lists if "cursor" in r.query]
    assert len(follow_ups) >= 10
    assert all(set(r.query) == {"cursor"} for r in follow_ups)
    assert all(r.status == 200 for r in lists)


def test_sandbox_refuses_a_cursor_mixed_with_other_parameters(greenhouse):
    import requests
    token = requests.post(f"{greenhouse.url}/token", auth=(greenhouse.client_id, greenhouse.client_secret),
                          data={"grant_type": "client_credentials"}, timeout=5).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    first = requests.get(f"{greenhouse.url}/v3/candidates", params={"per_page": 5}, headers=headers, timeout=5)
    nxt = first.links["next"]["url"]
    assert requests.get(nxt, headers=headers, timeout=5).status_code == 200
    mixed = requests.get(nxt + "&per_page=5", headers=headers, timeout=5)
    assert mixed.status_code == 422 and "only query parameter" in mixed.json()["error"]


def test_token_expiring_mid_sync_is_renewed_without_losing_or_repeating_a_page(greenhouse_connector, greenhouse,
                                                                             sandbox):
    greenhouse_connector.run("setup")
    seen = {"pages": 0}
    original = greenhouse.list_candidates

    def expire_after_second_page(params, query, raw):
        seen["pages"] += 1
        if seen["pages"] == 2:
            greenhouse.expire_tokens()        # the hour ends between two pages of one list
        return original(params, query, raw)

    greenhouse.list_candidates = expire_after_second_page
    try:
        result = greenhouse_connector.sync_json(ATS_PAGE_SIZE="10")
    finally:
        del greenhouse.list_candidates
    assert result["status"] == "ok"
    assert greenhouse.tokens_issued == 2
    unauthorized = [r for r in greenhouse.requests if r.status == 401]
    assert len(unauthorized) == 1
    candidate_pages = [r for r in greenhouse.requests if r.path == "/v3/candidates" and r.status == 200]
    cursors = [r.query.get("cursor", ["first"])[0] for r in candidate_pages]
    assert len(cursors) == len(set(cursors))                       # no page read twice
    assert result["ats_candidates_pulled"] == len(greenhouse.world.people)    # none lost
    assert hubspot_values(sandbox) == expected_hubspot(sandbox, greenhouse.world, **GH)


def test_rate_limit_429_waits_retry_after_and_finishes(greenhouse_connector, greenhouse):
    greenhouse_connector.run("setup")
    greenhouse.set_rate_limit(4, 1.0)
    result = greenhouse_connector.sync_json(ATS_PAGE_SIZE="50")
    assert result["status"] == "ok" and result["candidates_unmatched"] == 3
    limited = [r for r in greenhouse.requests if r.status == 429]
    assert limited


def test_prospects_are_never_counted_as_applicants(greenhouse_connector, greenhouse, sandbox):
    greenhouse_connector.run("setup")
    greenhouse_connector.sync_json()
    prospects = [p for p in greenhouse.world.people.values() if any(a.prospect for a in p.applications)]
    assert prospects
    statuses = {v["te_ats_candidate_id"]: v["te_application_status"] for v in hubspot_values(sandbox).values()}
    for person in prospects:
        assert statuses[str(person.id)] == "prospect"
        explained = greenhouse_connector.run("explain", person.emails[-1], "--json").output
        assert '"kind": "application"' not in explained


def test_missing_client_secret_names_the_variable(greenhouse_connector):
    result = greenhouse_connector.run("sync", expect=2, GREENHOUSE_CLIENT_SECRET="")
    assert result.output.strip() == "error: GREENHOUSE_CLIENT_SECRET is not set: ATS_KIND=greenhouse needs it"


def test_wrong_client_secret_is_one_line_without_the_secret(greenhouse_connector):
    greenhouse_connector.run("setup")
    result = greenhouse_connector.run("sync", expect=3, GREENHOUSE_CLIENT_SECRET="SENTINEL-secret")
    assert result.output.strip().splitlines()[-1].startswith("error: greenhouse refused the token request (401)")
    assert "SENTINEL" not in result.output
