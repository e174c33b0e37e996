"""Settings: loaded once from environment and .env, malformed values fail naming the variable, token never shown."""

import pytest

from connector.config import Settings, load_settings, setting_docs
from connector.errors import ConfigError


def test_defaults_without_environment(tmp_path):
    settings = load_settings({}, env_file=tmp_path / "none.env")
    assert settings.database_url == "sqlite:///state/connector.db"
    assert settings.hubspot_base_url == "https://api.hubapi.com"
    assert settings.rate_limit_per_10s == 100


def test_environment_wins_over_dotenv(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SYNC_INTERVAL_MINUTES=30\nHUBSPOT_TIER=professional\n")
    settings = load_settings({"SYNC_INTERVAL_MINUTES": "5"}, env_file=env_file)
    assert settings.sync_interval_minutes == 5
    assert settings.rate_limit_per_10s == 190


def test_dotenv_in_working_directory_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("ATS_KIND=csv\nATS_CSV_PATH=exports\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings({}).ats_kind == "csv"


@pytest.mark.parametrize("name,value", [
    ("SYNC_INTERVAL_MINUTES", "soon"),
    ("SYNC_INTERVAL_MINUTES", "0"),
    ("HUBSPOT_BASE_URL", "api.hubapi.com"),
    ("ATS_KIND", "workday"),
    ("HUBSPOT_TIMEOUT_SECONDS", "-1"),
    ("VACANCY_URL_PATTERN", "/jobs/(.*)"),
    ("HUBSPOT_TIER", "platinum"),
])
def test_malformed_setting_names_the_variable(name, value, tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings({name: value}, env_file=tmp_path / "none.env")
    assert str(err.value).startswith(f"{name}=")


def test_missing_token_names_the_setting():
    with pytest.raises(ConfigError, match="HUBSPOT_ACCESS_TOKEN"):
        Settings().require_token()


def test_token_is_never_in_repr_or_errors(tmp_path):
    settings = load_settings({"HUBSPOT_ACCESS_TOKEN": "pat-na1-SENTINEL"}, env_file=tmp_path / "none.env")
    assert "SENTINEL" not in repr(settings)


def test_env_example_lists_every_setting():
    from pathlib import Path
    example = (Path(__file__).parent.parent / ".env.example").read_text()
    for env, _help, _default in setting_docs():
        assert f"\n{env}=" in example, f"{env} missing from .env.example"


def test_token_in_a_world_readable_dotenv_is_refused(tmp_path):
    import os
    env_file = tmp_path / ".env"
    env_file.write_text("HUBSPOT_ACCESS_TOKEN=pat-na1-SENTINEL\n")
    os.chmod(env_file, 0o644)
    with pytest.raises(ConfigError, match="chmod 600") as err:
        load_settings({}, env_file=env_file)
    assert "SENTINEL" not in str(err.value)
    os.chmod(env_file, 0o600)
    assert load_settings({}, env_file=env_file).hubspot_access_token == "pat-na1-SENTINEL"
