"""te_engagement_rank_pct as HubSpot holds it: inactive contacts share rank 0, and one contact's new activity does
not rewrite the other contacts' rank (it is written again only after moving RANK_WRITE_STEP points or a band)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

VACANCIES = ["data-engineer", "ux-designer", "devops-engineer", "product-owner", "qa-engineer", "java-developer"]


@pytest.fixture
def pool(empty_sandbox, make_connector):
    """300 contacts: 120 with 1-6 vacancy views of an hour ago, 180 without any activity; synced once."""
    ids = empty_sandbox.bulk_create_contacts(300)
    start = datetime.now(UTC) - timedelta(hours=1)
    for n, cid in enumerate(ids[:120]):
        for slug in VACANCIES[: 1 + n % 6]:
            empty_sandbox.add_web_event(cid, url=f"https://careers.example.com/vacancies/{slug}", occurred_at=start)
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    return conn, ids


def _ranks(sandbox) -> dict[str, str]:
    return {c["id"]: c["properties"].get("te_engagement_rank_pct") for c in sandbox.contacts()}


def test_inactive_contacts_share_the_bottom_rank(pool, empty_sandbox):
    conn, ids = pool
    conn.sync_json()
    ranks = _ranks(empty_sandbox)
    assert {ranks[cid] for cid in ids[120:]} == {"0"}
    assert {ranks[cid] for cid in ids[:120]} >= {"100"} and "0" not in {ranks[cid] for cid in ids[:120]}


@pytest.mark.parametrize(("step", "rewritten_at_least", "rewritten_at_most"), [("5", 1, 1), ("0", 20, 300)])
def test_one_contacts_new_activity_does_not_rewrite_the_others_rank(pool, empty_sandbox, step, rewritten_at_least,
                                                                    rewritten_at_most):
    conn, ids = pool
    conn.sync_json(RANK_WRITE_STEP=step)
    before = _ranks(empty_sandbox)
    newcomer = ids[200]                              # inactive until now: moves from rank 0 to the top
    for slug in VACANCIES:
        empty_sandbox.add_web_event(newcomer, url=f"https://careers.example.com/vacancies/{slug}",
                                    occurred_at=datetime.now(UTC) - timedelta(minutes=5))
    counts = conn.sync_json(RANK_WRITE_STEP=step)
    after = _ranks(empty_sandbox)
    assert rewritten_at_least <= counts["contacts_updated"] <= rewritten_at_most
    assert after[newcomer] == "100" and before[newcomer] == "0"
    if step == "5":
        assert {cid for cid in ids if after[cid] != before[cid]} == {newcomer}


@pytest.mark.parametrize(("last", "desired", "written"), [
    ({}, {"rank": "40", "band": "warm"}, {"rank": "40", "band": "warm"}),                     # never written
    ({"rank": "40", "band": "warm"}, {"rank": "44", "band": "warm"}, {}),                     # moved 4 < 5
    ({"rank": "40", "band": "warm"}, {"rank": "45", "band": "warm"}, {"rank": "45"}),         # moved 5
    ({"rank": "40", "band": "warm"}, {"rank": "36", "band": "cold"}, {"rank": "36", "band": "cold"}),  # band
    ({"rank": "40", "band": "warm", "score": "30"}, {"rank": "41", "band": "warm", "score": "31"}, {"score": "31"}),
])
def test_rank_is_written_after_a_step_or_a_band_change(last, desired, written):
    from connector.scores import push_diff
    names = {"rank": "te_engagement_rank_pct", "band": "te_engagement_band", "score": "te_engagement_score"}
    wire = lambda props: {names[k]: v for k, v in props.items()}   # noqa: E731
    updates = push_diff({"c1": wire(desired)}, {"c1": wire(last)} if last else {}, 5)
    assert updates == ({"c1": wire(written)} if written else {})
