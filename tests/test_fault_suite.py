"""The fault suite: kill -9 right after each kind of request, and a storm of 5xx, lost answers and 429 bursts.

Each breaks one thing and says what must survive: the sandbox's final state (every te_* value of every contact,
and every task) equals that of one uninterrupted run on an identical sandbox with the same pinned clock.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

SEEDED_AT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
PINNED_NOW = (SEEDED_AT + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
RATE = 120           # the client's configured burst rate in the storm (per rolling 10 s)
WAIT_S = 90          # a safety net on loaded machines; nothing here asserts speed

# One row per kind of request: (name, method, path prefix, which matching request to die after).
# Adding a kill point is one row, e.g. ("task create", "POST", "/crm/v3/objects/tasks", 1).
KILL_POINTS = [
    ("contact search page", "POST", "/crm/v3/objects/contacts/search", 1),
    ("email events page", "GET", "/email/public/v1/events", 1),
    ("web events page", "GET", "/events/v3/events/", 3),
    ("batch update", "POST", "/crm/v3/objects/contacts/batch/update", 2),
    ("task create", "POST", "/crm/v3/objects/tasks/batch/create", 1),
]


def final_state(sandbox) -> dict:
    """Every te_* value of every contact, and every task: what HubSpot users would see."""
    contacts = {c["id"]: {k: v for k, v in c["properties"].items() if k.startswith("te_")} for c in sandbox.contacts()}
    tasks = sorted((tuple(t["contact_ids"]), t["properties"].get("hs_task_subject")) for t in sandbox.tasks())
    return {"contacts": contacts, "tasks": tasks}


def _fresh(sandbox, make_connector):
    sandbox.reset(seed=True, now=SEEDED_AT)
    conn = make_connector(sandbox)
    conn.env["CONNECTOR_PINNED_NOW"] = PINNED_NOW
    conn.run("setup")
    return conn


_CLEAN: dict[str, dict] = {}     # the uninterrupted run's state: deterministic (same seed, same pinned clock)


def _clean_run_state(sandbox, make_connector) -> dict:
    if PINNED_NOW not in _CLEAN:
        conn = _fresh(sandbox, make_connector)
        assert conn.sync_json("--notify")["status"] == "ok"     # --notify: the first sync creates tasks too
        _CLEAN[PINNED_NOW] = final_state(sandbox)
    return _CLEAN[PINNED_NOW]


@pytest.mark.parametrize("name,method,path,nth", KILL_POINTS, ids=[k[0].replace(" ", "_") for k in KILL_POINTS])
def test_kill_right_after_a_request_then_rerun_equals_an_uninterrupted_run(sandbox, make_connector, name, method,
                                                                           path, nth):
    expected = _clean_run_state(sandbox, make_connector)
    conn = _fresh(sandbox, make_connector)
    # The nth matching request is done on the server, but its answer is held: the process dies waiting for it.
    sandbox.add_fault(kind="hang_after", delay_s=10, path_prefix=path, method=method, nth=nth)
    proc = subprocess.Popen([sys.executable, "-m", "connector", "sync", "--notify"],
                            env={**os.environ, **conn.environ()},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT_S
    while len([r for r in list(sandbox.requests) if r.method == method and r.path.startswith(path) and r.status]) < nth:
        assert proc.poll() is None, f"sync ended before the {name} kill point: {proc.communicate()[1]}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sandbox.clear_faults()
    rerun = conn.sync_json("--notify")
    assert rerun["status"] == "ok"
    assert final_state(sandbox) == expected


def _max_in_any_window(stamps: list[float], window_s: float) -> int:
    stamps, best, lo = sorted(stamps), 0, 0
    for hi, t in enumerate(stamps):
        while t - stamps[lo] >= window_s:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_storm_of_5xx_lost_answers_and_429_bursts_ends_in_the_same_state_within_the_rate(sandbox, make_connector):
    expected = _clean_run_state(sandbox, make_connector)
    conn = _fresh(sandbox, make_connector)
    sandbox.set_rate_limits(rate_window_s=0.5)       # the window the 429s' headers announce (HubSpot: 10 s)
    sandbox.requests.clear()
    sandbox.start_storm(rate=0.2, seed=7, burst=2)
    env = {"HUBSPOT_RATE_LIMIT_PER_10S": RATE, "HUBSPOT_SEARCH_RATE_PER_S": 4, "HUBSPOT_TIMEOUT_SECONDS": 2,
           "HUBSPOT_MAX_RETRIES": 6}
    runs = [conn.sync_json("--notify", **env)]
    if runs[0]["status"] != "ok":       # the issue allows the next run to finish the job
        runs.append(conn.sync_json("--notify", **env))
    fired = dict(sandbox.storm.fired)
    sandbox.storm.stop()
    assert runs[-1]["status"] == "ok"
    assert set(fired) == {"5xx", "lost_answer", "429_burst"}, fired
    assert final_state(sandbox) == expected
    stamps = [r.at for r in sandbox.requests]
    assert _max_in_any_window(stamps, 10.0) <= RATE
    searches = [r.at for r in sandbox.requests if r.path.endswith("/search")]
    assert _max_in_any_window(searches, 1.0) <= 4
