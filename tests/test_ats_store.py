"""The read interface other rooms use (connector/state/ats_store.py), after a real sync against the sandboxes."""

from __future__ import annotations

from datetime import UTC

from connector.db import make_engine, session_scope
from connector.sandbox.hs_seed_data import RECRUITERS
from connector.state import ats_store


def _synced(recruitee_connector):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    return make_engine(f"sqlite:///{recruitee_connector.db_path}")


def test_application_summaries_describe_every_application_of_a_contact(recruitee_connector, recruitee, sandbox):
    engine = _synced(recruitee_connector)
    with session_scope(engine) as session:
        summaries = ats_store.application_summaries(session)
        some = ats_store.application_summaries(session, list(summaries)[:2])
    assert len(some) == 2
    by_candidate = {s.candidate_id: s for s in summaries.values()}
    for person in recruitee.world.people.values():
        if not person.in_hubspot:
            assert str(person.id) not in by_candidate
            continue
        summary = by_candidate[str(person.id)]
        assert len(summary.applications) == len(person.applications)
        assert summary.updated_at.tzinfo is not None and summary.updated_at.utcoffset() == UTC.utcoffset(None)
        for view in summary.applications:
            if view.phase == "prospect":      # Recruitee keeps prospects in a talent pool, not on a job
                assert view.job_title == "Engineering talent pool"
                continue
            job = recruitee.world.jobs[int(view.job_id)]
            assert (view.job_title, view.apply_url, view.job_url, view.job_state) == (
                job.title, job.apply_url, job.url, job.state)
        if summary.outcome != "open":
            assert summary.status == summary.outcome and summary.closed_at is not None


def test_recruiter_owner_ids_map_recruiters_by_email_and_by_override(recruitee_connector, sandbox, tmp_path):
    engine = _synced(recruitee_connector)
    owners = {o["email"]: o["id"] for o in sandbox.owners()}
    with session_scope(engine) as session:
        mapped = ats_store.recruiter_owner_ids(session)
        summaries = ats_store.application_summaries(session)
        assert set(mapped) == {cid for cid, s in summaries.items() if s.status != "prospect"}   # pools have no recruiter
        assert set(mapped.values()) <= {owners[email] for _, _, email in RECRUITERS[:4]}
        lotte = RECRUITERS[0][2]
        overridden = ats_store.recruiter_owner_ids(session, overrides={lotte: "999"})
        assert "999" in overridden.values() and owners[lotte] not in overridden.values()


def test_jobs_carry_title_state_and_public_and_apply_urls(recruitee_connector, recruitee):
    engine = _synced(recruitee_connector)
    with session_scope(engine) as session:
        jobs = {j.id: j for j in ats_store.jobs(session)}
    assert len(jobs) == len(recruitee.world.jobs) + 1      # and the talent pool
    for job in recruitee.world.jobs.values():
        got = jobs[str(job.id)]
        assert (got.title, got.state, got.public_url, got.apply_url) == (job.title, job.state, job.url, job.apply_url)
    assert {j.state for j in jobs.values()} == {"open", "closed"}


def test_an_application_is_a_scoring_touchpoint(recruitee_connector):
    recruitee_connector.run("setup")
    recruitee_connector.sync_json()
    result = recruitee_connector.run("explain", "anna.devries@example.nl", "--json")
    assert '"kind": "application"' in result.output
