"""Progress of a sync: live counts on a terminal's stderr, plain phase lines (and no bar) when piped."""

import os
import pty
import re
import subprocess
import sys

STYLE = re.compile(r"\x1b\[[0-9;]*m")              # colours: dropped
MOVES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")     # cursor moves between redraws: a line break
BAR_CHARS = ("━", "\x1b[")


def _run_on_a_terminal(conn, *args) -> str:
    """`connector ARGS` with stdin, stdout and stderr on a pseudo-terminal, as an admin runs it; all it wrote."""
    master, slave = pty.openpty()
    env = {**os.environ, **conn.environ(), "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "50"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "connector", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:          # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def _counts(text: str, step: str) -> set[int]:
    return {int(n) for n in re.findall(rf"{re.escape(step)}\s.*?\s(\d+)(?:/\d+)?\s", text)}


def test_sync_on_a_terminal_shows_each_step_with_moving_counts(connector, sandbox):
    connector.run("setup")
    raw = _run_on_a_terminal(connector, "sync")
    text = MOVES.sub("\n", STYLE.sub("", raw))
    for step in ("pulling contacts", "pulling email events", "pulling page views: contacts",
                 "pulling form submissions: forms", "scoring contacts", "contacts: batches", "creating recruiter tasks"):
        assert step in text, text
    assert {0, len(sandbox.contacts())} <= _counts(text, "pulling contacts"), text     # each contact once
    assert len(_counts(text, "pulling email events")) >= 2, text       # the count moved, not just the last value
    assert re.search(r"contacts: batches\s.*?\s(\d+)/\1\s", text), text   # every batch written
    assert re.search(r"\d+/s", text), text                                # a rate
    assert "Sync run 1: ok" in text


def test_sync_piped_to_a_file_prints_phase_lines_and_no_progress_bar(connector, sandbox, tmp_path):
    connector.run("setup")
    out = tmp_path / "sync.log"
    with out.open("w") as f:
        subprocess.run([sys.executable, "-m", "connector", "sync"], env={**os.environ, **connector.environ()},
                       stdout=f, stderr=subprocess.STDOUT, check=True, timeout=120)
    text = out.read_text()
    assert "… pulling contacts" in text and "Sync run 1: ok" in text
    assert not any(c in text for c in BAR_CHARS), text


def test_sync_json_piped_prints_only_the_json_line(connector, sandbox):
    connector.run("setup")
    done = subprocess.run([sys.executable, "-m", "connector", "sync", "--json"], env={**os.environ, **connector.environ()},
                          capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("{")
    assert not any(c in done.stderr for c in BAR_CHARS), done.stderr
