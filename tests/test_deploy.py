"""Deployment files: the Containerfile, the systemd unit and the cron line are what the README says, and sound.

No container runtime runs here; deploy/smoke-test.sh runs the image's entry point from an installed wheel as an
unprivileged user (see the README's Deployment section).
"""

import configparser
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from connector.hubspot.streams import OPTIONAL_SCOPES, REQUIRED_SCOPES

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
CONTAINERFILE = (ROOT / "Containerfile").read_text()
UNIT = ROOT / "deploy" / "connector.service"
CRON = (ROOT / "deploy" / "connector.cron").read_text()


def _instructions() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in re.sub(r"\\\n", " ", CONTAINERFILE).splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.setdefault(word.upper(), []).append(rest.strip())
    return out


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(UNIT.read_text())
    return parser


def test_containerfile_runs_connector_as_a_non_root_user_with_the_state_on_a_volume():
    ins = _instructions()
    assert ins["FROM"] == ["python:3.11-slim"]
    assert ins["USER"] and ins["USER"][-1] not in ("root", "0")
    assert ins["ENTRYPOINT"] == ['["connector"]'] and ins["CMD"] == ['["daemon"]']
    volume = ins["VOLUME"][-1]
    assert volume == '["/var/lib/connector/state"]' and ins["WORKDIR"][-1] == "/var/lib/connector"
    assert "HUBSPOT_ACCESS_TOKEN" not in CONTAINERFILE.replace("# ", ""), "the token comes from the environment"


def test_the_entry_point_is_the_packaged_connector_command():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"connector": "connector.cli:main"}


def test_readme_runs_the_image_the_way_the_containerfile_builds_it():
    assert "podman build -t talent-engagement-connector -f Containerfile ." in README
    runs = re.findall(r"^podman run .*$", README, re.MULTILINE)
    assert runs and all("-e HUBSPOT_ACCESS_TOKEN " in r and ":/var/lib/connector/state " in r for r in runs)


def test_systemd_unit_runs_the_daemon_hardened_in_its_state_directory():
    service = _unit()["Service"]
    assert service["ExecStart"].endswith("/connector daemon")
    assert service["User"] == "connector" and service["StateDirectory"] == "connector"
    assert service["WorkingDirectory"] == "/var/lib/connector"
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert service[option] == "yes", option
    assert service["ProtectSystem"] == "strict" and service["CapabilityBoundingSet"] == ""
    assert service["EnvironmentFile"] == "/etc/connector/connector.env"
    assert "cp deploy/connector.service /etc/systemd/system/" in README


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    binary = ROOT / ".venv" / "bin" / "connector"
    if not binary.exists():
        binary = Path(shutil.which("connector") or "/bin/true")
    unit = tmp_path / "connector.service"
    unit.write_text(UNIT.read_text().replace("/opt/connector/bin/connector", str(binary)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_cron_line_runs_sync_as_the_service_user_and_is_the_readme_one():
    line = [x for x in CRON.splitlines() if x and not x.startswith("#")]
    assert len(line) == 1
    fields = line[0].split(None, 6)
    assert fields[5] == "connector" and " sync --json" in fields[6]
    assert "--env-file /etc/connector/connector.env" in fields[6]
    assert line[0] in README


def test_readme_says_what_to_back_up_and_that_the_env_file_is_0600():
    deployment = README[README.index("## Deployment"):README.index("## Development")]
    assert "state/connector.db" in deployment and "Back up" in deployment
    assert "`0600`" in deployment
    for scope in (*REQUIRED_SCOPES, *OPTIONAL_SCOPES):
        assert f"`{scope}`" in deployment, scope
