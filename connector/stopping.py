"""Clean stops: SIGTERM (systemd, container runtimes) and SIGINT ask the run to stop; it stops between requests.

What a stop does, and how long it takes: no new HubSpot request starts once a stop is asked (waits for the rate
limit or a retry end at once); requests already in flight (up to 3 push batches) are finished and committed, so
the stop takes at most one request's time, HUBSPOT_TIMEOUT_SECONDS + 5 s (connect) in the worst case, plus a
commit. The run is then recorded `interrupted`, the lease released, and the process exits 0 for SIGTERM
(130 for SIGINT). A second Ctrl-C stops at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from connector.errors import ConnectorError

CONNECT_BOUND_S = 5
_requested = threading.Event()
_signal_name: list[str] = []


class StopRequestedError(ConnectorError):
    """A SIGTERM or SIGINT asked the run to stop: not a failure; the state is consistent and resumable."""

    def __init__(self, signame: str):
        super().__init__(f"{signame} received: the run stopped cleanly and resumes where it left off next time")
        self.exit_code = 0 if signame == "SIGTERM" else 130


def requested() -> bool:
    """True once a stop was asked."""
    return _requested.is_set()


def check() -> None:
    """Raise StopRequestedError if a stop was asked: call between units of work."""
    if _requested.is_set():
        raise StopRequestedError(_signal_name[0] if _signal_name else "SIGTERM")


def sleep(seconds: float) -> None:
    """time.sleep that a stop cuts short (and then raises StopRequestedError)."""
    if _requested.wait(max(seconds, 0.0)):
        check()


def wait(seconds: float) -> bool:
    """Wait up to `seconds` for a stop; True when one was asked."""
    return _requested.wait(max(seconds, 0.0))


def _handler(signum, _frame) -> None:
    name = signal.Signals(signum).name
    if _requested.is_set() and name == "SIGINT":
        raise KeyboardInterrupt        # a second Ctrl-C: the user wants out now
    _signal_name[:] = [name]
    _requested.set()


@contextlib.contextmanager
def handle_stop_signals() -> Iterator[None]:
    """Within this block SIGTERM and SIGINT request a clean stop instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        _requested.clear()
        _signal_name.clear()
