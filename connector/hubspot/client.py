"""The only module that imports the SDK: host, token, retries, rate limiting and error mapping.

Every SDK `ApiException` (one class per sub-package), every `urllib3` and `requests` error is
translated here into the ConnectorError tree; retry and backoff live here and nowhere else.
"""

from __future__ import annotations

import copy
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import urllib3
from hubspot import HubSpot

from connector import stopping
from connector.config import Settings
from connector.errors import (
    AuthError,
    ConnectorError,
    DailyLimitError,
    FatalError,
    RetryableError,
    SourceError,
)
from connector.hubspot.ratelimit import RollingLimiter, acquire_both
from connector.hubspot.transport import (  # noqa: F401 - map_status is part of this module's interface
    HTML_NOTE,
    UndecodablePayloadError,
    is_html,
    map_status,
    parse_body,
    tls_error,
    transport_error,
)

log = logging.getLogger(__name__)

GENERAL_WINDOW_S = 10.0
SEARCH_WINDOW_S = 1.0
CONNECT_TIMEOUT_S = 5.0
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
SEARCH_429_WAIT_S = 1.0            # search 429s carry no Retry-After (reference hubspot-api.md §1.1, [V] Airbyte comment)
USER_AGENT = "talent-engagement-connector"
TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"


@dataclass
class CallStats:
    calls: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    daily_remaining: int | None = None
    daily_limit: int | None = None


def map_api_exception(exc: Exception, what: str) -> SourceError:
    """Translate an SDK ApiException (any sub-package) into the ConnectorError tree, keyed on `.status`."""
    status = getattr(exc, "status", None) or None
    headers = getattr(exc, "headers", None) or {}
    raw = getattr(exc, "body", None)
    return map_status(status, parse_body(raw), headers, what, html=is_html(headers, raw))


def is_sdk_api_exception(exc: BaseException) -> bool:
    """True for any sub-package's ApiException (or its NotFound/Unauthorized/... subclasses)."""
    return any(c.__name__ == "ApiException" and c.__module__.startswith("hubspot.") for c in type(exc).__mro__)


def map_transport_error(exc: Exception, what: str, host: str = "HubSpot") -> SourceError:
    """Connection resets, timeouts and DNS failures are retryable, malformed URLs and TLS failures are not;
    the host and cause are named, nothing of the request is echoed (see transport.py)."""
    return transport_error(exc, host, what)


