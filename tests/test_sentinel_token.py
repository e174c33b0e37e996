"""A sentinel token, in awkward forms, never appears in any command's stdout, stderr, logs, exports or database."""

import base64
from pathlib import Path
from urllib.parse import quote

import pytest

from connector.sandbox.hubspot import HubSpotSandbox
from tests.conftest import FAST_LIMITS, Connector

SENTINEL = "pat-na1-5ENT1NEL/+=:~x9"


def _forms(token: str) -> list[str]:
    return [token, quote(token, safe=""), base64.b64encode(token.encode()).decode(), "5ENT1NEL"]


@pytest.fixture
def sentinel_sandbox():
    server = HubSpotSandbox(seed=True, token=SENTINEL, **FAST_LIMITS).start()
    yield server
    server.stop()


def test_no_command_leaks_the_token_anywhere(sentinel_sandbox, tmp_path):
    conn = Connector(sandbox=sentinel_sandbox, db_path=str(tmp_path / "state.db"), env={"LOG_LEVEL": "debug"})
    email = sentinel_sandbox.seed_summary["segments"]["fan"][0]
    outputs = [conn.run(*args).output for args in (
        ("setup",), ("sync", "--json"), ("sync", "--dry-run"), ("status",), ("pool", "--top", "0", "--csv", "p.csv"),
        ("explain", email), ("explain", email, "--json"), ("daemon", "--interval-seconds", "0.2", "--max-runs", "1"),
        ("unlock",), ("forget", email))]
    sentinel_sandbox.add_fault(kind="status", status=401, count=5)
    outputs.append(conn.run("sync", expect=3).output)
    sentinel_sandbox.clear_faults()
    sentinel_sandbox.add_fault(kind="status", status=500, count=50)
    outputs.append(conn.run("sync", expect=None, HUBSPOT_MAX_RETRIES=1).output)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for form in _forms(SENTINEL):
        for out in outputs:
            assert form not in out
        assert form.encode() not in stored


@pytest.mark.parametrize("token", [SENTINEL + "-wrong", "  " + SENTINEL + "-wrong\n", SENTINEL + "\nsecond"])
def test_a_rejected_or_malformed_token_is_never_echoed(sentinel_sandbox, tmp_path, token):
    conn = Connector(sandbox=sentinel_sandbox, db_path=str(tmp_path / "state.db"), env={"LOG_LEVEL": "debug"})
    result = conn.run("setup", expect=None, HUBSPOT_ACCESS_TOKEN=token)
    assert result.exit_code in (2, 3)
    assert "5ENT1NEL" not in result.output and "second" not in result.output
    assert b"5ENT1NEL" not in b"".join(p.read_bytes() for p in Path(tmp_path).iterdir() if p.is_file())
