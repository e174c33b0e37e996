"""Secrets and personal data: the token goes only where it should, nothing personal is printed, exported or kept
looser than it must be, and what HubSpot sends is never read by the terminal or a spreadsheet as commands."""

import csv
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from connector import logs
from connector.cli import cli
from connector.config import load_settings
from connector.errors import ConfigError

SENTINEL = "pat-na1-SENTINEL0123456789"


def _cli(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def _one_error_line(result, code=2):
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_dotenv_of_a_parent_folder_is_not_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HUBSPOT_BASE_URL=https://collector.example.net\n")
    child = tmp_path / "project"
    child.mkdir()
    monkeypatch.chdir(child)
    assert load_settings({}).hubspot_base_url == "https://api.hubapi.com"


def test_plain_http_base_url_is_refused_naming_the_file_that_set_it(tmp_path):
    (tmp_path / ".env").write_text("HUBSPOT_BASE_URL=http://hubspot-mirror.example.net\n")
    line = _one_error_line(_cli("status"))
    assert "HUBSPOT_BASE_URL" in line and str(tmp_path / ".env") in line and "https" in line
    allowed = load_settings({"HUBSPOT_ALLOW_INSECURE_HTTP": "yes"})
    assert allowed.hubspot_base_url == "http://hubspot-mirror.example.net"
    assert load_settings({"HUBSPOT_BASE_URL": "http://127.0.0.1:8765"}).hubspot_base_url.startswith("http://127")


def test_unparseable_dotenv_line_stops_naming_file_and_line_not_its_text(tmp_path):
    (tmp_path / ".env").write_text(f"ATS_KIND=none\n{SENTINEL} oops\n")
    line = _one_error_line(_cli("status"))
    assert ".env line 2" in line and "SENTINEL" not in line


def test_env_file_that_does_not_exist_is_an_error():
    assert "no such file" in _one_error_line(_cli("--env-file", "missing.env", "status"))


@pytest.mark.parametrize("token", ["pat-na1-SENTINEL 0123456789", "pat-na1-SENTINEL\r\nX-Evil: 1",
                                   "pat-na1-SENTINEL\x00", "pat-na1-SENTINEL\u00a0x", "pat-\tna1-SENTINEL"])
def test_token_with_whitespace_or_controls_is_refused_without_echoing_it(token):
    with pytest.raises(ConfigError) as err:
        load_settings({"HUBSPOT_ACCESS_TOKEN": token})
    assert "HUBSPOT_ACCESS_TOKEN" in str(err.value) and "SENTINEL" not in str(err.value)


def test_token_with_a_line_break_stops_the_cli_in_one_line():
    line = _one_error_line(_cli("status", env={"HUBSPOT_ACCESS_TOKEN": "pat-na1-SENTINEL\nsecond-line"}))
    assert "SENTINEL" not in line and "second-line" not in line
    assert load_settings({"HUBSPOT_ACCESS_TOKEN": SENTINEL + "\n"}).hubspot_access_token == SENTINEL


def test_every_printed_form_of_the_token_is_redacted():
    logs.add_secret("pat-na1-AWKWARD/+=token value")
    from urllib.parse import quote
    for form in ("pat-na1-AWKWARD/+=token value", quote("pat-na1-AWKWARD/+=token value", safe=""),
                 "pat-na1-AWKWARD/+=token", repr("pat-na1-AWKWARD/+=token value")):
        assert "AWKWARD" not in logs.redact(f"header Bearer {form} invalid")


def test_markup_and_terminal_escapes_from_hubspot_are_printed_as_text(connector, sandbox):
    names = {"firstname": "[link=https://phish.example]Anna[/link] [/b]", "lastname": "\x1b]0;owned\x07\x1b[2J"}
    cid = sandbox.create_contact({"email": "markup@example.org", **names})
    sandbox.add_web_event(cid, url="https://careers.example.com/teams/%5B/b%5D", occurred_at=datetime.now(UTC) - timedelta(hours=1),
                          title="\x1b[31mRed\x1b[0m [bold]title")
    sandbox.add_email_event(type="CLICK", recipient="markup@example.org", emailCampaignId=5,
                            url="https://careers.example.com/vacancies/data-engineer")
    connector.run("setup")
    connector.sync_json()
    out = connector.run("pool", "--top", "0").output + connector.run("explain", "markup@example.org").output
    assert "[link=https://phish.example]Anna[/link]" in out.replace("\n", "")
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out


def test_pool_csv_is_private_and_defuses_spreadsheet_formulas(connector, sandbox, tmp_path):
    sandbox.create_contact({"email": "formula@example.org", "firstname": "=HYPERLINK(\"http://x\")", "lastname": "@SUM(A1)"})
    sandbox.add_email_event(type="CLICK", recipient="formula@example.org", emailCampaignId=5,
                            url="https://careers.example.com/vacancies/data-engineer")
    connector.run("setup")
    connector.sync_json()
    path = tmp_path / "pool.csv"
    path.write_text("old")
    os.chmod(path, 0o644)
    connector.run("pool", "--top", "0", "--csv", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    cells = [v for r in rows for v in r.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:].isdigit())]
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_pool_csv_to_an_unwritable_path_is_one_error_line(connector, sandbox, tmp_path):
    connector.run("setup")
    result = connector.run("pool", "--csv", str(tmp_path / "no" / "such" / "dir.csv"), expect=2)
    assert result.output.strip().splitlines()[-1].startswith("error: cannot write")


def test_state_folder_and_database_files_are_private(connector, sandbox, tmp_path):
    connector.env["DATABASE_URL"] = "sqlite:///state/connector.db"
    (tmp_path / "state").mkdir(mode=0o755)
    os.chmod(tmp_path / "state", 0o755)
    connector.run("setup")
    connector.sync_json()
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    files = list((tmp_path / "state").iterdir())
    assert files and {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}


def test_database_errors_never_carry_statement_parameters(tmp_path):
    import sqlalchemy as sa

    from connector.db import make_engine
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.begin() as conn:
        conn.execute(sa.text("create table t (email text unique)"))
        conn.execute(sa.text("insert into t values (:e)"), {"e": "anna.private@example.org"})
    with pytest.raises(sa.exc.IntegrityError) as err, engine.begin() as conn:
        conn.execute(sa.text("insert into t values (:e)"), {"e": "anna.private@example.org"})
    assert "anna.private" not in str(err.value)


def test_config_errors_are_config_errors():
    with pytest.raises(ConfigError):
        load_settings({"HUBSPOT_TIMEOUT_SECONDS": "nan"})
