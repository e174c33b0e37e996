"""Progress of backfill and reconcile: live counts on a terminal's stderr; nothing but the JSON with --json piped."""

import os
import re
import subprocess
import sys

from tests.test_backfill import SINCE
from tests.test_progress import BAR_CHARS, MOVES, STYLE, _run_on_a_terminal


def test_backfill_on_a_terminal_shows_its_windows_then_each_step(connector, sandbox):
    connector.run("setup")
    text = MOVES.sub("\n", STYLE.sub("", _run_on_a_terminal(connector, "backfill", "--since", SINCE)))
    windows = {(int(a), int(b)) for a, b in re.findall(rf"backfill from {SINCE}: windows\s.*?\s(\d+)/(\d+)\s", text)}
    total = max(b for _a, b in windows)
    assert total >= 40 and (total, total) in windows and len(windows) >= 3, text      # the count moved to the end
    for step in ("pulling page views: contacts", "rescoring every contact", "contacts: batches"):
        assert step in text, text
    assert "pulling contacts" not in text, text         # the windows' inner steps draw no line of their own
    assert "Backfill run 1: ok" in text


def test_reconcile_on_a_terminal_shows_the_id_scan(connector, sandbox):
    connector.run("setup")
    connector.sync_json()
    text = MOVES.sub("\n", STYLE.sub("", _run_on_a_terminal(connector, "reconcile")))
    counts = {int(n) for n in re.findall(r"listing HubSpot's contact ids\s.*?\s(\d+)\s", text)}
    assert max(counts) == len(sandbox.contacts()) and len(counts) >= 2, text
    assert "Reconcile run 2: ok" in text


def test_backfill_and_reconcile_with_json_piped_print_only_the_json_line(connector, sandbox):
    connector.run("setup")
    for args in (["backfill", "--since", SINCE, "--json"], ["reconcile", "--json"]):
        done = subprocess.run([sys.executable, "-m", "connector", *args], env={**os.environ, **connector.environ()},
                              capture_output=True, text=True, check=True, timeout=120)
        assert done.stdout.count("\n") == 1 and done.stdout.startswith("{"), done.stdout
        assert not any(c in done.stderr for c in BAR_CHARS) and "…" not in done.stderr, done.stderr
