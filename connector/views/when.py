"""Times as an admin reads them: local datetimes, "12 min ago", durations; epoch ms from HubSpot made readable."""

from __future__ import annotations

from datetime import UTC, datetime

MINUTE_S, HOUR_S, DAY_S = 60, 3600, 86400
EPOCH_MS_MIN = 10**11        # a te_*_at value above this is epoch ms (1973 onwards), not a count or a score


def local(moment: datetime | None) -> str:
    """An aware (or naive UTC) datetime in the machine's local time zone."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """"just now", "12 min ago", "3 h ago", "2 d ago"; "in 5 min" for the future."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    span, suffix = abs(seconds), (" ago" if seconds >= 0 else "")
    prefix = "" if seconds >= 0 else "in "
    if span < MINUTE_S:
        return "just now" if seconds >= 0 else "in under a minute"
    if span < HOUR_S:
        text = f"{span / MINUTE_S:.0f} min"
    elif span < DAY_S:
        text = f"{span / HOUR_S:.0f} h"
    else:
        text = f"{span / DAY_S:.0f} d"
    return f"{prefix}{text}{suffix}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < MINUTE_S:
        return f"{seconds:.1f} s"
    if seconds < HOUR_S:
        return f"{int(seconds // MINUTE_S)} min {int(seconds % MINUTE_S)} s"
    return f"{int(seconds // HOUR_S)} h {int(seconds % HOUR_S // MINUTE_S)} min"


def property_value(name: str, value: str) -> str:
    """A te_*_at property (epoch ms as a string) as a local datetime; any other value unchanged."""
    if name.startswith("te_") and name.endswith("_at") and value.isdigit() and int(value) > EPOCH_MS_MIN:
        return local(from_ms(int(value)))
    return value
