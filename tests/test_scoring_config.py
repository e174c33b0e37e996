"""The scoring model file: the shipped defaults match DESIGN.md section 4, and every invalid file names its key."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from connector.errors import ScoringError
from connector.scoring.config import ScoringModel, TouchpointRule, load_model, parse_model

SOURCE = "default_model.toml"


def default_data() -> dict:
    """A fresh copy of the shipped model document, to break one key at a time."""
    text = resources.files("connector.scoring").joinpath(SOURCE).read_text("utf-8")
    return tomllib.loads(text)


# DESIGN.md section 4 as re-balanced in v2 (default_model.toml says why), written out by hand:
# kind -> (group, points, half-life days, limits)
DESIGN_TABLE = {
    "vacancy_view": ("web", 8, 14, {"max_per_key_per_day": 1}),
    "page_view": ("web", 3, 14, {"max_per_day": 3}),
    "email_click": ("email", 6, 14, {}),
    "email_open": ("email", 0.5, 14, {"max_per_key": 1, "max_count": 5}),
    "form_submission": ("conversion", 20, 30, {}),
    "apply_intent": ("conversion", 25, 30, {"max_per_key_per_day": 1}),
    "application": ("conversion", 30, 60, {}),
    "event_attended": ("conversion", 15, 60, {}),
    "return_visit": ("return", 12, 14, {}),
    # v3: rises of HubSpot's counters on portals without per-event web analytics
    "counted_visit": ("web", 3, 14, {"max_per_day": 2}),
    "counted_page_view": ("web", 1, 14, {"max_per_day": 3}),
}


def test_default_model_matches_design_table():
    model = load_model()
    assert isinstance(model, ScoringModel)
    assert model.version == "v3"
    assert model.horizon_days == 180
    assert model.floor == 0
    assert model.repeat_factor == 0.5
    assert model.total_cap == 100
    assert model.bands == (25, 50, 75)
    assert dict(model.group_caps) == {"email": 25, "web": 35, "conversion": 60, "return": 36}
    assert (model.triggers.task_band, model.triggers.rearm_below, model.triggers.cooldown_days) == ("fan", 60, 30)
    expected = {kind: TouchpointRule(group, points, half_life, **limits)
                for kind, (group, points, half_life, limits) in DESIGN_TABLE.items()}
    assert dict(model.touchpoints) == expected


def test_load_model_reads_a_file_and_names_it_in_errors(tmp_path):
    data_text = resources.files("connector.scoring").joinpath(SOURCE).read_text("utf-8")
    path = tmp_path / "custom.toml"
    path.write_text(data_text.replace('version = "v3"', 'version = "v3-test"'), "utf-8")
    assert load_model(path).version == "v3-test"
    assert load_model(str(path)).version == "v3-test"

    path.write_text(data_text.replace("half_life_days = 30", "half_life_days = 0", 1), "utf-8")
    with pytest.raises(ScoringError, match=r"custom\.toml: touchpoints\.form_submission\.half_life_days must"):
        load_model(path)


def test_missing_file_and_bad_toml_are_scoring_errors(tmp_path):
    with pytest.raises(ScoringError, match="nope.toml: cannot read the file"):
        load_model(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("version = \n", "utf-8")
    with pytest.raises(ScoringError, match="bad.toml: not valid TOML"):
        load_model(bad)


def test_negative_half_life_message_is_exact():
    data = default_data()
    data["touchpoints"]["email_click"]["half_life_days"] = -3
    with pytest.raises(ScoringError) as caught:
        parse_model(data, SOURCE)
    assert str(caught.value) == (
        "scoring model default_model.toml: touchpoints.email_click.half_life_days must be a positive number, got -3")


def _set(path: str, value):
    def mutate(data: dict):
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        data[last] = value
    return mutate


def _delete(path: str):
    def mutate(data: dict):
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        del data[last]
    return mutate


INVALID = [
    (_delete("version"), "version is missing"),
    (_set("version", ""), "version must be a non-empty string, got ''"),
    (_set("version", 1), "version must be a non-empty string, got 1"),
    (_set("verison", "v1"), "verison is not a known key"),
    (_delete("touchpoints.email_click.half_life_days"), "touchpoints.email_click.half_life_days is missing"),
    (_delete("touchpoints.page_view"), "touchpoints.page_view is missing"),
    (_delete("bands"), "bands is missing"),
    (_set("bands", [25, 50, 75]), "bands must be a table, got [25, 50, 75]"),
    (_set("touchpoints.email_click.points", "6"), "touchpoints.email_click.points must be a number from 0 to 100, got '6'"),
    (_set("touchpoints.email_click.points", True), "touchpoints.email_click.points must be a number"),
    (_set("touchpoints.email_click.points", -1), "touchpoints.email_click.points must be a number from 0 to 100, got -1"),
    (_set("touchpoints.email_click.half_life_days", 0), "touchpoints.email_click.half_life_days must be a positive number"),
    (_set("touchpoints.email_click.halflife_days", 14), "touchpoints.email_click.halflife_days is not a known key"),
    (_set("touchpoints.email_clik", {}), "touchpoints.email_clik is not a known key"),
    (_set("touchpoints.unsubscribe", {}), "touchpoints.unsubscribe is a negative signal"),
    (_set("touchpoints.email_click.group", "social"), "touchpoints.email_click.group must be one of email, web, conversion"),
    (_set("touchpoints.page_view.max_per_day", 0), "touchpoints.page_view.max_per_day must be a whole number of at least 1, got 0"),
    (_set("touchpoints.page_view.max_per_day", 1.5), "touchpoints.page_view.max_per_day must be a whole number"),
    (_set("touchpoints.page_view.max_per_key", 2), "touchpoints.page_view.max_per_key cannot be combined with max_per_day"),
    (_set("bands.engaged", 20), "bands.engaged must be greater than bands.warm (25), got 20"),
    (_set("bands.fan", 50), "bands.fan must be greater than bands.engaged (50), got 50"),
    (_set("bands.fan", 101), "bands.fan must be a number above 0 and at most 100, got 101"),
    (_set("bands.hot", 90), "bands.hot is not a known key"),
    (_set("groups.web", 120), "groups.web must be a number above 0 and at most 100, got 120"),
    (_set("groups.social", 10), "groups.social is not a known key"),
    (_set("total_cap", 101), "total_cap must be a number above 0 and at most 100, got 101"),
    (_set("total_cap", 0), "total_cap must be a number above 0 and at most 100, got 0"),
    (_set("floor", 30), "floor must be a number at least 0 and below 25, got 30"),
    (_set("floor", -1), "floor must be a number at least 0 and below 25, got -1"),
    (_set("repeat_factor", 1.5), "repeat_factor must be a number from 0 to 1, got 1.5"),
    (_set("horizon_days", -180), "horizon_days must be a positive number, got -180"),
    (_set("triggers.task_band", "hot"), "triggers.task_band must be one of warm, engaged, fan, got 'hot'"),
    (_set("triggers.rearm_below", 80), "triggers.rearm_below must be a number at least 0 and below 75, got 80"),
    (_set("triggers.cooldown_days", -1), "triggers.cooldown_days must be a number of at least 0, got -1"),
]


@pytest.mark.parametrize(("mutate", "message"), INVALID, ids=[m for _, m in INVALID])
def test_invalid_model_names_the_key(mutate, message):
    data = default_data()
    mutate(data)
    with pytest.raises(ScoringError) as caught:
        parse_model(data, SOURCE)
    assert str(caught.value).startswith(f"scoring model {SOURCE}: {message}")


def test_floor_of_two_and_other_edges_are_accepted():
    data = default_data()
    data["floor"] = 2
    data["repeat_factor"] = 0
    data["touchpoints"]["email_open"]["points"] = 0
    model = parse_model(data, SOURCE)
    assert (model.floor, model.repeat_factor, model.touchpoints["email_open"].points) == (2, 0, 0)


def test_model_is_immutable():
    model = load_model()
    with pytest.raises(TypeError):
        model.group_caps["web"] = 99  # type: ignore[index]


def test_a_v1_model_file_without_return_visits_stays_valid():
    data = default_data()
    del data["groups"]["return"], data["touchpoints"]["return_visit"]
    model = parse_model(data, SOURCE)
    assert "return" not in model.group_caps and "return_visit" not in model.touchpoints


@pytest.mark.parametrize(("mutate", "message"), [
    (_delete("groups.return"), "touchpoints.return_visit.group is 'return', but groups.return is missing"),
    (_set("touchpoints.return_visit.max_per_day", 2), "touchpoints.return_visit.max_per_day is not a known key"),
    (_set("touchpoints.resubscribe", {"group": "email", "points": 1, "half_life_days": 1}),
     "touchpoints.resubscribe is a state signal"),
    (_set("touchpoints.email_open.max_count", 0), "touchpoints.email_open.max_count must be a whole number"),
])
def test_invalid_v2_keys_name_the_key(mutate, message):
    data = default_data()
    mutate(data)
    with pytest.raises(ScoringError) as caught:
        parse_model(data, SOURCE)
    assert str(caught.value).startswith(f"scoring model {SOURCE}: {message}")
