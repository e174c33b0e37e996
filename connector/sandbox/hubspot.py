"""The HubSpot sandbox server: lifecycle, routing, auth, scopes, rate limits and the fault switches.

A stdlib HTTP/1.1 server on loopback that answers HubSpot's wire format at least as strictly as HubSpot.
Tests and `connector demo` point the official SDK at it (`HubSpot(access_token=..., host=sandbox.url)`).
The HTTP handler (request recording, fault injection) is hs_handler; the test-side API is hs_ui and hs_lists.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from . import (
    hs_routes_create,
    hs_routes_crm,
    hs_routes_events,
    hs_routes_forms,
    hs_routes_lists,
    hs_routes_misc,
    hs_routes_schemas,
    hs_routes_tasks,
)
from .hs_errors import ApiError, error_body, rate_limited_body, unauthenticated, validation
from .hs_handler import serve_in_thread
from .hs_limits import MAX_REQUEST_TARGET_CHARS, FaultPlan, RateLimiter, Storm
from .hs_lists import SandboxListsMixin
from .hs_props import epoch_ms
from .hs_recording import RecordedRequest
from .hs_routes_misc import TIME_ZONE
from .hs_store import PORTAL_ID, Portal
from .hs_ui import SandboxUiMixin
from .hs_wire import OBJECT_ALIASES, Call, Route
from .seed import seed_portal

__all__ = ["DEFAULT_SCOPES", "ROUTES", "HubSpotSandbox", "RecordedRequest", "serve"]

ROUTES: list[Route] = (hs_routes_crm.ROUTES + hs_routes_tasks.ROUTES + hs_routes_misc.ROUTES
                       + hs_routes_events.ROUTES + hs_routes_lists.ROUTES + hs_routes_create.ROUTES
                       + hs_routes_forms.ROUTES + hs_routes_schemas.ROUTES)
DEFAULT_SCOPES = frozenset({
    "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read",
    "crm.schemas.contacts.write", "crm.objects.owners.read", "crm.lists.read", "content", "forms", "oauth",
})


# The object segment of a CRM objects path: HubSpot takes the plural, the singular or the object type id, in any case
# ("crm/v3/objects/0-1" [V CRM overview]); the route table spells the plural only.
OBJECT_SEGMENT = re.compile(r"^(/crm/v3/objects/)([^/]+)(/.*)?$")


def canonical_path(path: str) -> str:
    """`path` with its CRM object segment spelled as the route table does (contact, 0-1, CONTACTS -> contacts)."""
    found = OBJECT_SEGMENT.match(path)
    if found is None:
        return path
    plural = OBJECT_ALIASES.get(unquote(found.group(2)).lower())
    return path if plural is None else f"{found.group(1)}{plural}{found.group(3) or ''}"


def _compile(routes: list[Route]) -> list[tuple[re.Pattern, Route]]:
    """Fewest parameters first, so /contacts/search never reads as /contacts/{contactId}."""
    compiled = []
    for route in sorted(routes, key=lambda r: r.path.count("{")):
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path.rstrip("/")))
        compiled.append((re.compile(f"^{pattern}/?$"), route))
    return compiled


class HubSpotSandbox(SandboxUiMixin, SandboxListsMixin):
    """A seeded HubSpot portal behind a local HTTP server (see the module docstring).

    Requests whose target (path and query) is longer than `max_request_target` get the edge's 414 page.
    The "HubSpot UI" side (create_contact, add_email_event, contacts, ...) is in hs_ui; lists:
    `create_list(name, contact_ids, processing_type=...)` and `list_members(list_id)` (hs_lists).
    """

    max_request_target = MAX_REQUEST_TARGET_CHARS

    def __init__(self, *, token: str = "sandbox-token", host: str = "127.0.0.1", port: int = 0,
                 seed: bool = True, now: datetime | None = None, rate_limit: int = 100,
                 rate_window_s: float = 10.0, search_rate_per_s: int = 5, daily_limit: int = 250_000,
                 tier: str = "enterprise", scopes: set[str] | None = None):
        self.token = token
        self.tier = tier
        self.scopes = frozenset(scopes) if scopes is not None else DEFAULT_SCOPES
        self.limiter = RateLimiter(rate_limit, rate_window_s, search_rate_per_s, daily_limit)
        self.faults = FaultPlan()
        self.storm = Storm()
        self.requests: list[RecordedRequest] = []
        self.response_patches: list[tuple[bytes, bytes]] = []
        self._host, self._port = host, port
        self._routes = _compile(ROUTES)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._now = now
        self._install(seed, now)

    # --- lifecycle ---------------------------------------------------------------------------------

    def _install(self, seed: bool, now: datetime | None) -> None:
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        self._base_ms = epoch_ms(now or datetime.now(UTC))
        self._t0 = time.monotonic()
        portal = Portal(self.now_ms)
        self.seed_summary: dict = {}
        if seed:
            with portal.lock:
                self.seed_summary = seed_portal(portal, self._base_ms)
        self.portal = portal

    def now_ms(self) -> int:
        """The portal's clock: `now` at construction, advancing with real time."""
        return self._base_ms + int((time.monotonic() - self._t0) * 1000)

    def start(self) -> HubSpotSandbox:
        """Bind and serve in a daemon thread."""
        self._stopping.clear()
        self._server, self._thread = serve_in_thread(self, self._host, self._port, "hubspot")
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self, *, seed: bool = True, now: datetime | None = None) -> None:
        """Wipe data, faults, recorded requests and rate-limit windows; optionally reseed.

        Without `now`, the reseed is relative to the `now` given at construction (else the real now).
        """
        self.faults.clear()
        self.storm.stop()
        self.response_patches.clear()
        with self.limiter.lock:
            self.limiter.reset()
        self.requests.clear()
        self._install(seed, now or self._now)

    # --- faults and limits -------------------------------------------------------------------------

    def add_fault(self, *, nth: int = 1, kind: str = "status", status: int = 500, delay_s: float = 0.0,
                  path_prefix: str | None = None, method: str | None = None, count: int = 1,
                  retry_after: float | None = None, policy: str | None = None, html: bool = False) -> None:
        """Make the nth matching request from now on (and count-1 more) fail: status, timeout or slow.

        `html=True` answers a status fault with an HTML page (`text/html`), as Cloudflare sends 5xx, not JSON."""
        self.faults.add(nth=nth, kind=kind, status=status, delay_s=delay_s, path_prefix=path_prefix,
                        method=method, count=count, retry_after=retry_after, policy=policy, html=html)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.response_patches.clear()

    def start_storm(self, *, rate: float, seed: int = 0, burst: int = 3) -> None:
        """From now on a share `rate` of requests fails at random: 5xx, answer lost after applying, 429 bursts."""
        self.storm.start(rate=rate, seed=seed, burst=burst)

    def corrupt_responses(self, find: str, replacement: bytes) -> None:
        """From now on, every response body has the JSON bytes of `find` replaced by `replacement` (raw bytes:
        invalid UTF-8, a broken timestamp, ...), as a portal holding corrupt data would keep sending them."""
        self.response_patches.append((find.encode(), replacement))

    def set_rate_limits(self, *, rate_limit=None, rate_window_s=None, search_rate_per_s=None,
                        daily_limit=None) -> None:
        self.limiter.configure(rate_limit=rate_limit, rate_window_s=rate_window_s,
                               search_rate_per_s=search_rate_per_s, daily_limit=daily_limit)

    # --- request handling --------------------------------------------------------------------------

    def _day(self) -> tuple[str, int]:
        """Today's key in the account's time zone and the next midnight (the daily limit resets then) [V]."""
        local = datetime.fromtimestamp(self.now_ms() / 1000, tz=UTC).astimezone(ZoneInfo(TIME_ZONE))
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)
        return local.date().isoformat(), epoch_ms(midnight)

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        path = canonical_path(path)
        for pattern, route in self._routes:
            if route.method == method and (found := pattern.match(path)):
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None, {}

    def handle(self, method: str, path: str, query: dict, body: object, auth: str | None,
               bad_json: bool) -> tuple[int, object, dict[str, str]]:
        """Answer one request: (status, JSON body, headers). Faults are applied by the HTTP handler."""
        route, params = self._match(method, path)
        if auth != f"Bearer {self.token}":
            return 401, unauthenticated().body, {}
        day, resets = self._day()
        policy, limit_headers = self.limiter.check(self.token, day, search=bool(route and route.search))
        # [V reference] search responses carry no X-HubSpot-RateLimit-* headers (nor Retry-After).
        headers = {} if route is not None and route.search else limit_headers
        if policy is not None:
            return 429, rate_limited_body(policy, PORTAL_ID), headers
        if route is None:
            return 404, error_body(f"Unable to route {method} {path}", "OBJECT_NOT_FOUND"), headers
        call = Call(method, path, params, query, body, self.portal, self.url, self.tier, self.token, self.scopes,
                    {"limit": self.limiter.daily_limit, "used": self.limiter.used_today(self.token),
                     "resets_ms": resets})
        try:
            if bad_json:
                raise validation("Invalid input JSON: the request body could not be parsed")
            call.require(*route.required_scopes(params))
            with self.portal.lock:
                status, payload = route.handler(call)
        except ApiError as exc:
            status, payload = exc.status, exc.body
        except Exception as exc:  # a sandbox bug answers 500, as HubSpot's own failures do
            status, payload = 500, error_body(f"internal error: {type(exc).__name__}", "INTERNAL_ERROR")
        return status, payload, headers


def serve(host: str = "127.0.0.1", port: int = 8765, **kw) -> HubSpotSandbox:
    """Start a sandbox on host:port and return it (the CLI's `connector sandbox` blocks on it)."""
    return HubSpotSandbox(host=host, port=port, **kw).start()
