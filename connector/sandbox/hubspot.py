"""The HubSpot sandbox server: routing, auth, scopes, rate limits, faults and request recording.

A stdlib HTTP/1.1 server on loopback that answers HubSpot's wire format at least as strictly as HubSpot.
Tests and `connector demo` point the official SDK at it (`HubSpot(access_token=..., host=sandbox.url)`).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from . import hs_routes_crm, hs_routes_events, hs_routes_lists, hs_routes_misc
from .hs_activity import contacts_with_email, email_event, web_event
from .hs_errors import ApiError, error_body, fault_body, rate_limited_body, unauthenticated, validation
from .hs_limits import FaultPlan, RateLimiter
from .hs_routes_misc import TIME_ZONE
from .hs_store import PORTAL_ID, Portal
from .hs_wire import Call, Route
from .seed import seed_portal

ROUTES: list[Route] = (hs_routes_crm.ROUTES + hs_routes_misc.ROUTES + hs_routes_events.ROUTES
                       + hs_routes_lists.ROUTES)
DEFAULT_SCOPES = frozenset({
    "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read",
    "crm.schemas.contacts.write", "crm.objects.owners.read", "crm.lists.read", "content", "oauth",
})
REDACTED = "[REDACTED]"
IDLE_TIMEOUT_S = 120


@dataclass
class RecordedRequest:
    """A request as the sandbox saw it; never holds the Authorization header or the token."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: object | None
    status: int
    routed: bool


def _compile(routes: list[Route]) -> list[tuple[re.Pattern, Route]]:
    """Fewest parameters first, so /contacts/search never reads as /contacts/{contactId}."""
    compiled = []
    for route in sorted(routes, key=lambda r: r.path.count("{")):
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path.rstrip("/")))
        compiled.append((re.compile(f"^{pattern}/?$"), route))
    return compiled


