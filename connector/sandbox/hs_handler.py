"""The HTTP/1.1 request handler: reads bodies, records requests, applies faults and writes JSON answers."""

from __future__ import annotations

import contextlib
import json
import socket
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from .hs_errors import fault_body, rate_limited_body
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
                                 scrub(body, sandbox.token), 0, False)
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
            if hasattr(sandbox, "fault_payload"):     # an ATS sandbox answers in its own error shape
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
            if fault is not None and fault.kind == "late":   # HubSpot did the work; the answer is slow to come
                sandbox._stopping.wait(fault.delay_s)
        record.status = status
        data = json.dumps(payload).encode()
        for find, replacement in getattr(sandbox, "response_patches", ()):     # fault knob: bytes as a broken HubSpot sends them
            data = data.replace(find, replacement)
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if isinstance(payload, dict) and payload.get("correlationId"):
            self.send_header("X-HubSpot-Correlation-Id", payload["correlationId"])
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
