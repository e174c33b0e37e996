"""Every SDK, urllib3 and requests error maps into the ConnectorError tree at one boundary."""

import importlib
import os

import hubspot
import pytest
import requests
import urllib3

from connector.errors import AuthError, DailyLimitError, FatalError, RetryableError
from connector.hubspot.client import is_sdk_api_exception, map_api_exception, map_status, map_transport_error


def _all_sdk_api_exceptions():
    base = os.path.dirname(hubspot.__file__)
    found = []
    for root, _dirs, files in os.walk(base):
        if "exceptions.py" in files:
            module = importlib.import_module("hubspot" + root[len(base):].replace(os.sep, ".") + ".exceptions")
            for name in dir(module):
                cls = getattr(module, name)
                if isinstance(cls, type) and issubclass(cls, Exception) and "ApiException" in [
                        c.__name__ for c in cls.__mro__]:
                    found.append(cls)
    return found


def test_every_sdk_api_exception_class_is_recognised():
    classes = _all_sdk_api_exceptions()
    assert len(classes) > 60
    for cls in classes:
        exc = cls(status=500, reason="x")
        assert is_sdk_api_exception(exc), cls
        assert isinstance(map_api_exception(exc, "probe"), RetryableError)


@pytest.mark.parametrize("status,expected", [
    (400, FatalError), (401, AuthError), (403, AuthError), (404, FatalError), (409, FatalError),
    (414, FatalError), (429, RetryableError), (500, RetryableError), (502, RetryableError),
    (503, RetryableError), (504, RetryableError), (530, RetryableError),
])
def test_every_status_maps(status, expected):
    err = map_status(status, {}, {}, "call")
    assert type(err) is expected
    assert err.status == status


def test_daily_429_is_its_own_error():
    err = map_status(429, {"policyName": "DAILY", "errorType": "RATE_LIMIT"}, {}, "call")
    assert isinstance(err, DailyLimitError)


def test_retry_after_header_is_read():
    err = map_status(429, {"policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": "3"}, "call")
    assert err.retry_after == 3.0


def test_401_names_the_token_setting():
    assert "HUBSPOT_ACCESS_TOKEN" in str(map_status(401, {}, {}, "contact search"))


def test_403_names_missing_scopes():
    body = {"category": "MISSING_SCOPES", "errors": [{"context": {"requiredScopes": ["content"]}}]}
    assert "content" in str(map_status(403, body, {}, "email events"))


@pytest.mark.parametrize("exc", [
    urllib3.exceptions.ReadTimeoutError(None, "/x", "timed out"),
    urllib3.exceptions.ProtocolError("reset"),
    urllib3.exceptions.NewConnectionError(None, "refused"),
    requests.ConnectionError("reset"),
    requests.Timeout("slow"),
])
def test_transport_errors_are_retryable(exc):
    assert isinstance(map_transport_error(exc, "call"), RetryableError)


@pytest.mark.parametrize("exc", [urllib3.exceptions.LocationParseError("https://[::1"), requests.exceptions.InvalidURL("x"),
                                 requests.exceptions.MissingSchema("x")])
def test_malformed_url_errors_are_not_retried(exc):
    assert isinstance(map_transport_error(exc, "call"), FatalError)
