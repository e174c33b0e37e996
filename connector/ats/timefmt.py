"""Timestamps at the ATS boundary: ISO-8601 (Z or offset, with or without fraction), dd-mm-yyyy[ HH:MM] and
epoch seconds, to UTC-aware datetimes. Dates without an offset are Europe/Amsterdam (Dutch exports)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
_DUTCH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_when(value) -> datetime | None:
    """A UTC-aware datetime, None for empty; ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=LOCAL_ZONE)).astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    if not text:
        return None
    if m := _DUTCH.match(text):
        day, month, year, hh, mm, ss = m.groups()
        local = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=LOCAL_ZONE)
        return local.astimezone(UTC)
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (dt if dt.tzinfo else dt.replace(tzinfo=LOCAL_ZONE)).astimezone(UTC)


def to_ms(dt: datetime | None) -> int | None:
    return int(dt.timestamp() * 1000) if dt else None


def iso_z(dt: datetime) -> str:
    """UTC ISO-8601 with Z, as the ATS filters take it."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
