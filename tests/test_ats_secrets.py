"""ATS credentials never reach the state DB, the run record or the output."""

from __future__ import annotations

from pathlib import Path


def _state_bytes(db_path: str) -> bytes:
    return b"".join(p.read_bytes() for p in Path(db_path).parent.glob(Path(db_path).name + "*"))


def test_recruitee_token_is_nowhere_in_state_or_output(recruitee_connector, recruitee):
    recruitee_connector.run("setup")
    out = recruitee_connector.run("sync").output + recruitee_connector.run("status").output
    assert recruitee.token not in out
    assert recruitee.token.encode() not in _state_bytes(recruitee_connector.db_path)


def test_greenhouse_secret_and_access_tokens_are_nowhere_in_state_or_output(greenhouse_connector, greenhouse):
    greenhouse_connector.run("setup")
    out = greenhouse_connector.run("sync").output + greenhouse_connector.run("status").output
    state = _state_bytes(greenhouse_connector.db_path)
    for secret in [greenhouse.client_secret, *greenhouse.tokens]:
        assert secret not in out and secret.encode() not in state
