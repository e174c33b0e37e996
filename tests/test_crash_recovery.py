"""A crash between pulling and pushing, then a re-run, gives the same HubSpot state as one clean run."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

SCORE_PROPS = ("te_engagement_score", "te_engagement_band", "te_score_model", "te_last_engaged_at")
BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"


def _state(sandbox):
    return {c["id"]: tuple(c["properties"].get(p) for p in SCORE_PROPS) for c in sandbox.contacts()}


def test_kill_during_push_then_rerun_equals_clean_run(sandbox, make_connector):
    seeded_at = datetime.now(UTC).replace(microsecond=0)

    sandbox.reset(seed=True, now=seeded_at)
    clean = make_connector(sandbox)
    clean.run("setup")
    clean.sync_json()
    expected = _state(sandbox)

    sandbox.reset(seed=True, now=seeded_at)
    crashed = make_connector(sandbox)
    crashed.run("setup")
    # The first batch update hangs; the process is killed while waiting for it (after the pull committed).
    sandbox.add_fault(kind="slow", delay_s=5, path_prefix=BATCH_UPDATE)
    proc = subprocess.Popen([sys.executable, "-m", "connector", "sync"], env={**os.environ, **crashed.environ()},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(r.path == BATCH_UPDATE for r in list(sandbox.requests)):
        assert proc.poll() is None, "sync ended before it reached the push"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sandbox.clear_faults()
    time.sleep(5.5)              # let the hung request finish on the server side, as HubSpot would

    rerun = crashed.sync_json()
    assert rerun["status"] == "ok"
    assert _state(sandbox) == expected
