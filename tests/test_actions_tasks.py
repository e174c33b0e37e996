"""Task decisions and words (pure): due dates, baseline runs, suppression, escaping, both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.actions.tasks import SKIP_NO_OWNER, TaskCandidate, due_at, plan_tasks, task_key
from connector.scoring.config import load_model
from connector.scoring.triggers import TaskTriggerState

MODEL = load_model()
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)           # a Wednesday


def _fan(cid="1", **kw) -> TaskCandidate:
    base = {"contact_id": cid, "name": "Anna de Vries", "owner_id": "77", "value": 82.4, "band": "fan",
            "suppressed": False, "reasons": "Apply page Senior Java Developer (+25, 2 d ago)"}
    return TaskCandidate(**{**base, **kw})


@pytest.mark.parametrize(("now", "zone", "expected"), [
    (datetime(2026, 12, 2, 15, 0, tzinfo=UTC), "Europe/Amsterdam", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),   # Wed -> Thu
    (datetime(2026, 12, 4, 15, 0, tzinfo=UTC), "Europe/Amsterdam", datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),   # Fri -> Mon
    (datetime(2026, 12, 5, 12, 0, tzinfo=UTC), "Europe/Amsterdam", datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),   # Sat -> Mon
    (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "Europe/Amsterdam", datetime(2026, 12, 8, 8, 0, tzinfo=UTC)),  # Mon 00:30 local -> Tue
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Europe/Amsterdam", datetime(2026, 7, 2, 7, 0, tzinfo=UTC)),     # summer time
    (datetime(2026, 12, 2, 3, 0, tzinfo=UTC), "America/New_York", datetime(2026, 12, 2, 14, 0, tzinfo=UTC)),   # Tue 22:00 local -> Wed
    (datetime(2026, 12, 2, 15, 0, tzinfo=UTC), None, datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),                 # unknown: UTC
    (datetime(2026, 12, 2, 15, 0, tzinfo=UTC), "Not/AZone", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
])
def test_due_next_working_day_at_nine_in_the_portal_time_zone(now, zone, expected):
    assert due_at(now, zone) == expected


def _plan(cands, states=None, **kw):
    args = {"notify": True, "default_owner_id": None, "time_zone": "Europe/Amsterdam"}
    return plan_tasks(cands, states or {}, NOW, MODEL, **{**args, **kw})


def test_a_fan_gets_one_task_for_its_owner():
    [intent] = _plan([_fan()]).intents
    assert (intent.owner_id, intent.subject, intent.score, intent.band) == ("77", "Call Anna de Vries: engagement 82 (fan)",
                                                                            82, "fan")
    assert intent.key == task_key("1", NOW) and intent.skip_reason is None


def test_baseline_run_records_crossings_without_tasks_and_they_do_not_fire_later():
    plan = _plan([_fan()], notify=False)
    assert plan.intents == [] and plan.baselined == 1
    later = plan_tasks([_fan()], plan.states, NOW + timedelta(days=40), MODEL, notify=True, default_owner_id=None,
                       time_zone=None)
    assert later.intents == []                           # still the same crossing: re-arms only below 60


@pytest.mark.parametrize("blocked", [{"suppressed": True}, {"ats_block": "hired"}])
def test_suppressed_and_ats_blocked_contacts_get_no_task_and_stay_armed(blocked):
    plan = _plan([_fan(**blocked)])
    assert plan.intents == [] and plan.suppressed == 1
    assert plan.states.get("1", TaskTriggerState()).armed


def test_owner_falls_back_to_default_then_skips():
    assert _plan([_fan(owner_id=None)], default_owner_id="99").intents[0].owner_id == "99"
    [skipped] = _plan([_fan(owner_id=None)]).intents
    assert skipped.skip_reason == SKIP_NO_OWNER and skipped.owner_id is None


def test_cooldown_holds_a_second_crossing():
    states = {"1": TaskTriggerState(armed=True, last_fired_at=NOW - timedelta(days=10))}
    assert _plan([_fan()], states).intents == []
    states = {"1": TaskTriggerState(armed=True, last_fired_at=NOW - timedelta(days=31))}
    assert len(_plan([_fan()], states).intents) == 1


def test_values_from_hubspot_are_escaped_in_the_task_body():
    cand = _fan(name="<b>Eve</b>", reasons="Viewed <script>x</script>", vacancies=(("R&D <Lead>", 3),),
                mails=("Juni & juli",), application_status="interview")
    body = _plan([cand]).intents[0].body
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "R&amp;D &lt;Lead&gt; (3×)" in body and "'Juni &amp; juli'" in body and "interview" in body


def test_dutch_words():
    intent = _plan([_fan(vacancies=(("Data Engineer", 2),))], language="nl").intents[0]
    assert intent.subject == "Bel Anna de Vries: betrokkenheid 82 (fan)"
    assert "Bekeken vacatures" in intent.body and "Sollicitatie" in intent.body


def test_contact_without_name_is_named_by_id():
    assert _plan([_fan(name=None)]).intents[0].subject.startswith("Call contact 1: engagement 82")
