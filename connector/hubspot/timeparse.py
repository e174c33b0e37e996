"""HubSpot timestamps at the boundary: epoch-ms ints or strings, ISO-8601 with or without fraction, or ""."""

from __future__ import annotations

from datetime import UTC, datetime


def to_ms(value) -> int | None:
    """Epoch milliseconds of a HubSpot timestamp; None for empty; ValueError for garbage."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(dt.timestamp() * 1000)
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def ms_to_iso(ms: int) -> str:
    """ISO-8601 UTC with milliseconds, as HubSpot's v3 APIs write it."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def ms_to_dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def dt_to_ms(dt: datetime) -> int:
    return to_ms(dt)
