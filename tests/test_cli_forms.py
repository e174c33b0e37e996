"""HubSpot form submissions end to end: applications, apply intents and form touchpoints, paging, cursors, setup."""

import sqlite3
from datetime import UTC, datetime, timedelta

from connector.config import Settings
from connector.db import make_engine, session_scope
from connector.sandbox.hubspot import DEFAULT_SCOPES
from connector.state.forms import FormApplication, form_applications, forms_configured

SUBMISSIONS = "/form-integrations/v1/submissions/forms/"
APPLY_URL = "https://careers.example.com/vacancies/data-engineer/apply"
APPLY_FIELDS = ["email", "firstname", "lastname", "cv"]
UNKNOWN_GUID = "00000000-0000-4000-8000-00000000abcd"


def _ago(**delta) -> datetime:
    return (datetime.now(UTC) - timedelta(**delta)).replace(microsecond=0)


def _applications(conn) -> dict:
    with session_scope(make_engine(f"sqlite:///{conn.db_path}")) as session:
        return form_applications(session)


def _touchpoints(conn, source="form") -> list[tuple]:
    db = sqlite3.connect(conn.db_path)
    return db.execute("select kind, contact_id, key, label, url from touchpoint where source = ? "
                      "order by occurred_ms", (source,)).fetchall()


def _submission_reads(sandbox) -> list:
    return [r for r in sandbox.requests if r.path.startswith(SUBMISSIONS)]


def test_application_form_submission_is_an_application_of_the_contact_also_by_additional_email(
        empty_sandbox, make_connector):
    anna = empty_sandbox.create_contact({"email": "anna@example.nl", "firstname": "Anna"})
    sem = empty_sandbox.create_contact({"email": "sem@example.com", "hs_additional_emails": "sem.old@private.example.net"})
    form = empty_sandbox.add_form("Solliciteer: Data Engineer", APPLY_FIELDS)
    at = _ago(hours=2)
    empty_sandbox.add_form_submission(form, {"email": "Anna@Example.nl ", "cv": "cv-anna.pdf"},
                                      page_url=APPLY_URL + "?utm_source=linkedin", submitted_at=at)
    empty_sandbox.add_form_submission(form, {"email": "SEM.OLD@private.example.net"}, submitted_at=at,
                                      page_url="https://careers.example.com/nl/vacancies/devops-engineer/apply/")
    conn = make_connector(empty_sandbox)
    conn.env["APPLICATION_FORM_IDS"] = form
    conn.run("setup")
    counts = conn.sync_json()
    assert counts["form_submissions_read"] == 2 and counts.get("quarantined", 0) == 0
    assert _applications(conn) == {
        anna: [FormApplication(form, "data-engineer", APPLY_URL + "?utm_source=linkedin", at)],
        sem: [FormApplication(form, "devops-engineer",
                              "https://careers.example.com/nl/vacancies/devops-engineer/apply/", at)]}
    kinds = {(k, label) for k, _cid, _key, label, _url in _touchpoints(conn)}
    assert kinds == {("application", "Data Engineer")}      # the vacancy title from "Solliciteer: <vacancy>"
    assert int(empty_sandbox.contact(anna)["te_engagement_score"]) > 0


def test_start_application_is_an_apply_intent_and_other_forms_are_form_touchpoints(empty_sandbox, make_connector):
    lucas = empty_sandbox.create_contact({"email": "lucas@example.org"})
    start = empty_sandbox.add_form("Start application", ["email", "vacancy"])
    alert = empty_sandbox.add_form("Job alert", ["email", "firstname"], form_type="flow")
    empty_sandbox.add_form_submission(start, {"email": "lucas@example.org", "vacancy": "Senior Java Developer"},
                                      page_url="https://careers.example.com/", submitted_at=_ago(hours=3))
    empty_sandbox.add_form_submission(alert, {"email": "lucas@example.org"}, page_url="https://careers.example.com/",
                                      submitted_at=_ago(days=1))
    conn = make_connector(empty_sandbox)
    conn.env["START_APPLICATION_FORM_IDS"] = start
    conn.run("setup")
    conn.sync_json()
    assert sorted(_touchpoints(conn)) == [
        ("apply_intent", lucas, "senior-java-developer", "Senior Java Developer", "https://careers.example.com/"),
        ("form_submission", lucas, alert, "Job alert", "https://careers.example.com/")]
    assert _applications(conn) == {}
    explained = conn.run("explain", "lucas@example.org").output
    assert "apply_intent" in explained and "form_submission" in explained


def test_submissions_page_past_50_and_a_second_sync_reads_only_new_ones(empty_sandbox, make_connector):
    form = empty_sandbox.add_form("Apply", APPLY_FIELDS)
    start = _ago(days=2)
    for i in range(120):
        empty_sandbox.add_form_submission(form, {"email": f"talent{i}@example.net"}, page_url=APPLY_URL,
                                          submitted_at=start + timedelta(minutes=i))
    empty_sandbox.add_form_submission(form, {"email": "recent@example.net"}, page_url=APPLY_URL,
                                      submitted_at=_ago(minutes=10))
    conn = make_connector(empty_sandbox)
    conn.env["APPLICATION_FORM_IDS"] = form
    conn.run("setup")
    empty_sandbox.requests.clear()
    first = conn.sync_json()
    assert first["form_submissions_read"] == 121 and first["touchpoints_new"] == 121
    assert [int(r.query["limit"][0]) for r in _submission_reads(empty_sandbox)] == [50, 50, 50]
    for i in range(2):
        empty_sandbox.add_form_submission(form, {"email": f"late{i}@example.net"}, page_url=APPLY_URL)
    empty_sandbox.requests.clear()
    second = conn.sync_json()
    assert len(_submission_reads(empty_sandbox)) == 1          # the newest page reaches back past the cursor
    # the two new ones, and the one inside the hour of overlap re-read without a duplicate
    assert second["form_submissions_read"] == 3 and second["touchpoints_new"] == 2
    assert len(_touchpoints(conn)) == 123


