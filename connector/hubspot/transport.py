"""Failures on the wire in words a user can act on: network failures below HTTP (refused, unknown host, TLS,
timeouts, malformed URLs) and HTTP error statuses with HubSpot's JSON body or an edge's HTML page.

The SDK and `requests` wrap urllib3's errors in MaxRetryError/ConnectionError and, for TLS, in an
ApiException(status=0) that the SDK then trips over itself (AttributeError on `e.body.decode`). Each is
reduced here to the host and the cause, and to whether trying again can help: a malformed URL or a failed
certificate check cannot succeed on retry.
"""

from __future__ import annotations

import json
import re

import requests
import urllib3

from connector.errors import AuthError, DailyLimitError, FatalError, RetryableError, SourceError

_SSL_DETAIL = re.compile(r"\[SSL[^\]]*\][^')\"]*")
_CAUSES = (  # (pattern in the error's text, cause, retryable)
    (re.compile(r"Connection refused|Errno 111", re.I), "connection refused", True),
    (re.compile(r"Name or service not known|NameResolution|nodename nor servname|getaddrinfo|"
                r"Temporary failure in name resolution", re.I), "host name not found (DNS)", True),
    (re.compile(r"Network is unreachable|No route to host", re.I), "network unreachable", True),
    (re.compile(r"timed out|Timeout", re.I), "timed out", True),
    (re.compile(r"reset by peer|RemoteDisconnected|Connection aborted|ProtocolError", re.I),
     "connection reset", True),
)
RETRYABLE_STATUSES = {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
# [U] Cloudflare, in front of api.hubapi.com, answers some 5xx (and over-long URLs) with an HTML page: the status
# says what happened, the page says nothing a user can act on, so it is named, never echoed.
HTML_NOTE = "an HTML error page, not HubSpot's JSON"
_MALFORMED = (urllib3.exceptions.LocationValueError, requests.exceptions.InvalidURL,
              requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)


class UndecodablePayloadError(FatalError):
    """The SDK could not decode a response's bytes as UTF-8; the caller can re-read it raw (client.get_json)."""


def _chain_text(exc: BaseException) -> str:
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append(f"{type(exc).__name__}: {exc}")
        exc = getattr(exc, "reason", None) if isinstance(getattr(exc, "reason", None), BaseException) else (
            exc.__cause__ or exc.__context__)
    return " | ".join(parts)


def tls_error(reason: str, host: str, what: str) -> FatalError:
    """A TLS failure (the SDK's ApiException(status=0, reason="SSLError...")): not worth retrying."""
    found = _SSL_DETAIL.search(reason or "")
    detail = found.group().strip() if found else "handshake failed"
    return FatalError(f"TLS to {host} failed on {what}: {detail} (behind a TLS-inspecting proxy? point "
                      "REQUESTS_CA_BUNDLE and SSL_CERT_FILE at its CA certificate)")


def transport_error(exc: BaseException, host: str, what: str) -> SourceError:
    """The ConnectorError for a network failure talking to `host`: names the host and the cause."""
    if isinstance(exc, _MALFORMED):
        return FatalError(f"HUBSPOT_BASE_URL is not a usable URL ({type(exc).__name__}) on {what}")
    text = _chain_text(exc)
    if "SSLError" in text or "CERTIFICATE" in text.upper():
        return tls_error(text, host, what)
    for pattern, cause, retryable in _CAUSES:
        if pattern.search(text):
            cls = RetryableError if retryable else FatalError
            return cls(f"cannot reach {host} on {what}: {cause}", status=None)
    return RetryableError(f"network error talking to {host} on {what}: {type(exc).__name__}", status=None)


def map_status(status: int | None, body: dict, headers, what: str, *, html: bool = False) -> SourceError:
    """The error for an HTTP status and HubSpot error body (`html`: the body was an edge's HTML page)."""
    message = str(body.get("message") or "").strip()
    if status == 401:
        return AuthError(f"HubSpot rejected the access token (401) on {what}: check HUBSPOT_ACCESS_TOKEN",
                         status=status, body=body)
    if status == 403:
        scopes = _required_scopes(body)
        hint = f"the private app lacks scope(s) {', '.join(scopes)}" if scopes else (message or "forbidden")
        return AuthError(f"HubSpot refused {what} (403): {hint}", status=status, body=body)
    if status == 429:
        policy = str(body.get("policyName") or "")
        retry_after = _retry_after(headers)
        if policy.upper() == "DAILY":
            return DailyLimitError(f"HubSpot's daily API limit is used up ({what}); the run stops and resumes after "
                                   "the portal's midnight reset", status=status, body=body, retry_after=retry_after)
        return RetryableError(f"HubSpot rate limit {policy or 'unknown policy'} on {what}", status=status, body=body,
                              retry_after=retry_after)
    note = f" ({HTML_NOTE})" if html else ""
    if status in RETRYABLE_STATUSES or (status is not None and status >= 500):
        return RetryableError(f"HubSpot answered {status} on {what}{note}", status=status, body=body,
                              retry_after=_retry_after(headers))
    if status == 414:
        return FatalError(f"HubSpot answered 414 on {what}: the request URL is too long{note}", status=status,
                          body=body)
    category = body.get("category") or ""
    detail = f"{category + ': ' if category else ''}{message or (HTML_NOTE if html else 'no message')}"
    return FatalError(f"HubSpot answered {status} on {what}: {detail}", status=status, body=body)


def is_html(headers, raw) -> bool:
    """Whether an error answer is an HTML page (by its Content-Type, or by its first character)."""
    kind = str((headers or {}).get("Content-Type") or "").lower()
    if isinstance(raw, bytes):
        raw = raw[:64].decode("utf-8", "replace")
    return "html" in kind or (isinstance(raw, str) and raw.lstrip().startswith("<"))


def parse_body(body) -> dict:
    """A HubSpot error body as a dict; {} for anything else (HTML, text, a JSON list, nothing)."""
    if isinstance(body, dict):
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body.strip():
        try:
            parsed = json.loads(body)
            return parsed if isinstance(parsed, dict) else {}
        except ValueError:
            return {}
    return {}


def _required_scopes(body: dict) -> list[str]:
    for err in body.get("errors") or []:
        scopes = ((err or {}).get("context") or {}).get("requiredScopes")
        if scopes:
            return [str(s) for s in scopes]
    return []


def _retry_after(headers) -> float | None:
    value = headers.get("Retry-After") if headers else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except (TypeError, ValueError):
        return None
