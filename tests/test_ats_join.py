"""The candidate ↔ contact join: ambiguities reported not guessed; contacts for unmatched candidates only when
opted in with a lawful basis; the ATS inside --dry-run and the daemon."""

from __future__ import annotations

import re
import sqlite3

from tests.ats_expect import expected_status, hubspot_values

NOTE = "Legitimate interest: applied through our careers site (privacy notice v3)"


def test_one_email_on_two_contacts_is_reported_not_guessed(recruitee_connector, recruitee, sandbox):
    person = next(p for p in recruitee.world.people.values() if p.in_hubspot and len(p.emails) == 1)
    sandbox.create_contact({"email": "someone.else@example.org", "hs_additional_emails": person.emails[0],
                            "firstname": "Twin"})
    recruitee_connector.run("setup")
    result = recruitee_connector.sync_json()
    assert result["candidates_ambiguous"] == 1
    values = hubspot_values(sandbox)
    assert str(person.id) not in {v["te_ats_candidate_id"] for v in values.values()}
    out = recruitee_connector.run("status").output
    assert f"recruitee candidate {person.id}: ambiguous" in out


def test_candidates_without_a_contact_get_one_only_when_opted_in_with_a_lawful_basis(recruitee_connector, recruitee,
                                                                                     sandbox):
    recruitee_connector.run("setup")
    refused = recruitee_connector.run("sync", expect=2, ATS_CREATE_CONTACTS="true")
    assert refused.output.strip().startswith("error: ATS_LAWFUL_BASIS_NOTE is not set")
    before = len(sandbox.contacts())
    assert recruitee_connector.sync_json()["candidates_unmatched"] == 3 and len(sandbox.contacts()) == before

    created = recruitee_connector.sync_json(ATS_CREATE_CONTACTS="true", ATS_LAWFUL_BASIS_NOTE=NOTE)
    assert created["contacts_created"] == 3
    outsiders = {p.emails[0]: p for p in recruitee.world.people.values() if not p.in_hubspot}
    new = {c["properties"]["email"]: c["properties"] for c in sandbox.contacts()
           if c["properties"].get("email") in outsiders}
    assert set(new) == set(outsiders)
    for email, props in new.items():
        assert props["te_lawful_basis"] == NOTE
        assert props["te_application_status"] == expected_status(outsiders[email].applications)[0]
        assert props["te_ats_candidate_id"] == str(outsiders[email].id)
    again = recruitee_connector.sync_json(ATS_CREATE_CONTACTS="true", ATS_LAWFUL_BASIS_NOTE=NOTE)
    assert again.get("contacts_created", 0) == 0 and len(sandbox.contacts()) == before + 3


def test_dry_run_pulls_the_ats_and_plans_application_values_without_writing(recruitee_connector, sandbox):
    recruitee_connector.run("setup")
    out = recruitee_connector.run("sync", "--dry-run").output
    assert re.search(r"te_application_status=(applied|screening|interview|offer|hired|rejected|withdrawn)", out)
    assert hubspot_values(sandbox) == {}
    db = sqlite3.connect(recruitee_connector.db_path)
    assert db.execute("select count(*) from ats_application").fetchone()[0] > 50


def test_daemon_runs_pull_the_ats_each_time(recruitee_connector, recruitee, sandbox):
    recruitee_connector.run("setup")
    recruitee_connector.run("daemon", "--interval-seconds", "0.1", "--max-runs", "2")
    searches = [r for r in recruitee.requests if r.path.endswith("/search/new/candidates")]
    assert len(searches) == 2 and "filters" in searches[1].query
    assert hubspot_values(sandbox)


def test_recruiter_without_a_hubspot_owner_is_reported_once_and_mapped_by_the_override(recruitee_connector, recruitee,
                                                                                      sandbox, tmp_path):
    for job in recruitee.world.jobs.values():
        if job.recruiter == "daan.visser@example.com":
            job.recruiter = "external.recruiter@agency.example"
    recruitee_connector.run("setup")
    first = recruitee_connector.run("sync", "--json")
    assert first.output.count("1 recruiters have no HubSpot owner") == 1
    assert "external.recruiter" not in first.output          # no emails in logs
    assert "  external.recruiter@agency.example" in recruitee_connector.run("status").output
    owner = sandbox.owners()[0]["id"]
    mapping = tmp_path / "recruiters.toml"
    mapping.write_text(f'[recruiters]\n"External.Recruiter@agency.example" = "{owner}"\n')
    second = recruitee_connector.sync_json(ATS_RECRUITER_MAP_PATH=str(mapping))
    assert second["ats_unmapped_recruiters"] == 0
    from connector.db import make_engine, session_scope
    from connector.state.ats_store import application_summaries, recruiter_owner_ids
    with session_scope(make_engine(f"sqlite:///{recruitee_connector.db_path}")) as session:
        mapped, summaries = recruiter_owner_ids(session), application_summaries(session)
    external = [cid for cid, s in summaries.items()
                if s.job_id and recruitee.world.jobs.get(int(s.job_id)) is not None
                and recruitee.world.jobs[int(s.job_id)].recruiter == "external.recruiter@agency.example"]
    assert external and all(mapped[cid] == owner for cid in external)


def test_without_the_owners_scope_the_ats_is_still_pulled_and_recruiters_stay_unmapped(recruitee, make_connector):
    from connector.sandbox.hubspot import DEFAULT_SCOPES, HubSpotSandbox
    from tests.conftest import FAST_LIMITS
    server = HubSpotSandbox(seed=True, scopes=set(DEFAULT_SCOPES) - {"crm.objects.owners.read"}, **FAST_LIMITS).start()
    try:
        connector = make_connector(server)
        connector.env.update({"ATS_KIND": "recruitee", "RECRUITEE_API_TOKEN": recruitee.token,
                              "RECRUITEE_COMPANY_ID": recruitee.company_id, "RECRUITEE_BASE_URL": recruitee.url})
        connector.run("setup")
        result = connector.run("sync", "--json")
        assert "HubSpot owners unavailable" in result.output
        assert '"ats_unmapped_recruiters": 4' in result.output and hubspot_values(server)
    finally:
        server.stop()
