"""The forgotten application: flag an apply intent with no application, keep it as first set, clear it in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.actions.abandoned import (
    AbandonRules,
    ApplyIntent,
    Flag,
    Person,
    Vacancy,
    decide_flags,
    flag_properties,
)
from connector.scoring.urls import clean_url

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
RULES = AbandonRules()
JAVA = "senior-java-developer"
APPLY = "https://careers.example.com/vacancies/senior-java-developer/apply"


def _intent(hours_ago: float, vacancy: str = JAVA, device: str | None = "mobile") -> ApplyIntent:
    return ApplyIntent(vacancy, NOW - timedelta(hours=hours_ago), APPLY, "Senior Java Developer", device)


def _person(*intents, **kw) -> Person:
    return Person("1001", intents=tuple(intents), **kw)


def test_an_intent_past_the_grace_period_is_flagged_and_not_before():
    assert decide_flags(_person(_intent(0.5)), {}, NOW, RULES).new == []
    [flag] = decide_flags(_person(_intent(2)), {}, NOW, RULES).new
    assert (flag.vacancy, flag.title, flag.apply_url, flag.device) == (JAVA, "Senior Java Developer", APPLY, "mobile")


@pytest.mark.parametrize(("person_kw", "vacancies", "why"), [
    ({"applications": ((JAVA, NOW - timedelta(hours=1)),)}, {}, "applied"),
    ({"applications": ((None, NOW - timedelta(hours=1)),)}, {}, "applied"),      # vacancy unknown: applied counts
    ({"hired": True}, {}, "hired"),
    ({"suppressed": True}, {}, "unsubscribed or bounced"),
    ({"rejected_at": NOW - timedelta(days=3)}, {}, "rejected recently"),
    ({}, {JAVA: Vacancy(JAVA, "Senior Java Developer", open=False)}, "vacancy closed"),
])
def test_blockers_prevent_a_flag_and_clear_one(person_kw, vacancies, why):
    assert decide_flags(_person(_intent(5), **person_kw), vacancies, NOW, RULES).new == []
    flag = Flag(JAVA, "Senior Java Developer", APPLY, NOW - timedelta(hours=5), None, NOW - timedelta(hours=4))
    decision = decide_flags(_person(_intent(5), active=(flag,), **person_kw), vacancies, NOW, RULES)
    assert decision.cleared == [(flag, why)] and decision.keep == []


def test_an_application_for_another_vacancy_clears_only_with_any_vacancy():
    person = _person(_intent(5), applications=(("data-engineer", NOW - timedelta(hours=1)),))
    assert len(decide_flags(person, {}, NOW, RULES).new) == 1
    assert decide_flags(person, {}, NOW, AbandonRules(any_vacancy=True)).new == []


def test_rejection_older_than_the_cooldown_no_longer_blocks():
    assert len(decide_flags(_person(_intent(5), rejected_at=NOW - timedelta(days=20)), {}, NOW, RULES).new) == 1


def test_expiry_clears_a_flag():
    flag = Flag(JAVA, "Senior Java Developer", APPLY, NOW - timedelta(days=31), None, NOW - timedelta(days=31))
    decision = decide_flags(_person(_intent(31 * 24), active=(flag,)), {}, NOW, RULES)
    assert decision.cleared == [(flag, "expired")]


def test_a_flag_stays_as_first_set_while_new_intents_come():
    flag = Flag(JAVA, "Senior Java Developer", APPLY, NOW - timedelta(days=2), None, NOW - timedelta(days=2))
    decision = decide_flags(_person(_intent(48), _intent(3), active=(flag,)), {}, NOW, RULES)
    assert decision.keep == [flag] and decision.new == []


def test_not_flagged_again_within_the_cooldown():
    last = {JAVA: NOW - timedelta(days=5)}
    assert decide_flags(_person(_intent(3), last_flagged=last), {}, NOW, RULES).new == []
    last = {JAVA: NOW - timedelta(days=15)}
    assert len(decide_flags(_person(_intent(3), last_flagged=last), {}, NOW, RULES).new) == 1


def test_properties_describe_the_most_recent_and_count_all():
    older = Flag("data-engineer", "Data Engineer", "https://x.example/d", NOW - timedelta(days=3), "desktop", NOW)
    newer = Flag(JAVA, "Senior Java Developer", APPLY, NOW - timedelta(hours=3), "mobile", NOW)
    props = flag_properties([older, newer])
    assert props == {"te_abandoned_job": "Senior Java Developer", "te_abandoned_apply_url": APPLY,
                     "te_abandoned_at": str(int(newer.intent_at.timestamp() * 1000)), "te_abandoned_count": "2",
                     "te_abandoned_device": "mobile"}
    assert set(flag_properties([]).values()) == {""}


@pytest.mark.parametrize(("url", "clean"), [
    ("https://Careers.Example.com/nl/vacatures/java/apply/?utm_source=nb&utm_medium=email&_hsenc=p2A&_hsmi=9#form",
     "https://careers.example.com/nl/vacatures/java/apply"),
    ("https://careers.example.com/jobs/42?gclid=abc&ref=board&hsa_cam=1", "https://careers.example.com/jobs/42?ref=board"),
    ("javascript:alert(1)", None),
])
def test_clean_apply_url_drops_tracking(url, clean):
    assert clean_url(url) == clean


# --- end to end against the sandbox ---------------------------------------------------------------


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.mark.both_databases
def test_apply_click_with_tracking_and_locale_is_flagged_for_the_right_vacancy(empty_sandbox, make_connector):
    conn = make_connector(empty_sandbox)
    contact = empty_sandbox.create_contact({"email": "sem.bakker@example.com", "firstname": "Sem",
                                            "lastname": "Bakker"})
    conn.run("setup")
    url = ("https://careers.example.com/nl/vacancies/senior-java-developer/apply/?utm_source=hubspot"
           "&utm_campaign=juni&_hsenc=p2ANqtz&_hsmi=2915#sollicitatie")
    empty_sandbox.add_email_event(type="CLICK", recipient="sem.bakker@example.com", url=url, emailCampaignId=901,
                                  created=_ms(datetime.now(UTC) - timedelta(minutes=20)), device="MOBILE")
    assert conn.sync_json()["abandoned_flagged"] == 0           # within the grace period
    props = empty_sandbox.contact(contact)
    assert not props.get("te_abandoned_job")

    counts = conn.sync_json(ABANDONED_GRACE_MINUTES="10")
    assert counts["abandoned_flagged"] == 1
    props = empty_sandbox.contact(contact)
    assert props["te_abandoned_job"] == "Senior Java Developer"
    assert props["te_abandoned_apply_url"] == "https://careers.example.com/nl/vacancies/senior-java-developer/apply"
    assert props["te_abandoned_count"] == "1" and props["te_abandoned_device"] == "mobile"
    out = conn.run("abandoned").output
    assert "Senior Java Developer" in out and "sem.bakker@example.com" in out

    again = conn.sync_json(ABANDONED_GRACE_MINUTES="10")
    assert (again["abandoned_flagged"], again["contacts_updated"]) == (0, 0)     # stays as first set


def test_dry_run_shows_flags_to_set_and_writes_none(empty_sandbox, make_connector):
    conn = make_connector(empty_sandbox)
    contact = empty_sandbox.create_contact({"email": "sem.bakker@example.com", "firstname": "Sem"})
    conn.run("setup")
    empty_sandbox.add_web_event(contact, url="https://careers.example.com/vacancies/data-engineer/apply",
                                title="Apply: Data Engineer | Careers", occurred_at=datetime.now(UTC) - timedelta(hours=3))
    out = conn.run("sync", "--dry-run").output
    assert "Forgotten applications this run would flag or clear" in out and "Data Engineer" in out
    assert not empty_sandbox.contact(contact).get("te_abandoned_job")
    conn.sync_json()
    assert empty_sandbox.contact(contact)["te_abandoned_job"] == "Data Engineer"


def test_abandoned_csv_is_private_and_formula_safe(empty_sandbox, make_connector, tmp_path):
    conn = make_connector(empty_sandbox)
    contact = empty_sandbox.create_contact({"email": "eve@example.com", "firstname": "=HYPERLINK(\"x\")"})
    conn.run("setup")
    empty_sandbox.add_web_event(contact, url="https://careers.example.com/vacancies/data-engineer/apply",
                                occurred_at=datetime.now(UTC) - timedelta(hours=3))
    conn.sync_json()
    target = tmp_path / "forgotten.csv"
    conn.run("abandoned", "--csv", str(target))
    assert target.stat().st_mode & 0o777 == 0o600
    text = target.read_text()
    assert "'=HYPERLINK" in text and "data-engineer/apply" in text


@pytest.mark.both_databases
def test_an_application_form_submission_clears_the_flag(empty_sandbox, make_connector):
    conn = make_connector(empty_sandbox)
    contact = empty_sandbox.create_contact({"email": "sem.bakker@example.com", "firstname": "Sem"})
    form = empty_sandbox.add_form("Solliciteer: Data Engineer", ["email", "firstname", "cv"])
    apply_page = "https://careers.example.com/vacancies/data-engineer/apply"
    conn.env["APPLICATION_FORM_IDS"] = form
    conn.run("setup")
    empty_sandbox.add_web_event(contact, url=apply_page, title="Apply: Data Engineer | Careers",
                                occurred_at=datetime.now(UTC) - timedelta(hours=3))
    assert conn.sync_json()["abandoned_flagged"] == 1
    assert empty_sandbox.contact(contact)["te_abandoned_job"] == "Data Engineer"

    empty_sandbox.add_form_submission(form, {"email": "sem.bakker@example.com", "firstname": "Sem",
                                             "cv": "cv-sem.pdf"}, page_url=apply_page + "?utm_source=mail")
    counts = conn.sync_json()
    assert counts["abandoned_cleared"] == 1
    props = empty_sandbox.contact(contact)
    assert not props.get("te_abandoned_job") and not props.get("te_abandoned_apply_url")
    assert "sem.bakker@example.com" not in conn.run("abandoned").output