def _scrub(value: object, token: str) -> object:
    if isinstance(value, str):
        return REDACTED if token and token in value else value
    if isinstance(value, list):
        return [_scrub(v, token) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, token) for k, v in value.items()}
    return value


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class HubSpotSandbox(hs_routes_lists.SandboxListsMixin):
    """A seeded HubSpot portal behind a local HTTP server (see the module docstring).

    Lists: `create_list(name, contact_ids, processing_type=...)` and `list_members(list_id)` (hs_routes_lists).
    """

    def __init__(self, *, token: str = "sandbox-token", host: str = "127.0.0.1", port: int = 0,
                 seed: bool = True, now: datetime | None = None, rate_limit: int = 100,
                 rate_window_s: float = 10.0, search_rate_per_s: int = 5, daily_limit: int = 250_000,
                 tier: str = "enterprise", scopes: set[str] | None = None):
        self.token = token
        self.tier = tier
        self.scopes = frozenset(scopes) if scopes is not None else DEFAULT_SCOPES
        self.limiter = RateLimiter(rate_limit, rate_window_s, search_rate_per_s, daily_limit)
        self.faults = FaultPlan()
        self.requests: list[RecordedRequest] = []
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
        self._base_ms = _ms(now or datetime.now(UTC))
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
        handler = type("SandboxHandler", (_Handler,), {"sandbox": self})
        server = ThreadingHTTPServer((self._host, self._port), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hubspot-sandbox", daemon=True)
        self._thread.start()
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
        with self.limiter.lock:
            self.limiter.reset()
        self.requests.clear()
        self._install(seed, now or self._now)

    # --- faults and limits -------------------------------------------------------------------------

    def add_fault(self, *, nth: int = 1, kind: str = "status", status: int = 500, delay_s: float = 0.0,
                  path_prefix: str | None = None, method: str | None = None, count: int = 1,
                  retry_after: float | None = None, policy: str | None = None) -> None:
        """Make the nth matching request from now on (and count-1 more) fail: status, timeout or slow."""
        self.faults.add(nth=nth, kind=kind, status=status, delay_s=delay_s, path_prefix=path_prefix,
                        method=method, count=count, retry_after=retry_after, policy=policy)

    def clear_faults(self) -> None:
        self.faults.clear()

    def set_rate_limits(self, *, rate_limit=None, rate_window_s=None, search_rate_per_s=None,
                        daily_limit=None) -> None:
        self.limiter.configure(rate_limit=rate_limit, rate_window_s=rate_window_s,
                               search_rate_per_s=search_rate_per_s, daily_limit=daily_limit)

    # --- the "HubSpot UI / other apps" side ----------------------------------------------------------

    def create_contact(self, properties: dict, *, at_ms: int | None = None) -> str:
        """Create a contact as the UI would (read-only rollups may be set too); returns its id."""
        with self.portal.lock:
            values = self._system_values(properties)
            return self.portal.create("contacts", values, at_ms or self.now_ms()).id

    def bulk_create_contacts(self, n: int, *, at_ms: int | None = None, properties: dict | None = None) -> list[str]:
        """Create n contacts stamped with the same millisecond, as an import does."""
        with self.portal.lock:
            stamp = at_ms or self.now_ms()
            base = self._system_values(properties or {})
            batch = next(self.portal._seq)
            ids = []
            for k in range(n):
                values = {"firstname": "Imported", "lastname": f"Candidate {k + 1}",
                          "email": f"import{batch}.{k + 1}@talent-import.example.org", **base}
                ids.append(self.portal.create("contacts", values, stamp, source="IMPORT").id)
            return ids

    def touch_contacts(self, ids, *, at_ms: int | None = None, properties: dict | None = None) -> None:
        """A bulk edit: every contact gets the same lastmodifieddate millisecond."""
        with self.portal.lock:
            stamp = at_ms or self.now_ms()
            values = self._system_values(properties or {})
            for contact_id in ids:
                rec = self._contact(contact_id)
                if not self.portal.apply(rec, values, stamp, "BULK_EDIT"):
                    self.portal.touch(rec, stamp)

    def merge_contacts(self, primary_id: str, merged_id: str) -> None:
        with self.portal.lock:
            self.portal.merge(self._contact(primary_id), self._contact(merged_id), self.now_ms())

    def archive_contact(self, contact_id: str) -> None:
        with self.portal.lock:
            self.portal.archive(self._contact(contact_id), self.now_ms())

    def add_email_event(self, **event) -> dict:
        """Add a marketing-email event (type, recipient, created ms, emailCampaignId/campaign_id, url, ...)."""
        with self.portal.lock:
            fields = dict(event)
            fields.setdefault("created", self.now_ms())
            if "emailCampaignId" in fields:
                fields["campaign_id"] = fields.pop("emailCampaignId")
            if "filteredEvent" in fields:
                fields["filtered"] = fields.pop("filteredEvent")
            built = self.portal.add_email_event(email_event(self.portal, **fields))
            for contact in contacts_with_email(self.portal, built["recipient"]):
                self.portal.refresh_rollups(contact, self.now_ms())
            return dict(built)

    def add_web_event(self, contact_id: str, *, url: str, occurred_at: datetime, title: str | None = None) -> dict:
        """Add a tracked page view for a contact and refresh its analytics rollups."""
        with self.portal.lock:
            rec = self.portal.resolve("contacts", str(contact_id)) or self._contact(contact_id)
            built = self.portal.add_web_event(rec.id, web_event(self.portal, ms=_ms(occurred_at), url=url,
                                                                title=title or ""))
            self.portal.refresh_rollups(rec, self.now_ms())
            return dict(built)

    def contact(self, contact_id: str) -> dict:
        """Current properties of a live or archived contact (wire strings)."""
        with self.portal.lock:
            rec = self.portal.records["contacts"].get(str(contact_id))
            if rec is None:
                raise KeyError(contact_id)
            return dict(rec.props)

    def contacts(self) -> list[dict]:
        with self.portal.lock:
            return [{"id": r.id, "properties": dict(r.props), "archived": False}
                    for r in sorted(self.portal.live("contacts"), key=lambda r: int(r.id))]

    def tasks(self) -> list[dict]:
        with self.portal.lock:
            return [{"id": t.id, "properties": dict(t.props), "contact_ids": sorted(t.assoc, key=int)}
                    for t in sorted(self.portal.live("tasks"), key=lambda r: int(r.id))]

    def property_names(self, object_type: str = "contacts") -> set[str]:
        with self.portal.lock:
            return set(self.portal.defs[object_type])

    def owners(self) -> list[dict]:
        with self.portal.lock:
            return [dict(o) for o in self.portal.owners.values()]

    def _system_values(self, properties: dict) -> dict[str, str]:
        try:
            return self.portal.validate_write("contacts", properties, system=True)
        except ApiError as exc:
            raise ValueError(exc.body["message"]) from None

    def _contact(self, contact_id: str):
        rec = self.portal.records["contacts"].get(str(contact_id))
        if rec is None:
            raise KeyError(contact_id)
        return rec

    # --- request handling --------------------------------------------------------------------------

    def _day(self) -> tuple[str, int]:
        """Today's key in the account's time zone and the next midnight (the daily limit resets then) [V]."""
        local = datetime.fromtimestamp(self.now_ms() / 1000, tz=UTC).astimezone(ZoneInfo(TIME_ZONE))
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)
        return local.date().isoformat(), _ms(midnight)

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
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
            call.require(*route.scopes)
            with self.portal.lock:
                status, payload = route.handler(call)
        except ApiError as exc:
            status, payload = exc.status, exc.body
        except Exception as exc:  # a sandbox bug answers 500, as HubSpot's own failures do
            status, payload = 500, error_body(f"internal error: {type(exc).__name__}", "INTERNAL_ERROR")
        return status, payload, headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S  # idle keep-alive connections are closed after this
    sandbox: HubSpotSandbox

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes; without TCP_NODELAY, Nagle plus delayed ACKs add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while (size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self) -> None:
        sandbox = self.sandbox
        parts = urlsplit(self.path)
        raw = self._read_body()
        body, bad_json = None, False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        query = parse_qs(parts.query, keep_blank_values=True)
        record = RecordedRequest(self.command, parts.path, _scrub(query, sandbox.token),
                                 _scrub(body, sandbox.token), 0, False)
        sandbox.requests.append(record)
        record.routed = sandbox._match(self.command, parts.path)[0] is not None
        fault = sandbox.faults.take(self.command, parts.path)
        if fault is not None and fault.kind == "timeout":
            sandbox._stopping.wait(fault.delay_s)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.kind == "slow":
            sandbox._stopping.wait(fault.delay_s)
        if fault is not None and fault.kind == "status":
            status, headers = fault.status, {}
            payload = rate_limited_body(fault.policy or "TEN_SECONDLY_ROLLING", PORTAL_ID) \
                if status == 429 else fault_body(status)
            if fault.retry_after is not None:
                headers["Retry-After"] = str(max(0, int(-(-fault.retry_after // 1))))  # whole seconds, rounded up
        else:
            status, payload, headers = sandbox.handle(self.command, parts.path, query, body,
                                                      self.headers.get("Authorization"), bad_json)
        record.status = status
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if isinstance(payload, dict) and payload.get("correlationId"):
            self.send_header("X-HubSpot-Correlation-Id", payload["correlationId"])
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def serve(host: str = "127.0.0.1", port: int = 8765, **kw) -> HubSpotSandbox:
    """Start a sandbox on host:port and return it (the CLI's `connector sandbox` blocks on it)."""
    return HubSpotSandbox(host=host, port=port, **kw).start()
