"""Network failures below HTTP (refused, unknown host, TLS, timeouts, malformed URLs) in words a user can act on.

The SDK and `requests` wrap urllib3's errors in MaxRetryError/ConnectionError and, for TLS, in an
ApiException(status=0) that the SDK then trips over itself (AttributeError on `e.body.decode`). Each is
reduced here to the host and the cause, and to whether trying again can help: a malformed URL or a failed
certificate check cannot succeed on retry.
"""

from __future__ import annotations

import re

import requests
import urllib3

from connector.errors import FatalError, RetryableError, SourceError

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
