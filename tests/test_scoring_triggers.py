"""Recruiter-task triggers (hysteresis, cooldown, suppression) and the score statistics (trend, percentile)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.scoring.config import load_model
from connector.scoring.model import Score, score_band
from connector.scoring.stats import percentile_ranks, trend_7d
from connector.scoring.triggers import TaskTriggerState, decide_task

MODEL = load_model()
START = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def score_of(value: float, suppressed: bool = False) -> Score:
    return Score(value, score_band(value, MODEL), (), suppressed, MODEL.version, None)


def run(values_by_day: list[tuple[float, float]], state: TaskTriggerState | None = None):
    """Feed (day offset, score) pairs through decide_task; return the days a task fired and the final state."""
    state = state or TaskTriggerState()
    fired = []
    for day, value in values_by_day:
        fire, state = decide_task(state, score_of(value), START + timedelta(days=day), MODEL)
        if fire:
            fired.append(day)
    return fired, state


def test_fires_once_on_crossing_into_fan():
    fired, state = run([(0, 40), (1, 70), (2, 76), (3, 90), (4, 78), (5, 75)])
    assert fired == [2]
    assert state == TaskTriggerState(armed=False, last_fired_at=START + timedelta(days=2))


def test_first_score_already_fan_fires():
    assert run([(0, 80)])[0] == [0]


def test_no_second_task_while_disarmed_even_after_the_cooldown():
    fired, state = run([(0, 80), (10, 65), (40, 80), (80, 60), (90, 95)])
    assert fired == [0]
    assert state.armed is False


def test_rearms_below_60_and_fires_again():
    fired, _ = run([(0, 80), (35, 59.9), (36, 76)])
    assert fired == [0, 36]


def test_rearm_threshold_is_strictly_below():
    fired, _ = run([(0, 80), (35, 60), (36, 76)])
    assert fired == [0]


def test_cooldown_holds_even_when_rearmed():
    fired, state = run([(0, 80), (5, 50), (10, 80), (29.99, 85)])
    assert fired == [0]
    assert state.armed is True  # the crossing on day 10 is remembered...
    fired, _ = run([(30, 85)], state)
    assert fired == [30]  # ...and fires once the 30 days are over


def test_suppressed_never_fires():
    state = TaskTriggerState()
    for day in range(0, 100, 10):
        fire, state = decide_task(state, score_of(95, suppressed=True), START + timedelta(days=day), MODEL)
        assert not fire
    assert state == TaskTriggerState()


def test_below_fan_never_fires():
    assert run([(d, 74.99) for d in range(0, 90, 15)])[0] == []


# --- stats ---------------------------------------------------------------------------------------------

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(("history", "current", "expected"), [
    ([], 40.0, 40.0),                                                     # no score 7 days ago: from 0
    ([(date(2025, 6, 8), 30.0)], 40.0, 10.0),                             # exactly 7 days ago
    ([(date(2025, 6, 9), 30.0)], 40.0, 40.0),                             # only 6 days ago: no baseline
    ([(date(2025, 6, 1), 50.0), (date(2025, 6, 5), 45.0), (date(2025, 6, 12), 10.0)], 40.0, -5.0),
    ([(date(2025, 6, 5), 45.0), (date(2025, 6, 1), 50.0)], 40.0, -5.0),   # order of history does not matter
    ([(date(2025, 6, 8), 30.0), (date(2025, 6, 8), 35.0)], 40.0, 5.0),    # same day: the later entry
    ([(datetime(2025, 6, 8, 23, 0, tzinfo=UTC), 30.0)], 40.0, 10.0),      # datetimes count by their date
])
def test_trend_7d(history, current, expected):
    assert trend_7d(history, current, TODAY) == pytest.approx(expected)


def test_percentile_ranks_count_lower_or_equal_scores():
    ranks = percentile_ranks({"a": 10.0, "b": 20.0, "c": 20.0, "d": 90.0, "e": 0.0, "f": 55.5})
    assert ranks == {"e": 0.0, "a": 33.3, "b": 66.7, "c": 66.7, "f": 83.3, "d": 100.0}


def test_inactive_contacts_share_rank_zero_however_many_they_are():
    ranks = percentile_ranks({**{f"idle{i}": 0.0 for i in range(80)}, "warm": 30.0, "fan": 80.0})
    assert {ranks[f"idle{i}"] for i in range(80)} == {0.0}
    assert (ranks["warm"], ranks["fan"]) == (pytest.approx(98.8, abs=0.05), 100.0)


def test_percentile_ranks_edges():
    assert percentile_ranks({}) == {}
    assert percentile_ranks({"only": 3.0}) == {"only": 100.0}
    assert set(percentile_ranks({f"c{i}": 7.0 for i in range(5)}).values()) == {100.0}


@settings(max_examples=100)
@given(st.dictionaries(st.text(min_size=1, max_size=4), st.sampled_from([0.0, 3.0, 12.5, 40.0, 75.0, 99.0]), max_size=40))
def test_ranks_keep_score_order_and_inactive_contacts_at_zero(values):
    ranks = percentile_ranks(values)
    for a, va in values.items():
        assert (ranks[a] == 0.0) == (va <= 0)
        for b, vb in values.items():
            if va < vb:
                assert ranks[a] <= ranks[b]
