"""Request recording: what the sandbox was sent (RecordedRequest), with the access token scrubbed out."""

from __future__ import annotations

from dataclasses import dataclass

REDACTED = "[REDACTED]"


@dataclass
class RecordedRequest:
    """A request as the sandbox saw it; never holds the Authorization header or the token."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: object | None
    status: int
    routed: bool
    at: float = 0.0          # time.monotonic() on arrival: lets tests check rolling-window rates


def scrub(value: object, token: str) -> object:
    """`value` with every string that holds the token replaced by REDACTED (through lists and dicts)."""
    if isinstance(value, str):
        return REDACTED if token and token in value else value
    if isinstance(value, list):
        return [scrub(v, token) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, token) for k, v in value.items()}
    return value
