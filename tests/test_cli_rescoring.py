"""Incremental rescoring, model changes, trend and percentile rank, as HubSpot sees them after `connector sync`."""

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from importlib import resources


def _props(sandbox, *names):
    return {c["id"]: {n: c["properties"].get(n) for n in names} for c in sandbox.contacts()
            if c["properties"].get("te_engagement_band")}


def test_new_page_view_rescores_only_that_contact(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    before = _props(sandbox, "te_engagement_score")
    cold_id = min((cid for cid, p in before.items() if p["te_engagement_score"] == "0"), key=int)
    sandbox.add_web_event(cold_id, url="https://careers.example.com/vacancies/data-engineer",
                          occurred_at=datetime.now(UTC) - timedelta(minutes=5), title="Data Engineer | Careers")
    counts = connector.sync_json()
    assert counts["scored"] == 1
    assert int(sandbox.contact(cold_id)["te_engagement_score"]) == 7       # 8 points, 5 minutes of decay


def test_changed_model_rescores_everyone_and_stamps_version(connector, sandbox, tmp_path):
    connector.run("setup")
    first = connector.sync_json()
    model = resources.files("connector.scoring").joinpath("default_model.toml").read_text()
    custom = tmp_path / "model.toml"
    custom.write_text(model.replace('version = "v3"', 'version = "v3-agency"').replace("points = 8", "points = 9"))
    second = connector.sync_json(SCORING_MODEL_PATH=str(custom))
    assert second["scored"] == first["scored"] >= 200
    assert {p["te_score_model"] for p in _props(sandbox, "te_score_model").values()} == {"v3-agency"}


def test_invalid_model_file_fails_naming_the_key(connector, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(resources.files("connector.scoring").joinpath("default_model.toml").read_text()
                   .replace("half_life_days = 14", "half_life_days = -14", 1))
    connector.run("setup")
    result = connector.run("sync", expect=2, SCORING_MODEL_PATH=str(bad))
    assert "half_life_days" in result.output


def test_trend_and_rank_reach_hubspot(connector, sandbox):
    newcomer = sandbox.create_contact({"email": "new.fan@example.org", "firstname": "New", "lastname": "Fan"})
    for slug in ("data-engineer", "ux-designer"):
        sandbox.add_web_event(newcomer, url=f"https://careers.example.com/vacancies/{slug}",
                              occurred_at=datetime.now(UTC) - timedelta(hours=1))
    connector.run("setup")
    connector.sync_json()
    props = _props(sandbox, "te_engagement_score", "te_engagement_trend_7d", "te_engagement_rank_pct")
    db = sqlite3.connect(connector.db_path)
    week_ago_ms = int((time.time() - 7 * 86400) * 1000)
    spans = dict((cid, (lo, hi)) for cid, lo, hi in db.execute(
        "select contact_id, min(occurred_ms), max(occurred_ms) from touchpoint where contact_id is not null "
        "and kind not in ('unsubscribe','hard_bounce','spam_report') group by contact_id"))
    negatives = {r[0] for r in db.execute("select contact_id from touchpoint where kind in "
                                          "('unsubscribe','hard_bounce','spam_report')")}
    recent = [cid for cid, (lo, _hi) in spans.items() if lo > week_ago_ms + 3_600_000 and cid not in negatives]
    stale = [cid for cid, (_lo, hi) in spans.items() if hi < week_ago_ms - 3_600_000]
    assert newcomer in recent and stale
    for cid in recent:      # nothing a week ago: the trend is the whole score
        assert abs(int(props[cid]["te_engagement_trend_7d"]) - int(props[cid]["te_engagement_score"])) <= 1
    for cid in stale:       # no new touches for a week: only decay, never up
        assert int(props[cid]["te_engagement_trend_7d"]) <= 0
    pairs = sorted((int(p["te_engagement_score"]), int(p["te_engagement_rank_pct"])) for p in props.values())
    assert pairs[-1][1] == 100
    assert [r for _s, r in pairs] == sorted(r for _s, r in pairs)      # a higher score never ranks lower
    days = db.execute("select count(distinct day) from score_history").fetchone()[0]
    assert days == 2        # today, and the reconstructed week-ago baseline


def test_upgrading_to_model_v2_rescores_everyone_once_and_stamps_it(connector, sandbox, tmp_path):
    v1 = tmp_path / "v1.toml"
    v1.write_text(resources.files("connector.scoring").joinpath("default_model.toml").read_text()
                  .replace('version = "v3"', 'version = "v1"'))
    connector.run("setup")
    first = connector.sync_json(SCORING_MODEL_PATH=str(v1))
    upgraded = connector.sync_json()
    assert upgraded["scored"] == first["scored"] >= 200
    assert {p["te_score_model"] for p in _props(sandbox, "te_score_model").values()} == {"v3"}
    assert connector.sync_json()["scored"] < 10        # once: afterwards only decay and new activity


def test_reasons_reach_hubspot_in_the_configured_language(connector, sandbox):
    connector.run("setup")
    connector.sync_json(REASONS_LANGUAGE="nl")
    reasons = [p["te_engagement_reasons"] for p in _props(sandbox, "te_engagement_reasons").values()
               if p["te_engagement_reasons"]]
    assert any("Bekeek " in r for r in reasons) and any("geleden" in r for r in reasons)
    assert not any(" ago" in r or "Viewed " in r for r in reasons)
