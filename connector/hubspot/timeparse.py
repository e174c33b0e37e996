"""HubSpot timestamps at the boundary: epoch-ms ints or strings, ISO-8601 with or without fraction, or "".

HubSpot writes datetimes with milliseconds ("2019-10-30T03:30:17.883Z") and, where the milliseconds are 0, often
without a fraction ("2019-10-30T03:30:17Z", Java's ISO_INSTANT form) [U which fields]; both parse here. The
conversion is integer arithmetic: `timestamp() * 1000` loses a millisecond on some values (float rounding).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


def to_ms(value) -> int | None:
    """Epoch milliseconds of a HubSpot timestamp; None for empty; ValueError for garbage."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _dt_ms(value)
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return _dt_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))


def _dt_ms(dt: datetime) -> int:
    """Exact epoch ms of a datetime (naive means UTC), truncating sub-millisecond digits."""
    return ((dt if dt.tzinfo else dt.replace(tzinfo=UTC)) - EPOCH) // ONE_MS


def ms_to_iso(ms: int) -> str:
    """ISO-8601 UTC with milliseconds, as HubSpot's v3 APIs write it."""
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def ms_to_dt(ms: int) -> datetime:
    return EPOCH + ms * ONE_MS


def dt_to_ms(dt: datetime) -> int:
    return to_ms(dt)
