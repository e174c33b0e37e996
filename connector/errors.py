"""The ConnectorError tree: every failure the CLI turns into a one-line message and an exit code.

    ConnectorError                      root; the CLI catches only this
    ├── ConfigError                     missing/invalid setting; names the variable
    ├── SourceError(source, status)     anything from HubSpot or the ATS
    │   ├── RetryableError(retry_after) 429, 5xx, connection reset, timeout
    │   │   └── DailyLimitError         429 with policyName DAILY: stop the run, state kept
    │   └── FatalError                  other 4xx, malformed payload
    │       └── AuthError               401/403; says which scope or token is wrong
    ├── StateError                      cursor went backwards, unknown migration, lease held
    └── ScoringError                    invalid model file
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Root of every error the connector raises on purpose."""

    exit_code = 1


class ConfigError(ConnectorError):
    """A setting is missing or malformed; the message names the variable."""

    exit_code = 2


class SourceError(ConnectorError):
    """Anything that went wrong talking to HubSpot or the ATS."""

    def __init__(self, message: str, *, source: str = "hubspot", status: int | None = None,
                 body: object = None):
        super().__init__(message)
        self.source = source
        self.status = status
        self.body = body


class RetryableError(SourceError):
    """429, 5xx, connection reset or timeout: worth another try after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class DailyLimitError(RetryableError):
    """HubSpot's DAILY policy answered 429: stop cleanly until the account's limit resets."""

    exit_code = 75


class FatalError(SourceError):
    """A 4xx other than 429, or a payload we cannot read: retrying will not help."""


class AuthError(FatalError):
    """401 or 403: the token is wrong, revoked, or lacks a scope."""

    exit_code = 3


class StateError(ConnectorError):
    """The state database is inconsistent or busy (cursor went backwards, lease held)."""

    exit_code = 4


class ScoringError(ConnectorError):
    """The scoring model file is invalid; the message names the key."""

    exit_code = 2
