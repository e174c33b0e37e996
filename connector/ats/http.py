"""The one HTTP client the ATS adapters share: requests, retries with Retry-After, error mapping, request count.

Every `requests` error and every non-2xx answer is translated here into the ConnectorError tree
(source = the ATS name); no message holds a token or an Authorization header.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from connector.errors import AuthError, FatalError, RetryableError, SourceError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
RETRY_AFTER_MAX_S = 120.0
USER_AGENT = "talent-engagement-connector"


@dataclass
class Answer:
    status: int
    body: object
    headers: dict[str, str]


def retry_after_seconds(headers) -> float | None:
    raw = (headers or {}).get("Retry-After")
    try:
        return min(RETRY_AFTER_MAX_S, max(0.0, float(raw))) if raw is not None else None
    except ValueError:
        return None


def map_answer(source: str, status: int, body: object, headers, what: str, credentials: str) -> SourceError:
    """The error for one non-2xx ATS answer; 401/403 name the settings holding the credentials."""
    message = ""
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error") or body.get("errors") or "")[:200]
    if status in (401, 403):
        return AuthError(f"{source} refused {what} ({status}): check {credentials}", source=source, status=status)
    if status == 429 or status >= 500:
        return RetryableError(f"{source} answered {status} on {what}", source=source, status=status,
                              retry_after=retry_after_seconds(headers))
    return FatalError(f"{source} answered {status} on {what}: {message or 'no message'}", source=source, status=status)


class AtsHttp:
    """GET/POST JSON with retries; `authorize()` supplies the Authorization header (renewed on one 401)."""

    def __init__(self, source: str, *, timeout_s: float, max_retries: int, credentials: str,
                 authorize: Callable[[bool], str], renewable: bool = False, sleep: Callable[[float], None] = time.sleep):
        self.source, self.credentials = source, credentials
        self.timeout = (CONNECT_TIMEOUT_S, timeout_s)
        self.max_retries = max_retries
        self._authorize = authorize
        self.renewable = renewable
        self._sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.requests = 0

    def get(self, what: str, url: str, params: dict | None = None) -> Answer:
        """GET a JSON endpoint; `params` None sends the URL exactly as given (Greenhouse's next links)."""
        return self._retrying(what, lambda renew: self._once(what, "GET", url, params, renew))

    def _once(self, what: str, method: str, url: str, params, renew: bool) -> Answer:
        headers = {"Authorization": self._authorize(renew), "Accept": "application/json"}
        self.requests += 1
        try:
            resp = self.session.request(method, url, params=params, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise RetryableError(f"{self.source} unreachable on {what} ({type(exc).__name__})",
                                 source=self.source) from None
        try:
            body = resp.json() if resp.content else None
        except ValueError:
            body = None
        if resp.status_code >= 400:
            raise map_answer(self.source, resp.status_code, body, resp.headers, what, self.credentials)
        if body is None:
            raise FatalError(f"{self.source} sent a body that is not JSON on {what}", source=self.source)
        return Answer(resp.status_code, body, dict(resp.headers))

    def _retrying(self, what: str, once: Callable[[bool], Answer]) -> Answer:
        attempt, renew, renewed = 0, False, False
        while True:
            try:
                return once(renew)
            except AuthError as exc:
                # An expired bearer token answers 401: renew it once and repeat the same request (same page).
                if renewed or exc.status != 401 or not self.renewable:
                    raise
                renew = renewed = True
            except RetryableError as exc:
                if attempt >= self.max_retries:
                    raise RetryableError(f"{exc} (gave up after {attempt + 1} attempts)", source=self.source,
                                         status=exc.status, retry_after=exc.retry_after) from None
                wait = exc.retry_after if exc.retry_after is not None else min(
                    BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** attempt) * (0.5 + random.random() / 2)
                log.warning("%s; retrying in %.1f s", exc, wait)
                self._sleep(wait)
                attempt, renew = attempt + 1, False
