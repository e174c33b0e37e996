"""What a HubSpot value must be before it is stored: text that any database can hold, plausible timestamps.

A lone surrogate (from a `\\udcff` JSON escape, or from raw non-UTF-8 bytes decoded with surrogateescape)
cannot be encoded to UTF-8, so SQLite and PostgreSQL refuse the whole batch; PostgreSQL also refuses NUL in
text. Such a record is quarantined by its caller (source, id, field) instead of stopping the portal.
"""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Before 2001 no HubSpot event exists; a `created` in seconds instead of ms lands in January 1970.
MIN_PLAUSIBLE_MS = 978_307_200_000          # 2001-01-01T00:00:00Z
MAX_PLAUSIBLE_MS = 4_102_444_800_000        # 2100-01-01T00:00:00Z


def text_problem(value) -> str | None:
    """Why `value` cannot be stored as text, or None when it can (None and non-strings are fine)."""
    if not isinstance(value, str):
        return None
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    what = "a NUL character" if char == "\x00" else f"an undecodable character ({char.encode('unicode_escape', 'backslashreplace').decode('ascii')})"
    return f"holds {what} at position {found.start()}"


def first_text_problem(values: dict) -> tuple[str, str] | None:
    """(field, problem) of the first field of `values` that cannot be stored."""
    for key, value in values.items():
        problem = text_problem(value)
        if problem:
            return str(key), problem
    return None


def timestamp_problem(ms: int) -> str | None:
    """Why an epoch-ms value cannot be a HubSpot event time (seconds sent as ms read as 1970), or None."""
    if ms < MIN_PLAUSIBLE_MS:
        return f"is implausible ({ms} ms is before 2001: seconds instead of milliseconds?)"
    if ms > MAX_PLAUSIBLE_MS:
        return f"is implausible ({ms} ms is after 2100)"
    return None


def safe_for_message(value, limit: int = 40) -> str:
    """A short ASCII rendering of a bad value for a quarantine message (never raw control characters)."""
    return ascii(str(value)[:limit])
