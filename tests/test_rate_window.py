"""The general limiter starts from what HubSpot (or the last process) says is left, not from a full budget."""

import json
import os
import subprocess
import sys

from connector.hubspot.ratelimit import RollingLimiter, acquire_both
from tests.test_ratelimit import FakeClock

HEADERS = {"X-HubSpot-RateLimit-Max": "10", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}


def _limiter(clock, wall=lambda: 5000.0):
    return RollingLimiter(10, 10.0, clock=clock, sleep=clock.sleep, wall=wall)


def test_what_others_used_of_the_window_counts_as_spent():
    clock = FakeClock()
    limiter = _limiter(clock)
    limiter.acquire()
    limiter.observe({**HEADERS, "X-HubSpot-RateLimit-Remaining": "2"})     # 8 used, only 1 of them ours
    start = clock.now
    limiter.acquire()
    limiter.acquire()
    assert clock.now == start                 # the two HubSpot says are left
    limiter.acquire()
    assert clock.now >= start + 10.0          # the third waits for the window to roll


def test_headers_of_another_window_length_leave_the_count_alone():
    clock = FakeClock()
    search = RollingLimiter(5, 1.0, clock=clock, sleep=clock.sleep)
    search.observe({**HEADERS, "X-HubSpot-RateLimit-Remaining": "2"})
    start = clock.now
    for _ in range(5):
        search.acquire()
    assert clock.now == start


def test_a_new_process_resumes_the_saved_window():
    old_clock, new_clock = FakeClock(), FakeClock()
    old = _limiter(old_clock, wall=lambda: 5000.0)
    for _ in range(10):
        old.acquire()
    snap = json.loads(json.dumps(old.snapshot()))
    new = _limiter(new_clock, wall=lambda: 5003.0)         # three seconds later, another process
    new.resume(snap)
    start = new_clock.now
    new.acquire()
    assert new_clock.now >= start + 7.0


def test_a_rolled_window_is_not_resumed():
    old_clock, new_clock = FakeClock(), FakeClock()
    old = _limiter(old_clock, wall=lambda: 5000.0)
    for _ in range(10):
        old.acquire()
    new = _limiter(new_clock, wall=lambda: 5020.0)
    new.resume(old.snapshot())
    start = new_clock.now
    for _ in range(10):
        new.acquire()
    assert new_clock.now == start


def _cli(conn, *args):
    env = {**os.environ, **conn.environ(HUBSPOT_RATE_LIMIT_PER_10S=25, HUBSPOT_SEARCH_RATE_PER_S=2)}
    return subprocess.run([sys.executable, "-m", "connector", *args], env=env, capture_output=True, text=True,
                          timeout=180)


def test_setup_then_sync_back_to_back_give_zero_429s(empty_sandbox, make_connector):
    """Two processes in one 10-second window (burst 25 per 10 s: setup needs ~50 calls, so it ends in a busy window): the second starts from what the first left."""
    empty_sandbox.bulk_create_contacts(40)
    empty_sandbox.set_rate_limits(rate_limit=25, rate_window_s=10, search_rate_per_s=2)
    conn = make_connector(empty_sandbox)
    setup = _cli(conn, "setup")
    assert setup.returncode == 0, setup.stderr
    sync = _cli(conn, "sync", "--json")
    assert sync.returncode == 0, sync.stderr
    assert json.loads(sync.stdout.strip().splitlines()[-1])["contacts_updated"] == 40
    assert [r.path for r in empty_sandbox.requests if r.status == 429] == []


def test_a_search_waiting_for_the_general_window_holds_no_search_slot():
    """HubSpot counts at arrival: a search slot taken before a 10-second wait would let a burst of searches through."""
    clock = FakeClock()
    general = RollingLimiter(1, 10.0, clock=clock, sleep=clock.sleep)
    search = RollingLimiter(1, 1.0, clock=clock, sleep=clock.sleep)
    acquire_both(general, search)
    acquire_both(general, search)                      # waits for the general window to roll
    assert list(search._stamps) == [clock.now]         # its search slot is stamped when it goes, not before
