"""Model v2 as a recruiter sees it: steady browsers become fans and bursts do not, opens are the weakest signal,
apply-page reload storms count once, and negatives follow the person's current state. Pure scorer tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.scoring.config import load_model
from connector.scoring.explain import contribution_rows
from connector.scoring.model import Touchpoint, compute_score
from connector.scoring.records import RETURN_VISIT

NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2025, 6, 4, 0, 0, tzinfo=UTC)
MODEL = load_model()
_ids = itertools.count()


def tp(kind: str, at: datetime, key: str | None = None, label: str | None = None) -> Touchpoint:
    return Touchpoint(kind, at, key, label, f"ev-{next(_ids)}")


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def steady(days: tuple[int, ...], vacancies_per_day: int, clicks: tuple[int, ...]) -> list[Touchpoint]:
    slugs = itertools.cycle(["java", "data", "devops", "ux", "qa"])
    views = [tp("vacancy_view", ago(d, hours=h), next(slugs)) for d in days for h in range(vacancies_per_day)]
    return views + [tp("email_click", ago(d), f"mail-{d}") for d in clicks]


STEADY_FANS = {
    "4 days in 2 weeks, 2 vacancies a day, 3 clicks": steady((1, 4, 8, 12), 2, (2, 5, 9)),
    "4 days in 10 days, 1 vacancy a day, 4 clicks": steady((0, 3, 6, 9), 1, (1, 2, 4, 7)),
    "3 days in a week, 5 vacancies a day, 5 clicks": steady((0, 2, 5), 5, (0, 1, 2, 3, 4)),
}


@pytest.mark.parametrize("touchpoints", STEADY_FANS.values(), ids=STEADY_FANS.keys())
def test_steady_browser_and_clicker_reaches_fan_without_applying(touchpoints):
    score = compute_score(touchpoints, NOW, MODEL)
    assert score.band == "fan", score.value
    assert not any(c.touchpoint.kind == "apply_intent" for c in score.contributions)
    assert any(c.touchpoint.kind == RETURN_VISIT and c.points > 0 for c in score.contributions)
    assert sum(r["points"] for r in contribution_rows(score, NOW)) == pytest.approx(score.value)


def test_the_documented_steady_example_scores_78():
    assert compute_score(STEADY_FANS["4 days in 2 weeks, 2 vacancies a day, 3 clicks"], NOW, MODEL).value == \
        pytest.approx(78.3, abs=0.05)


def test_three_quiet_days_stay_engaged():
    assert compute_score(steady((1, 4, 8), 1, (2, 5)), NOW, MODEL).band == "engaged"


burst_sizes = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 30))


def _burst(start: datetime, views: int, pages: int, clicks: int, minutes: int) -> list[Touchpoint]:
    step = timedelta(minutes=minutes) / max(1, views + pages + clicks)
    moments = (start + step * i for i in itertools.count())
    return ([tp("vacancy_view", next(moments), f"v{i % 12}") for i in range(views)]
            + [tp("page_view", next(moments), f"/p{i}") for i in range(pages)]
            + [tp("email_click", next(moments), f"m{i}") for i in range(clicks)])


@settings(max_examples=100)
@given(burst_sizes, st.integers(1, 180))
def test_a_burst_session_in_one_day_never_makes_a_fan(sizes, minutes):
    start = NOW - timedelta(minutes=minutes)  # NOW is 12:00 UTC: the session stays within the day
    score = compute_score(_burst(start, *sizes, minutes), NOW, MODEL)
    assert score.band != "fan" and score.value <= 60 + 1e-9


@settings(max_examples=100)
@given(burst_sizes, st.integers(2, 180), st.floats(0.05, 0.95))
def test_a_burst_across_utc_midnight_never_makes_a_fan(sizes, minutes, before_midnight):
    start = MIDNIGHT - timedelta(minutes=minutes * before_midnight)
    score = compute_score(_burst(start, *sizes, minutes), MIDNIGHT + timedelta(minutes=minutes), MODEL)
    assert score.value < 75 and score.value <= 72 + 1e-9


@settings(max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 170 * 24), st.integers(0, 60)), max_size=80))
def test_opens_alone_never_exceed_warm(opens):
    touchpoints = [tp("email_open", ago(hours=h), f"mail-{m}") for h, m in opens]
    score = compute_score(touchpoints, NOW, MODEL)
    assert score.band in ("cold", "warm") and score.value <= 2.5 + 1e-9


@pytest.mark.parametrize("real", ["email_click", "page_view", "vacancy_view", "apply_intent"])
@pytest.mark.parametrize("age_days", [0, 3, 20])
def test_one_real_click_or_visit_outweighs_any_number_of_opens(real, age_days):
    opens = [tp("email_open", ago(age_days), f"mail-{i}") for i in range(200)]
    one = compute_score([tp(real, ago(age_days), "k")], NOW, MODEL)
    assert one.value > compute_score(opens, NOW, MODEL).value


@pytest.mark.parametrize("reloads", [1, 2, 50])
def test_apply_page_reload_storm_is_one_visit(reloads):
    storm = [tp("apply_intent", ago(hours=2) + timedelta(seconds=i), "java") for i in range(reloads)]
    score = compute_score(storm, NOW, MODEL)
    newest_age_days = (2 * 3600 - (reloads - 1)) / 86_400                  # the newest reload counts
    assert score.value == pytest.approx(25 * 0.5 ** (newest_age_days / 30))
    assert sum(1 for c in score.contributions if c.points > 0) == 1


def test_return_visits_count_once_per_day_and_explain_names_them():
    days = [tp("vacancy_view", ago(d, hours=h), "java") for d in (0, 2, 2, 5) for h in (1, 2)]
    score = compute_score(days, NOW, MODEL)
    rows = [r for r in contribution_rows(score, NOW) if r["kind"] == RETURN_VISIT]
    assert [r["key"] for r in rows] == ["2025-06-04", "2025-06-02"]       # day 5 ago is the first day
    assert rows[0]["points"] == pytest.approx(12 * 0.5 ** (1 / 24 / 14))


NEGATIVE_CASES = {
    "unsubscribe then re-subscribe": ([("unsubscribe", 10), ("resubscribe", 5)], False),
    "re-subscribe before the unsubscribe": ([("resubscribe", 10), ("unsubscribe", 5)], True),
    "spam report then re-subscribe": ([("spam_report", 10), ("resubscribe", 5)], False),
    "hard bounce then delivery": ([("hard_bounce", 10), ("delivered", 5)], False),
    "delivery before the hard bounce": ([("delivered", 10), ("hard_bounce", 5)], True),
    "a delivery does not lift an unsubscribe": ([("unsubscribe", 10), ("delivered", 5)], True),
    "a re-subscribe does not lift a hard bounce": ([("hard_bounce", 10), ("resubscribe", 5)], True),
}


@pytest.mark.parametrize(("events", "floored"), NEGATIVE_CASES.values(), ids=NEGATIVE_CASES.keys())
def test_negatives_follow_the_current_state(events, floored):
    touchpoints = [tp("vacancy_view", ago(1), "java")] + [tp(kind, ago(days)) for kind, days in events]
    score = compute_score(touchpoints, NOW, MODEL)
    assert score.suppressed is floored
    assert score.value == (0 if floored else pytest.approx(8 * 0.5 ** (1 / 14)))
    assert len(score.contributions) == 1 + len(events)      # explain shows the lifted negative and its lifter
