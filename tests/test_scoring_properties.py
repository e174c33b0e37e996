"""Properties of the score over random histories and random (valid) models: bounded, decaying, monotone,
including the derived return visits and negatives that a later re-subscribe or delivery lifts."""

from __future__ import annotations

import math
import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from connector.scoring.config import GROUPS, load_model, parse_model
from connector.scoring.model import (
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    STATE_KINDS,
    TOUCHPOINT_KINDS,
    Touchpoint,
    can_band_change,
    compute_score,
)
from connector.scoring.records import RETURN_VISIT

NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
TOLERANCE = 1e-9
DEFAULT = load_model()
# Few kinds, keys and a short time span make repeats, limits and caps collide often.
KINDS_UNDER_TEST = st.sampled_from(POSITIVE_KINDS)
KEYS = st.sampled_from(["a", "b", None])
SECONDS = st.integers(min_value=-2 * 86_400, max_value=200 * 86_400)


@st.composite
def touchpoints(draw, kinds=KINDS_UNDER_TEST, max_size=25):
    """Lists of touchpoints with distinct source ids (ages between 2 days in the future and 200 days)."""
    n = draw(st.integers(0, max_size))
    return [Touchpoint(draw(kinds), NOW - timedelta(seconds=draw(SECONDS)), draw(KEYS), None, f"{draw(st.uuids())}")
            for _ in range(n)]


def positive_touchpoint():
    return st.builds(lambda kind, age, key, sid: Touchpoint(kind, NOW - timedelta(seconds=age), key, None, str(sid)),
                     KINDS_UNDER_TEST, SECONDS, KEYS, st.uuids())


@st.composite
def models(draw):
    """Valid models far from the defaults: tiny and long half-lives, any repeat factor, caps, limits."""
    data = tomllib.loads(resources.files("connector.scoring").joinpath("default_model.toml").read_text("utf-8"))
    data["repeat_factor"] = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
    data["total_cap"] = draw(st.sampled_from([20, 60, 100]))
    data["horizon_days"] = draw(st.sampled_from([1, 30, 180]))
    for group in GROUPS:
        data["groups"][group] = draw(st.sampled_from([5, 30, 100]))
    limit = st.none() | st.integers(1, 3)
    for kind in (*POSITIVE_KINDS, RETURN_VISIT):
        rule = {"group": draw(st.sampled_from(GROUPS)), "points": draw(st.sampled_from([0, 1, 8, 30])),
                "half_life_days": draw(st.sampled_from([0.05, 1, 14, 60]))}
        limits = {"max_per_key_per_day": draw(limit), "max_count": draw(limit),
                  draw(st.sampled_from(["max_per_day", "max_per_key"])): draw(limit)}
        if kind != RETURN_VISIT:
            rule.update({k: v for k, v in limits.items() if v is not None})
        data["touchpoints"][kind] = rule
    return parse_model(data, "hypothesis")


ANY_MODEL = st.one_of(st.just(DEFAULT), models())


@settings(max_examples=300)
@given(touchpoints(kinds=st.sampled_from(TOUCHPOINT_KINDS)), ANY_MODEL)
def test_score_is_within_bounds_and_adds_up(tps, model):
    score = compute_score(tps, NOW, model)
    assert 0 <= score.value <= model.total_cap <= 100
    if not any(t.kind in STATE_KINDS for t in tps):
        assert score.suppressed == any(t.kind in NEGATIVE_KINDS for t in tps)
    for c in score.contributions:
        assert c.cap_cut >= 0 and 0 <= c.decay <= 1 and 0 <= c.dampening <= 1
        assert math.isclose(c.points, c.base_points * c.decay * c.dampening - c.cap_cut, abs_tol=TOLERANCE)
    if score.suppressed:
        assert score.value == model.floor
    else:
        assert math.isclose(math.fsum(c.points for c in score.contributions), score.value, abs_tol=TOLERANCE)


