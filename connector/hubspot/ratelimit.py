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
                 sleep: Callable[[float], None] = time.sleep):
        self.limit = limit
        self.window_s = window_s * (1 + WINDOW_MARGIN)
        self._clock, self._sleep = clock, sleep
        self._stamps: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited_s = 0.0
        self.server_window_s: float | None = None     # the window HubSpot says it counts in (Interval header)

    def acquire(self) -> None:
        """Block until one more request fits in the window, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._stamps and now - self._stamps[0] >= self.window_s:
                    self._stamps.popleft()
                wait = max(self._paused_until - now, 0.0)
                if not wait and len(self._stamps) < self.limit:
                    self._stamps.append(now)
                    return
                if not wait:
                    wait = self.window_s - (now - self._stamps[0])
            self.waited_s += wait
            self._sleep(max(wait, 0.001))

    def observe(self, headers) -> None:
        """Tighten to the server's view: its Max caps ours, and a nearly spent Remaining pauses us."""
        maximum = _int_header(headers, "X-HubSpot-RateLimit-Max")
        remaining = _int_header(headers, "X-HubSpot-RateLimit-Remaining")
        interval_ms = _int_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
        with self._lock:
            if interval_ms:
                self.server_window_s = interval_ms / 1000.0
            if maximum and maximum < self.limit:
                self.limit = maximum
            if remaining is not None and remaining <= LOW_REMAINING and maximum:
                window = (interval_ms / 1000.0) if interval_ms else self.window_s
                self._paused_until = self._clock() + window / maximum * (LOW_REMAINING + 1 - remaining)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


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
