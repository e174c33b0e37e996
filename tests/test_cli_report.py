"""`connector report --html`: a self-contained page, checked in a real headless chromium (Debian's package)."""

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connector.db import make_engine, migrate, session_scope
from connector.models import ScoreHistory
from connector.scoring.model import BANDS
from connector.views.report_data import ReportData, load_report
from connector.views.report_html import render_report
from tests import browser
from tests.conftest import FAST_LIMITS, Connector

CHARTS = ("bands", "scores", "tasks", "tasks_weekly", "flags")


@pytest.fixture(scope="module")
def demo_report(_sandbox_server, tmp_path_factory) -> tuple[Path, list[dict]]:
    """One synced demo portal and its report, shared by the tests below (they only read the page)."""
    tmp = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        _scrub(mp, tmp)
        _sandbox_server.reset(seed=True)
        _sandbox_server.set_rate_limits(**FAST_LIMITS)
        connector = Connector(sandbox=_sandbox_server, db_path=str(tmp / "state.db"))
        connector.run("setup")
        connector.run("sync", "--notify")
        top = max((c for c in _sandbox_server.contacts() if c["properties"].get("te_engagement_band") == "fan"),
                  key=lambda c: int(c["properties"]["te_engagement_score"]))     # surely among its owner's top fans
        _sandbox_server.touch_contacts([top["id"]], properties={"firstname": "<script>alert(1)</script>",
                                                                "lastname": "<b>x</b>"})
        connector.run("sync")
        connector.run("owners")
        page = tmp / "report.html"
        out = connector.run("report", "--html", str(page)).output
        assert f"wrote the report to {page}" in out
        owners = _sandbox_server.owners()
    return page, owners


def _scrub(mp: pytest.MonkeyPatch, folder: Path) -> None:
    for key in list(os.environ):
        if key.startswith(("HUBSPOT_", "ATS_", "DATABASE_", "SCORING_", "SYNC_")) or key.lower().endswith("_proxy"):
            mp.delenv(key, raising=False)
    mp.chdir(folder)


def _section(html: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert match, f"no section {sid}"
    return match.group(1)


def test_report_is_self_contained_private_and_escapes_hubspot_values(demo_report):
    page, _owners = demo_report
    html = page.read_text()
    assert oct(os.stat(page).st_mode & 0o777) == "0o600"
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html), "the page loads nothing from the network"
    assert "<script>alert(1)" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;" in _section(html, "fans")
    for sid in ("bands", "scores", "fans", "tasks", "flags", "ats"):
        _section(html, sid)
    assert "No ATS data yet" in _section(html, "ats")


def test_report_shows_top_fans_per_owner_with_reasons(demo_report):
    page, owners = demo_report
    fans = _section(page.read_text(), "fans")
    headed = [name for name in (f"{o['firstName']} {o['lastName']}" for o in owners) if f"<h3>{name}</h3>" in fans]
    assert len(headed) >= 3, "fans are grouped under their owners' names"
    assert fans.count("<tr><td>") >= len(headed) and re.search(r"Viewed .+ \(\+\d+", fans)   # the reasons


def test_report_loads_in_chromium_with_every_chart_and_no_console_errors(demo_report, tmp_path):
    dom, console = browser.load(demo_report[0], tmp_path / "profile")
    assert console == [], f"console messages: {console}"
    for name in CHARTS:
        figure = re.search(rf'<figure class="chart" data-chart="{name}">(.*?)</figure>', dom, re.S)
        assert figure, f"chart {name} is not in the rendered page"
        assert "<svg" in figure.group(1) and re.search(r"<(rect|path)\b", figure.group(1)), f"chart {name} is empty"
    assert "No ATS data yet" in dom


def test_console_check_catches_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<html><body><script>missingFunction()</script><img src="https://cdn.example.com/x.png"></body></html>')
    _dom, console = browser.load(page, tmp_path / "profile")
    assert any("missingFunction" in line for line in console)


@pytest.mark.skipif(bool(os.environ.get("CI")), reason="screenshot check is slow; run it locally")
def test_report_screenshot_is_drawn(demo_report, tmp_path):
    png = browser.screenshot(demo_report[0], tmp_path / "report.png", tmp_path / "profile")
    assert png.exists() and png.stat().st_size > 20_000


def _data(**over) -> ReportData:
    weeks = [date(2026, 11, 18), date(2026, 11, 25), date(2026, 12, 2)]
    base = dict(generated_at=datetime(2026, 12, 2, 12, tzinfo=UTC), weeks=weeks,
                bands_by_week={b: [1, 2, 3] for b in BANDS}, score_buckets=[("0-9", 4)], fans_by_owner={},
                task_status={"created": 2}, tasks_by_week=[0, 1, 1], flags_set_by_week=[0, 0, 1],
                flags_cleared_by_week=[0, 0, 0], flags_open=1)
    return ReportData(**{**base, **over})


def test_ats_section_draws_applied_and_hired_once_there_is_ats_data():
    html = render_report(_data(ats_by_band={"cold": (10, 1, 0), "warm": (5, 1, 0), "engaged": (3, 2, 1),
                                            "fan": (2, 2, 1)}))
    assert 'data-chart="ats"' in _section(html, "ats") and "No ATS data yet" not in html


def test_bands_by_week_counts_each_contact_at_its_latest_score_before_the_week_end(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    migrate(engine)
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    with session_scope(engine) as session:
        session.add_all([ScoreHistory(contact_id="1", day=date(2026, 11, 20), value=30.0),
                         ScoreHistory(contact_id="1", day=date(2026, 12, 1), value=80.0),
                         ScoreHistory(contact_id="2", day=date(2026, 11, 26), value=5.0)])
    with session_scope(engine) as session:
        data = load_report(session, now, (25.0, 50.0, 75.0), weeks=3)
    assert data.weeks == [date(2026, 11, 18), date(2026, 11, 25), date(2026, 12, 2)]
    assert data.bands_by_week == {"cold": [0, 0, 1], "warm": [0, 1, 0], "engaged": [0, 0, 0], "fan": [0, 0, 1]}
