"""Client-side rolling-window limiter, one per HubSpot budget (general, search), fed by X-HubSpot-RateLimit-* headers."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

LOW_REMAINING = 1          # when HubSpot says this few are left, wait for the window to roll
WINDOW_MARGIN = 0.1        # HubSpot counts at arrival: keep a tenth of a window clear of network jitter


class RollingLimiter:
    """Allows at most `limit` acquisitions in any `window_s` seconds (HubSpot's limits are rolling windows)."""

    def __init__(self, limit: int, window_s: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time):
        self.limit = limit
        self.nominal_s = window_s
        self._wall = wall
        self.window_s = window_s * (1 + WINDOW_MARGIN)
        self._clock, self._sleep = clock, sleep
        self._stamps: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited_s = 0.0
        self.server_window_s: float | None = None     # the window HubSpot says it counts in (Interval header)

    def acquire(self, *, block: bool = True) -> float | None:
        """Block until one more request fits in the window, then count it; its stamp (None: would block)."""
        while True:
            with self._lock:
                now = self._clock()
                while self._stamps and now - self._stamps[0] >= self.window_s:
                    self._stamps.popleft()
                wait = max(self._paused_until - now, 0.0)
                if not wait and len(self._stamps) < self.limit:
                    self._stamps.append(now)
                    return now
                if not block:
                    return None
                if not wait:
                    wait = self.window_s - (now - self._stamps[0])
            self.waited_s += wait
            self._sleep(max(wait, 0.001))

    def observe(self, headers) -> None:
        """Tighten to the server's view: its Max caps ours, the part of its window that others (an earlier process,
        another tool on the same token) used counts as spent until our window rolls, a nearly spent Remaining
        pauses us."""
        maximum = _int_header(headers, "X-HubSpot-RateLimit-Max")
        remaining = _int_header(headers, "X-HubSpot-RateLimit-Remaining")
        interval_ms = _int_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
        with self._lock:
            if interval_ms:
                self.server_window_s = interval_ms / 1000.0
            if maximum and maximum < self.limit:
                self.limit = maximum
            if maximum and remaining is not None and interval_ms and abs(interval_ms / 1000.0 - self.nominal_s) < 1e-3:
                # HubSpot counts at arrival, so its `used` never includes our calls still in flight: taking the larger
                # of the two counts only ever adds calls we did not make, stamped now (the latest they can roll off).
                now = self._clock()
                self._stamps.extend([now] * (maximum - remaining - self._in_window(now)))
            if remaining is not None and remaining <= LOW_REMAINING and maximum:
                window = (interval_ms / 1000.0) if interval_ms else self.window_s
                self._paused_until = self._clock() + window / maximum * (LOW_REMAINING + 1 - remaining)

    def release(self, stamp: float) -> None:
        """Give back a slot taken but not used."""
        with self._lock:
            if stamp in self._stamps:
                self._stamps.remove(stamp)

    def snapshot(self) -> dict | None:
        """The window as the next process needs it: how many calls it holds and when (wall clock) the last was."""
        with self._lock:
            used = self._in_window(self._clock())
            if not used:
                return None
            last = self._wall() - (self._clock() - self._stamps[-1])
            return {"used": used, "last_at": round(last, 3), "window_s": self.window_s}

    def resume(self, snap: dict) -> None:
        """Start from an earlier process's window: its calls count as made at its last call, until that rolls off."""
        age = self._wall() - float(snap["last_at"])
        if not 0 <= age < float(snap["window_s"]):
            return
        with self._lock:
            at = self._clock() - age
            self._stamps.extendleft([at] * (int(snap["used"]) - self._in_window(at)))

    def _in_window(self, now: float) -> int:
        while self._stamps and now - self._stamps[0] >= self.window_s:
            self._stamps.popleft()
        return len(self._stamps)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


def acquire_both(general: RollingLimiter, search: RollingLimiter | None) -> None:
    """A slot in each budget, both taken at the moment the request can go: a search slot held while waiting for the
    general window would be stale by the time the request reaches HubSpot, which counts at arrival."""
    while True:
        stamp = search.acquire() if search is not None else None
        if general.acquire(block=search is None) is not None:
            return
        search.release(stamp)
        general.release(general.acquire())


def _int_header(headers, name: str) -> int | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
