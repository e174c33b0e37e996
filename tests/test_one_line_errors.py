"""Every failure a user can cause or meet prints one line starting with `error:` and exits non-zero."""

import os
import socket
import subprocess
import sys

import pytest


def _error_line(result, code=None):
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("20")]   # log lines
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("url,words", [
    ("mysql2000://x/y", "DATABASE_URL"),
    ("postgresql+pg8000://postgres@127.0.0.1/x", "driver"),
    ("postgresql+psycopg://postgres@127.0.0.1:1/x", "cannot open the state database at 127.0.0.1:1"),
    ("postgresql+psycopg://nobody-here:wrong@127.0.0.1:5432/postgres", "cannot open the state database"),
    ("not a url at all", "DATABASE_URL"),
])
def test_unusable_database_url_is_one_line(connector, url, words):
    line = _error_line(connector.run("status", expect=None, DATABASE_URL=url))
    assert words in line and "wrong" not in line


@pytest.mark.parametrize("where", ["under_a_file", "read_only"])
def test_sqlite_path_that_cannot_be_created_is_one_line(connector, tmp_path, where):
    if where == "under_a_file":
        (tmp_path / "afile").write_text("x")
        path = tmp_path / "afile" / "state" / "c.db"
    else:
        (tmp_path / "ro").mkdir(mode=0o500)
        path = tmp_path / "ro" / "state" / "c.db"
    if where == "read_only" and os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    line = _error_line(connector.run("status", expect=4, DATABASE_URL=f"sqlite:///{path}"))
    assert "cannot create the state database" in line


def test_missing_sqlite_folder_is_created(connector, tmp_path):
    connector.run("status", DATABASE_URL=f"sqlite:///{tmp_path}/new/deeper/c.db")
    assert (tmp_path / "new" / "deeper" / "c.db").exists()


def test_sandbox_on_a_port_in_use_is_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "connector", "sandbox", "--port", str(port)],
                              capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().startswith("error: cannot serve the sandbox") and "\n" not in proc.stderr.strip()


def test_tls_failure_names_the_host_and_is_not_retried(connector, sandbox):
    https_url = sandbox.url.replace("http://", "https://")
    sandbox.requests.clear()
    line = _error_line(connector.run("setup", expect=None, HUBSPOT_BASE_URL=https_url))
    assert "TLS to 127.0.0.1 failed" in line


def test_unreachable_host_names_host_and_cause(connector):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    line = _error_line(connector.run("setup", expect=None, HUBSPOT_BASE_URL=f"http://127.0.0.1:{port}",
                                     HUBSPOT_MAX_RETRIES=1))
    assert "cannot reach 127.0.0.1" in line and "connection refused" in line


@pytest.mark.parametrize("url", ["https://[::1", "https://api.hubapi.com:port", "https://"])
def test_malformed_base_url_fails_at_start(connector, url):
    line = _error_line(connector.run("status", expect=2, HUBSPOT_BASE_URL=url))
    assert "HUBSPOT_BASE_URL" in line


@pytest.mark.parametrize("kind", ["binary", "dev_zero", "fifo", "directory"])
def test_unreadable_scoring_model_is_one_line(connector, tmp_path, kind):
    path = tmp_path / "model.toml"
    if kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "dev_zero":
        path = "/dev/zero"
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path = tmp_path
    line = _error_line(connector.run("explain", "a@example.org", expect=2, SCORING_MODEL_PATH=str(path)))
    assert "scoring model" in line


@pytest.mark.parametrize("name,value", [("HUBSPOT_TIMEOUT_SECONDS", "inf"), ("HUBSPOT_TIMEOUT_SECONDS", "nan"),
                                        ("SYNC_INTERVAL_MINUTES", "9" * 30)])
def test_non_finite_or_enormous_numbers_are_refused(connector, name, value):
    assert name in _error_line(connector.run("status", expect=2, **{name: value}))