class HubSpotClient:
    """The SDK pointed at HUBSPOT_BASE_URL, with one retry loop, two rate budgets and error mapping."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = stopping.sleep,
                 clock: Callable[[], float] = time.monotonic):
        token = settings.require_token()
        self.base_url = settings.hubspot_base_url
        self.host = urlsplit(self.base_url).hostname or self.base_url
        self.max_retries = settings.hubspot_max_retries
        self.wait_budget_s = settings.hubspot_rate_limit_wait_budget_seconds
        self.waited_429_s = 0.0
        self._halted: ConnectorError | None = None    # 401, DAILY 429, lost lease: no later call is sent
        self.timeout = (CONNECT_TIMEOUT_S, settings.hubspot_timeout_seconds)
        self._sleep = sleep
        self._token = token
        # retry=False: no hidden urllib3 retries; ours below also cover POST/PATCH (SDK issue #117).
        self.sdk = HubSpot(access_token=token, host=self.base_url, base_url=self.base_url, retry=False)
        self._http = requests.Session()
        self._http.headers.update({"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT})
        self.general = RollingLimiter(settings.rate_limit_per_10s, GENERAL_WINDOW_S, clock=clock, sleep=sleep)
        self.search = RollingLimiter(settings.hubspot_search_rate_per_s, SEARCH_WINDOW_S, clock=clock, sleep=sleep)
        self.stats = CallStats()
        self._stats_lock = threading.Lock()
        self._apis: dict[str, object] = {}

    def halt(self, error) -> None:
        """Refuse every later call of this client with `error` (a lost lease, a revoked token, the daily limit)."""
        self._halted = self._halted or error

    def api(self, dotted: str):
        """A cached SDK API object, e.g. api("crm.contacts.search_api"); the SDK builds a new pool per access."""
        if dotted not in self._apis:
            obj = self.sdk
            for part in dotted.split("."):
                obj = getattr(obj, part)
            self._apis[dotted] = obj
        return self._apis[dotted]

    def call(self, what: str, method: Callable, *args, search: bool = False, **kwargs):
        """Run an SDK `*_with_http_info` method with limits and retries; return its deserialized data."""
        kwargs.setdefault("_request_timeout", self.timeout)
        data, _status, _headers = self._retrying(what, search, lambda: self._sdk_once(what, method, args, kwargs, search))
        return data

    def get_json(self, what: str, path: str, params: dict | None = None) -> dict:
        """GET an endpoint the SDK does not cover (e.g. /email/public/v1/events) with `requests`."""
        return self._retrying(what, False, lambda: self._http_once(what, "GET", path, params, None))

    def post_json(self, what: str, path: str, body: dict, *, search: bool = False) -> dict:
        """POST to an endpoint the SDK does not cover (or re-read raw); the body is never logged."""
        return self._retrying(what, search, lambda: self._http_once(what, "POST", path, None, body, search))

    def token_scopes(self) -> list[str]:
        """Scopes granted to the private app token (HubSpot's access-token-info endpoint)."""
        info = self.post_json("token info", TOKEN_INFO_PATH, {"tokenKey": self._token})
        return sorted(str(s) for s in info.get("scopes") or [])

    def _sdk_once(self, what, method, args, kwargs, search):
        # a search spends both budgets: its own per-second one and the account's burst window [U]
        acquire_both(self.general, self.search if search else None)
        self._count()
        try:
            data, status, headers = method(*args, **kwargs)
        except (urllib3.exceptions.HTTPError, urllib3.exceptions.LocationValueError) as exc:
            raise map_transport_error(exc, what, self.host) from None
        except AttributeError as exc:   # the SDK fails on its own ApiException(status=0) for TLS errors
            if is_sdk_api_exception(exc.__context__) and not getattr(exc.__context__, "status", None):
                raise tls_error(str(getattr(exc.__context__, "reason", "")), self.host, what) from None
            raise
        except UnicodeDecodeError:
            raise UndecodablePayloadError(f"HubSpot sent bytes that are not UTF-8 on {what}") from None
        except ValueError as exc:   # SDK client-side validation of a malformed payload
            raise FatalError(f"HubSpot sent a payload the SDK cannot read on {what}: {exc}") from None
        except Exception as exc:
            if is_sdk_api_exception(exc):
                self._observe(exc.status, getattr(exc, "headers", None), search)
                raise map_api_exception(exc, what) from None
            raise
        self._observe(status, headers, search)
        if is_html(headers, None):    # the SDK reads an HTML 200 as an empty page: that would look like "no data"
            raise FatalError(f"HubSpot answered {status} on {what} with {HTML_NOTE}")
        return data, status, headers

    def _http_once(self, what, method, path, params, body, search=False):
        acquire_both(self.general, self.search if search else None)
        self._count()
        try:
            resp = self._http.request(method, self.base_url + path, params=params, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise map_transport_error(exc, what, self.host) from None
        self._observe(resp.status_code, resp.headers, search)
        if resp.status_code >= 400:
            raise map_status(resp.status_code, parse_body(resp.content), resp.headers, what,
                             html=is_html(resp.headers, resp.content))
        try:
            # surrogateescape: a record's raw non-UTF-8 bytes become lone surrogates that the record checks
            # quarantine (hubspot/sanitize.py), instead of one byte failing the whole page.
            return json.loads(resp.content.decode("utf-8", "surrogateescape"))
        except ValueError:
            kind = HTML_NOTE if is_html(resp.headers, resp.content) else "a body that is not JSON"
            raise FatalError(f"HubSpot answered {resp.status_code} on {what} with {kind}") from None

    def _count(self) -> None:
        with self._stats_lock:
            self.stats.calls += 1

    def _observe(self, status, headers, search):
        with self._stats_lock:
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
        if headers:
            (self.search if search else self.general).observe(headers)
            for name, attr in (("Daily-Remaining", "daily_remaining"), ("Daily", "daily_limit")):
                value = headers.get(f"X-HubSpot-RateLimit-{name}")
                if value is not None and str(value).isdigit():
                    setattr(self.stats, attr, int(value))

    def _retrying(self, what, search, once):
        """5xx/timeouts: HUBSPOT_MAX_RETRIES tries; 429s: waited out within the run's wait budget;
        a 401 or DAILY 429 halts every later call (batches in flight too), as HubSpot asks."""
        attempt = 0
        while True:
            stopping.check()
            if self._halted is not None:
                raise copy.copy(self._halted)
            try:
                return once()
            except (DailyLimitError, AuthError) as exc:
                if isinstance(exc, DailyLimitError) or exc.status == 401:
                    self._halted = self._halted or exc
                raise
            except RetryableError as exc:
                wait = self._backoff(exc, attempt, search)
                if exc.status == 429:
                    with self._stats_lock:
                        over = self.waited_429_s + wait > self.wait_budget_s
                        self.waited_429_s += 0 if over else wait
                    if over:
                        raise RetryableError(f"{exc}: still rate limited after waiting {self.waited_429_s:.0f} s "
                                             "(HUBSPOT_RATE_LIMIT_WAIT_BUDGET_SECONDS)", status=429, body=exc.body,
                                             retry_after=exc.retry_after) from None
                elif attempt >= self.max_retries:
                    raise RetryableError(f"{exc} (gave up after {attempt + 1} attempts)", status=exc.status,
                                         body=exc.body, retry_after=exc.retry_after) from None
                else:
                    attempt += 1
                log.warning("%s; retrying in %.1f s", exc, wait)
                (self.search if search else self.general).pause(wait)
                with self._stats_lock:
                    self.stats.retries += 1

    def _backoff(self, exc: RetryableError, attempt: int, search: bool) -> float:
        if exc.retry_after is not None:
            return exc.retry_after
        if exc.status == 429:
            policy = str((exc.body or {}).get("policyName") or "") if isinstance(exc.body, dict) else ""
            if search and policy.upper() in ("", "SECONDLY"):
                return SEARCH_429_WAIT_S
            # the rolling window must roll (sooner only burns retries): as long as HubSpot says it is
            return self.general.server_window_s or GENERAL_WINDOW_S
        return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** attempt) * (0.5 + random.random() / 2)
