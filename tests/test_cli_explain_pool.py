"""`connector explain` and `connector pool` against a synced sandbox pool."""

import csv
import json

import pytest


@pytest.fixture
def synced(connector):
    connector.run("setup")
    connector.sync_json()
    return connector


def _top(synced, *args):
    out = synced.run("pool", "--top", "0", "--csv", "pool.csv", *args)
    with open("pool.csv", encoding="utf-8") as fh:
        return out, list(csv.DictReader(fh))


def test_explain_contributions_add_up_to_a_fans_score(synced):
    _out, rows = _top(synced, "--band", "fan")
    fan = rows[0]
    data = json.loads(synced.run("explain", fan["email"], "--json").output)
    assert data["band"] == "fan"
    total = sum(c["points"] for c in data["contributions"])
    assert total == pytest.approx(data["value"], abs=1e-6)
    assert data["score"] == int(data["value"] + 1e-9)
    assert data["model_version"] == "v3"
    assert all({"when", "kind", "base_points", "decay", "dampening", "cap_cut", "points"} <= set(c)
               for c in data["contributions"])


def test_explain_names_the_mail_that_was_clicked(synced, sandbox):
    fan = sandbox.seed_summary["segments"]["fan"][0]
    data = json.loads(synced.run("explain", fan, "--json").output)
    mails = [c for c in data["contributions"] if c["kind"] in ("email_click", "email_open")]
    assert mails and all(c["label"] and not c["label"].isdigit() for c in mails)


def test_explain_table_shows_caps_and_model(synced):
    _out, rows = _top(synced, "--band", "fan")
    out = synced.run("explain", rows[0]["email"]).output
    assert "model v3" in out and "cap cut" in out and "decay" in out


def test_explain_unknown_email_is_a_clear_error(synced):
    result = synced.run("explain", "nobody@nowhere.example", expect=1)
    assert "no contact with email nobody@nowhere.example" in result.output


def test_pool_is_ranked_by_score_and_filters(synced, sandbox):
    out, rows = _top(synced)
    scores = [int(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert len(rows) >= 200
    _out, fans = _top(synced, "--band", "fan")
    assert fans and all(r["band"] == "fan" for r in fans)
    owner = next(r["owner_id"] for r in rows if r["owner_id"])
    _out, mine = _top(synced, "--owner", owner)
    assert mine and all(r["owner_id"] == owner for r in mine)
    assert len(mine) < len(rows)


def test_pool_top_limits_and_prints_columns(synced):
    out = synced.run("pool", "--top", "5").output
    for col in ("score", "band", "trend 7d", "last touch", "application", "reasons"):
        assert col in out


def test_pool_of_a_hubspot_list_shows_only_its_members(synced, sandbox):
    _out, everyone = _top(synced)
    chosen = [r["contact_id"] for r in everyone[::3]][:40]
    list_id = sandbox.create_list("Call this week", chosen)
    out, rows = _top(synced, "--list", list_id)
    assert {r["contact_id"] for r in rows} == set(chosen)
    assert [int(r["score"]) for r in rows] == sorted((int(r["score"]) for r in rows), reverse=True)
    assert f"list {list_id}" in out.output


def test_pool_of_an_unknown_list_is_a_clear_error(synced):
    result = synced.run("pool", "--list", "999999", expect=1)
    assert "999999" in result.output and result.output.startswith("error:")


def test_demo_fans_include_steady_browsers_who_never_applied(synced):
    from connector.sandbox.seed import DEMO_FAN_EMAIL
    _out, fans = _top(synced, "--band", "fan")
    _out, everyone = _top(synced)
    assert 0.06 <= len(fans) / len(everyone) <= 0.14                 # about one in ten is a fan
    steady = []
    for fan in fans:
        kinds = {c["kind"] for c in json.loads(synced.run("explain", fan["email"], "--json").output)["contributions"]}
        if "apply_intent" not in kinds and "application" not in kinds:
            assert "return_visit" in kinds
            steady.append(fan["email"])
    assert DEMO_FAN_EMAIL in steady and len(steady) >= 3
