"""Rate limits (rolling burst window, search per second, daily budget) and switchable faults."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass

SEARCH_WINDOW_S = 1.0
# [U] HubSpot answers 414 past about 16.2k characters of URL (PostHog/posthog#31617, measured); Airbyte keeps the
# properties parameter under 15,000 and is not refused. The stricter end: the request target (path and query as
# sent, percent-encoded) may hold 16,000 characters. Cloudflare's own limit (32 KB, its error-414 page) is looser.
MAX_REQUEST_TARGET_CHARS = 16_000
FAULT_KINDS = ("status", "timeout", "slow", "hang_after")   # hang_after: applied, then the answer is held


class RateLimiter:
    """Per-token budgets, counted as HubSpot documents them.

    [V] usage guidelines: a rolling burst window (100 or 190 per 10 s) and a daily budget that resets at
    midnight in the account's time zone; search has its own 5 requests/s [C].
    Decided here: a 429 does not enter the rolling window (the docs tell clients to wait for the window to
    roll, which could never happen if rejected calls kept it full), but every request, 429s included, counts
    toward the daily total (the docs measure error rates against "total daily requests"). A search call also
    counts against the burst window [U].
    """

    def __init__(self, rate_limit: int, window_s: float, search_per_s: int, daily_limit: int):
        self.lock = threading.Lock()
        self.rate_limit, self.window_s = rate_limit, window_s
        self.search_per_s, self.daily_limit = search_per_s, daily_limit
        self.reset()

    def reset(self) -> None:
        self.windows: dict[str, deque[float]] = {}
        self.searches: dict[str, deque[float]] = {}
        self.daily_used: dict[str, int] = {}
        self.day: str | None = None

    def configure(self, *, rate_limit=None, rate_window_s=None, search_rate_per_s=None, daily_limit=None) -> None:
        with self.lock:
            if rate_limit is not None:
                self.rate_limit = rate_limit
            if rate_window_s is not None:
                self.window_s = rate_window_s
            if search_rate_per_s is not None:
                self.search_per_s = search_rate_per_s
            if daily_limit is not None:
                self.daily_limit = daily_limit

    def used_today(self, token: str) -> int:
        with self.lock:
            return self.daily_used.get(token, 0)

    def check(self, token: str, day: str, *, search: bool) -> tuple[str | None, dict[str, str]]:
        """Admit or refuse one request: (policy name when refused, rate-limit headers)."""
        with self.lock:
            if day != self.day:
                self.day, self.daily_used = day, {}
            now = time.monotonic()
            window = self.windows.setdefault(token, deque())
            while window and window[0] <= now - self.window_s:
                window.popleft()
            used = self.daily_used.get(token, 0) + 1
            self.daily_used[token] = used
            policy = None
            if used > self.daily_limit:
                policy = "DAILY"
            elif search:
                recent = self.searches.setdefault(token, deque())
                while recent and recent[0] <= now - SEARCH_WINDOW_S:
                    recent.popleft()
                if len(recent) >= self.search_per_s:
                    policy = "SECONDLY"  # [U] policy name of the search limit
                else:
                    recent.append(now)
            if policy is None and len(window) >= self.rate_limit:
                policy = "TEN_SECONDLY_ROLLING"
            if policy is None:
                window.append(now)
            headers = {
                "X-HubSpot-RateLimit-Max": str(self.rate_limit),
                "X-HubSpot-RateLimit-Remaining": str(max(0, self.rate_limit - len(window))),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.window_s * 1000)),
                "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
                "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - used)),
            }
            return policy, headers


@dataclass
class Fault:
    """One armed fault: skips `skip` matching requests, then fires on the next `count`."""

    kind: str
    status: int
    delay_s: float
    path_prefix: str | None
    method: str | None
    skip: int
    count: int
    retry_after: float | None
    policy: str | None
    html: bool = False      # answer an HTML page (as Cloudflare sends 5xx), not a JSON error body

    def matches(self, method: str, path: str) -> bool:
        return ((self.method is None or self.method.upper() == method)
                and (self.path_prefix is None or path.startswith(self.path_prefix)))


class FaultPlan:
    """Faults switched on by tests; taken in the order they were added."""

    def __init__(self):
        self.lock = threading.Lock()
        self.faults: list[Fault] = []

    def add(self, *, nth: int, kind: str, status: int, delay_s: float, path_prefix: str | None,
            method: str | None, count: int, retry_after: float | None, policy: str | None,
            html: bool = False) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}, not {kind!r}")
        if nth < 1 or count < 1:
            raise ValueError("nth and count start at 1")
        if kind == "timeout" and not delay_s:
            delay_s = 30.0
        with self.lock:
            self.faults.append(Fault(kind, status, delay_s, path_prefix, method, nth - 1, count, retry_after,
                                     policy, html))

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault that fires on this request, if any; every matching fault counts the request."""
        fired = None
        with self.lock:
            for fault in self.faults:
                if not fault.matches(method, path) or fault.count <= 0:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                elif fired is None:
                    fault.count -= 1
                    fired = fault
            self.faults = [f for f in self.faults if f.count > 0]
        return fired


STORM_KINDS = ("5xx", "lost_answer", "429_burst")
STORM_HTML_SHARE = 0.5   # [U] share of storm 5xx that come as Cloudflare's HTML page rather than HubSpot's JSON


class Storm:
    """Random faults on a share of requests: 5xx (not applied), a lost answer (applied, connection closed
    without a response, as a timeout after the server did the work), or a burst of 429s without Retry-After.
    A 5xx is HubSpot's JSON body or, for a share of them, an HTML page as Cloudflare sends (`html_5xx` counts them;
    drawn from a second generator, so a seed fires the same faults as before)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rate = 0.0
        self.burst = 0
        self._left = 0
        self._rng = random.Random(0)
        self._html_rng = random.Random(1)
        self.fired: dict[str, int] = {}
        self.html_5xx = 0

    def start(self, *, rate: float, seed: int = 0, burst: int = 3) -> None:
        with self.lock:
            self.rate, self.burst, self._left, self._rng, self.fired = rate, burst, 0, random.Random(seed), {}
            self._html_rng, self.html_5xx = random.Random(seed + 1), 0

    def stop(self) -> None:
        with self.lock:
            self.rate, self._left = 0.0, 0

    def draw(self) -> str | None:
        """The storm fault for this request, if any."""
        with self.lock:
            if self._left > 0:
                self._left -= 1
                kind = "429_burst"
            elif self.rate and self._rng.random() < self.rate:
                kind = self._rng.choice(STORM_KINDS)
                if kind == "429_burst":
                    self._left = self.burst - 1
            else:
                return None
            self.fired[kind] = self.fired.get(kind, 0) + 1
            return kind

    def html_5xx_now(self) -> bool:
        """Whether this storm 5xx is answered as an HTML page."""
        with self.lock:
            html = self._html_rng.random() < STORM_HTML_SHARE
            self.html_5xx += html
            return html