def test_an_archived_form_is_read_through_once(empty_sandbox, make_connector):
    form = empty_sandbox.add_form("Apply", APPLY_FIELDS)
    empty_sandbox.add_form_submission(form, {"email": "old@example.net"}, page_url=APPLY_URL, submitted_at=_ago(days=3))
    empty_sandbox.archive_form(form)
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    assert conn.sync_json()["form_submissions_read"] == 1      # its submissions still count
    empty_sandbox.requests.clear()
    conn.sync_json()
    assert _submission_reads(empty_sandbox) == []


def test_a_bad_submission_is_quarantined_and_the_others_taken(empty_sandbox, make_connector):
    contact = empty_sandbox.create_contact({"email": "noor@example.eu"})
    form = empty_sandbox.add_form("Job alert", ["email", "firstname"])
    empty_sandbox.add_form_submission(form, {"firstname": "No email"}, page_url="https://careers.example.com/")
    empty_sandbox.add_form_submission(form, {"email": "private-person-at-nowhere"}, page_url="https://careers.example.com/")
    empty_sandbox.add_form_submission(form, {"email": "noor@example.eu"}, page_url="https://careers.example.com/")
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    counts = conn.sync_json()
    assert counts["status"] == "ok" and counts["quarantined"] == 2 and counts["form_submissions_read"] == 3
    assert [(k, cid) for k, cid, *_ in _touchpoints(conn)] == [("form_submission", contact)]
    status = conn.run("status").output
    assert "values.email" in status and f"form {form}:" in status
    assert "private-person-at-nowhere" not in status             # the bad value is not echoed


def test_setup_lists_the_forms_and_unknown_configured_ids_are_reported_not_fatal(connector, sandbox):
    forms = sandbox.seed_summary["forms"]["forms"]
    env = {"APPLICATION_FORM_IDS": f"{forms['Apply']},{UNKNOWN_GUID}",
           "START_APPLICATION_FORM_IDS": forms["Start application"]}
    out = connector.run("setup", **env).output
    for name, guid in forms.items():
        assert name in out and guid in out
    line = next(x for x in out.splitlines() if forms["Apply"] in x)
    assert "application" in line and "start" not in line
    assert "start application" in next(x for x in out.splitlines() if forms["Start application"] in x)
    assert "form touchpoint" in next(x for x in out.splitlines() if forms["Job alert"] in x)
    assert f"APPLICATION_FORM_IDS names {UNKNOWN_GUID}" in out
    counts = connector.sync_json(**env)
    assert counts["status"] == "ok" and counts["forms_unknown_configured"] == 1


def test_seeded_applications_land_on_the_appliers_and_never_on_the_abandoned(connector, sandbox):
    summary, segments = sandbox.seed_summary["forms"], sandbox.seed_summary["segments"]
    apply_forms = [g for n, g in summary["forms"].items() if n == "Apply" or n.startswith("Solliciteer")]
    connector.env["APPLICATION_FORM_IDS"] = ",".join(apply_forms)
    connector.run("setup")
    connector.sync_json()
    emails = {c["id"]: c["properties"]["email"] for c in sandbox.contacts()}
    applied = {emails[cid] for cid in _applications(connector)}
    assert applied == set(summary["applied"]) and len(applied) >= 5
    assert not applied & set(segments["abandoned"])
    resolved = {cid for _k, cid, *_ in _touchpoints(connector)}
    assert None not in resolved                       # the additional-email sign-ups resolved too


def test_without_the_forms_scope_setup_says_no_and_sync_reads_no_forms(empty_sandbox, make_connector):
    empty_sandbox.create_contact({"email": "eva@example.nl"})
    empty_sandbox.add_form("Apply", APPLY_FIELDS)
    conn = make_connector(empty_sandbox)
    empty_sandbox.scopes = DEFAULT_SCOPES - {"forms"}
    try:
        out = conn.run("setup").output
        assert "no:" in next(x for x in out.splitlines() if x.strip("│ ").startswith("forms"))
        assert "missing scope forms" in out
        empty_sandbox.requests.clear()
        assert conn.sync_json()["status"] == "ok"
    finally:
        empty_sandbox.scopes = DEFAULT_SCOPES
    assert not [r for r in empty_sandbox.requests if "/forms" in r.path]


def test_a_form_deleted_after_listing_is_skipped_and_the_run_goes_on(empty_sandbox, make_connector):
    gone = empty_sandbox.add_form("Apply", APPLY_FIELDS)
    kept = empty_sandbox.add_form("Job alert", ["email"])
    empty_sandbox.add_form_submission(kept, {"email": "fleur@example.nl"}, page_url="https://careers.example.com/")
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    empty_sandbox.add_fault(kind="status", status=404, path_prefix=SUBMISSIONS + gone)
    counts = conn.sync_json()
    assert counts["status"] == "ok" and counts["form_submissions_read"] == 1
    assert [r.status for r in _submission_reads(empty_sandbox) if gone in r.path] == [404]


def test_forms_are_configured_only_with_application_form_ids():
    assert not forms_configured(Settings(start_application_form_ids=(UNKNOWN_GUID,)))
    assert forms_configured(Settings(application_form_ids=(UNKNOWN_GUID,)))


def test_a_malformed_form_id_fails_naming_the_setting(connector):
    result = connector.run("sync", expect=2, APPLICATION_FORM_IDS="apply-form")
    assert "APPLICATION_FORM_IDS" in result.output and result.output.startswith("error:")