@settings(max_examples=300)
@given(touchpoints(kinds=st.sampled_from(TOUCHPOINT_KINDS)), ANY_MODEL,
       st.integers(min_value=0, max_value=400 * 86_400))
def test_score_never_rises_as_time_passes(tps, model, seconds_later):
    before = compute_score(tps, NOW, model)
    after = compute_score(tps, NOW + timedelta(seconds=seconds_later), model)
    assert after.value <= before.value + TOLERANCE


@settings(max_examples=500)
@given(touchpoints(), positive_touchpoint(), ANY_MODEL)
def test_adding_a_positive_touchpoint_never_lowers_the_score(tps, extra, model):
    assume(extra.source_id not in {t.source_id for t in tps})
    before = compute_score(tps, NOW, model)
    after = compute_score([*tps, extra], NOW, model)
    assert after.value >= before.value - TOLERANCE


@settings(max_examples=100)
@given(touchpoints(kinds=st.sampled_from(TOUCHPOINT_KINDS)), st.sampled_from(STATE_KINDS), SECONDS, ANY_MODEL)
def test_a_later_resubscribe_or_delivery_never_lowers_the_score(tps, kind, age, model):
    before = compute_score(tps, NOW, model)
    after = compute_score([*tps, Touchpoint(kind, NOW - timedelta(seconds=age), None, None, "lifter")], NOW, model)
    assert after.value >= before.value - TOLERANCE
    assert before.suppressed or not after.suppressed


@settings(max_examples=100)
@given(touchpoints(kinds=st.sampled_from(TOUCHPOINT_KINDS)), st.sampled_from(NEGATIVE_KINDS), SECONDS, ANY_MODEL)
def test_a_negative_never_raises_the_score(tps, kind, age, model):
    before = compute_score(tps, NOW, model)
    after = compute_score([*tps, Touchpoint(kind, NOW - timedelta(seconds=age), None, None, "negative")], NOW, model)
    assert after.value <= before.value + TOLERANCE


@settings(max_examples=300)
@given(touchpoints(), st.sampled_from(["vacancy_view", "page_view", "apply_intent"]),
       st.integers(min_value=0, max_value=30 * 86_400), KEYS)
def test_a_careers_visit_on_a_new_day_never_lowers_the_score_and_returns_count_per_day(tps, kind, age, key):
    extra = Touchpoint(kind, NOW - timedelta(seconds=age), key, None, "extra")
    before, after = compute_score(tps, NOW, DEFAULT), compute_score([*tps, extra], NOW, DEFAULT)
    assert after.value >= before.value - TOLERANCE
    careers_days = {t.occurred_at.date() for t in [*tps, extra] if t.kind in ("vacancy_view", "page_view", "apply_intent")
                    and NOW - t.occurred_at <= timedelta(days=DEFAULT.horizon_days)}
    returns = [c for c in after.contributions if c.touchpoint.kind == RETURN_VISIT]
    assert len(returns) == len(careers_days) - 1


@settings(max_examples=200)
@given(touchpoints(kinds=st.sampled_from(TOUCHPOINT_KINDS)), ANY_MODEL, st.randoms(use_true_random=False))
def test_input_order_does_not_matter(tps, model, rng):
    shuffled = list(tps)
    rng.shuffle(shuffled)
    assert compute_score(shuffled, NOW, model) == compute_score(tps, NOW, model)


@settings(max_examples=300)
@given(touchpoints(), st.integers(min_value=1, max_value=60 * 86_400))
def test_can_band_change_is_never_wrong_when_it_says_no(tps, seconds_later):
    later = NOW + timedelta(seconds=seconds_later)
    before = compute_score(tps, NOW, DEFAULT)
    after = compute_score(tps, later, DEFAULT)
    if not can_band_change(before.value, NOW, later, DEFAULT, horizon_exit_at=before.horizon_exit_at):
        assert before.value - after.value < 1
        assert after.band == before.band
