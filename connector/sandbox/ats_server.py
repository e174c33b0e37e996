"""What the ATS sandboxes share with the HubSpot one: the HTTP handler (hs_handler), request recording,
switchable faults, and here the lifecycle, routing and a rolling-window rate limit.

A subclass supplies `ROUTES` ((method, path pattern, handler name)) and `authorize`/`error_payload`.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from urllib.parse import unquote

from .ats_world import AtsWorld
from .hs_handler import serve_in_thread
from .hs_limits import FaultPlan
from .hs_recording import RecordedRequest


class SandboxError(Exception):
    """An answer other than 200, raised by a route: (status, body, headers)."""

    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class WindowLimit:
    """At most `limit` requests per rolling `window_s` per key; refused requests do not fill the window."""

    def __init__(self, limit: int, window_s: float):
        self.limit, self.window_s = limit, window_s
        self.lock = threading.Lock()
        self.hits: dict[str, deque[float]] = {}

    def check(self, key: str) -> tuple[bool, int, float]:
        """(admitted, remaining, seconds until a slot frees)."""
        with self.lock:
            now = time.monotonic()
            hits = self.hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False, 0, hits[0] + self.window_s - now
            hits.append(now)
            return True, self.limit - len(hits), 0.0


class AtsSandbox:
    """Lifecycle (start/stop/url/reset), routing and recording around an AtsWorld."""

    ROUTES: list[tuple[str, str, str]] = []
    NAME = "ats"
    wants_raw_body = True      # the handler passes the raw body (Greenhouse's token request is form-encoded)

    def __init__(self, *, token: str, host: str = "127.0.0.1", port: int = 0, seed: bool = True,
                 now: datetime | None = None, rate_limit: int, rate_window_s: float):
        self.token = token
        self.faults = FaultPlan()
        self.requests: list[RecordedRequest] = []
        self.limit = WindowLimit(rate_limit, rate_window_s)
        self._host, self._port = host, port
        self._routes = [(m, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", p) + "/?$"), h)
                        for m, p, h in self.ROUTES]
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._now = now
        self._install(seed)

    def _install(self, seed: bool) -> None:
        now = self._now or datetime.now(UTC)
        self._base_ms = int(now.timestamp() * 1000)
        self._t0 = time.monotonic()
        self.world = AtsWorld(self._base_ms, self.now_ms, seed=seed)

    def now_ms(self) -> int:
        return self._base_ms + int((time.monotonic() - self._t0) * 1000)

    def reset(self, *, seed: bool = True) -> None:
        self.faults.clear()
        self.requests.clear()
        with self.limit.lock:
            self.limit.hits.clear()
        self._install(seed)

    def set_rate_limit(self, limit: int, window_s: float | None = None) -> None:
        self.limit.limit = limit
        if window_s is not None:
            self.limit.window_s = window_s

    def add_fault(self, *, nth: int = 1, kind: str = "status", status: int = 500, delay_s: float = 0.0,
                  path_prefix: str | None = None, method: str | None = None, count: int = 1,
                  retry_after: float | None = None) -> None:
        self.faults.add(nth=nth, kind=kind, status=status, delay_s=delay_s, path_prefix=path_prefix,
                        method=method, count=count, retry_after=retry_after, policy=None)

    def start(self):
        self._stopping.clear()
        self._server, _thread = serve_in_thread(self, self._host, self._port, self.NAME)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _match(self, method: str, path: str):
        for m, pattern, handler in self._routes:
            if m == method and (found := pattern.match(path)):
                return handler, {k: unquote(v) for k, v in found.groupdict().items()}
        return None, {}

    def routed(self, prefix: str = "") -> list[RecordedRequest]:
        """Requests the sandbox answered on a known route (optionally under a path prefix)."""
        return [r for r in self.requests if r.routed and r.path.startswith(prefix)]

    # --- subclass hooks --------------------------------------------------------------------------

    def authorize(self, path: str, auth: str | None, raw: bytes | None) -> str:
        """The rate-limit key of an authorised request, or raise SandboxError(401)."""
        raise NotImplementedError

    def fault_payload(self, status: int) -> object:
        raise NotImplementedError

    def handle(self, method: str, path: str, query: dict, body: object, auth: str | None, bad_json: bool,
               raw: bytes | None = None) -> tuple[int, object, dict[str, str]]:
        handler, params = self._match(method, path)
        try:
            key = self.authorize(path, auth, raw)
            if handler is None:
                raise SandboxError(404, self.fault_payload(404))
            admitted, remaining, wait = self.limit.check(key)
            if not admitted:
                raise SandboxError(429, self.fault_payload(429), self.limit_headers(0, wait))
            with self.world.lock:
                status, payload, headers = getattr(self, handler)(params, query, raw)
            return status, payload, {**self.limit_headers(remaining, None), **headers}
        except SandboxError as exc:
            return exc.status, exc.body, exc.headers

    def limit_headers(self, remaining: int, wait: float | None) -> dict[str, str]:
        headers = {}
        if wait is not None:
            headers["Retry-After"] = str(max(1, int(-(-wait // 1))))
        return headers
