"""The HTTP/1.1 request handler: reads bodies, records requests, applies faults and writes JSON (or edge HTML)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from .hs_errors import HtmlBody, fault_body, html_page, rate_limited_body
from .hs_recording import RecordedRequest, scrub
from .hs_store import PORTAL_ID

if TYPE_CHECKING:
    from .hubspot import HubSpotSandbox

IDLE_TIMEOUT_S = 120


class RequestHandler(BaseHTTPRequestHandler):
    """Serves one connection for `sandbox` (HubSpotSandbox.start subclasses it with the sandbox set)."""

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
        record = RecordedRequest(self.command, parts.path, scrub(query, sandbox.token),
                                 scrub(body, sandbox.token), 0, False, time.monotonic())
        sandbox.requests.append(record)
        record.routed = sandbox._match(self.command, parts.path)[0] is not None
        limit = getattr(sandbox, "max_request_target", None)      # HubSpot's edge (ATS sandboxes have none)
        if limit is not None and len(self.path) > limit:
            record.status = 414     # refused before auth, routing or rate limits: an edge page, not a JSON error [U]
            self._answer(414, html_page(414), {})
            return
        fault = sandbox.faults.take(self.command, parts.path)
        plan = getattr(sandbox, "storm", None)      # only the HubSpot sandbox has a fault storm
        storm = plan.draw() if fault is None and plan is not None else None
        if storm is not None:
            self._storm(storm, record, parts, query, body, bad_json)
            return
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
            if fault.html:
                payload = html_page(status)
            elif hasattr(sandbox, "fault_payload"):     # an ATS sandbox answers in its own error shape
                payload = sandbox.fault_payload(status)
            else:
                payload = rate_limited_body(fault.policy or "TEN_SECONDLY_ROLLING", PORTAL_ID) \
                    if status == 429 else fault_body(status)
            if fault.retry_after is not None:
                headers["Retry-After"] = str(max(0, int(-(-fault.retry_after // 1))))  # whole seconds, rounded up
        else:
            extra = {"raw": raw} if getattr(sandbox, "wants_raw_body", False) else {}
            status, payload, headers = sandbox.handle(self.command, parts.path, query, body,
                                                      self.headers.get("Authorization"), bad_json, **extra)
        record.status = status
        if fault is not None and fault.kind == "hang_after":     # done on the server; the answer comes late
            sandbox._stopping.wait(fault.delay_s)
        self._answer(status, payload, headers)

    def _storm(self, kind, record, parts, query, body, bad_json) -> None:
        sandbox = self.sandbox
        if kind == "lost_answer":
            record.status, _payload, _headers = sandbox.handle(self.command, parts.path, query, body,
                                                               self.headers.get("Authorization"), bad_json)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "5xx":
            record.status = 503
            self._answer(503, html_page(503) if sandbox.storm.html_5xx_now() else fault_body(503), {})
            return
        record.status = 429      # without Retry-After; search 429s carry no rate-limit headers either [V]
        route = sandbox._match(self.command, parts.path)[0]
        if route is not None and route.search:
            self._answer(429, rate_limited_body("SECONDLY", PORTAL_ID), {})
            return
        limiter = sandbox.limiter
        headers = {"X-HubSpot-RateLimit-Max": str(limiter.rate_limit), "X-HubSpot-RateLimit-Remaining": "0",
                   "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(limiter.window_s * 1000))}
        self._answer(429, rate_limited_body("TEN_SECONDLY_ROLLING", PORTAL_ID), headers)

    def _answer(self, status, payload, headers) -> None:
        sandbox = self.sandbox
        html = isinstance(payload, HtmlBody)
        data = payload.encode() if html else json.dumps(payload).encode()
        for find, replacement in getattr(sandbox, "response_patches", ()):     # fault knob: bytes as a broken HubSpot sends them
            data = data.replace(find, replacement)
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if html else "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if isinstance(payload, dict) and payload.get("correlationId"):
            self.send_header("X-HubSpot-Correlation-Id", payload["correlationId"])
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(OSError):      # the client may be gone (killed, timed out)
            self.wfile.write(data)


def serve_in_thread(sandbox, host: str, port: int, name: str):
    """Bind `sandbox` behind this handler on host:port and serve it from a daemon thread: (server, thread)."""
    import threading
    from http.server import ThreadingHTTPServer
    handler = type(f"{name}Handler", (RequestHandler,), {"sandbox": sandbox})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{name}-sandbox",
                              daemon=True)
    thread.start()
    return server, thread
