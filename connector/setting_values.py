"""Parsers of setting values: each turns the raw text of one variable into a value or raises ValueError saying why."""

from __future__ import annotations

import math
import re
import tomllib
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit


def _text(raw: str) -> str:
    return raw.strip()


def _number(cast: type, *, zero_ok: bool, words: str, maximum: float | None = None) -> Callable[[str], object]:
    def parse(raw: str):
        try:
            value = cast(raw.strip())
        except (ValueError, OverflowError):
            raise ValueError(f"must be {words}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):   # inf and nan are no numbers here
            raise ValueError(f"must be {words}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum:g}")
        return value
    return parse


_positive_int = _number(int, zero_ok=False, words="a positive whole number")
_non_negative_int = _number(int, zero_ok=True, words="zero or a positive whole number")
_positive_float = _number(float, zero_ok=False, words="a positive number")
MAX_TIMEOUT_S = 600                 # a read timeout beyond 10 minutes only hides a dead connection
MAX_INTERVAL_MINUTES = 7 * 24 * 60  # the scheduler cannot represent arbitrarily distant runs
MAX_WAIT_BUDGET_S = 24 * 3600
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _token(raw: str) -> str:
    value = raw.strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):   # never echoed: it is the secret
        raise ValueError("contains whitespace or control characters (a pasted line break?); copy the token again")
    return value


def _iso_instant(raw: str) -> str:
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO-8601 instant like 2026-01-31T12:00:00Z") from None
    if moment.tzinfo is None:
        raise ValueError("needs a time zone (end it with Z for UTC)")
    return raw.strip()


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in TRUE_WORDS + FALSE_WORDS:
        raise ValueError(f"must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}")
    return value in TRUE_WORDS


def _url(raw: str) -> str:
    raw = raw.strip().rstrip("/")
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if not parts.hostname or any(c.isspace() for c in raw):
        raise ValueError("is not a valid URL (no host name)")
    return raw


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value
    return parse


def _regex(raw: str) -> str:
    try:
        compiled = re.compile(raw)
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from None
    if "vacancy" not in compiled.groupindex:
        raise ValueError("needs a named group (?P<vacancy>...)")
    return raw


def _guids(raw: str) -> tuple[str, ...]:
    """Comma-separated form guids (HubSpot form ids are UUIDs), lower-cased, in the order given."""
    out = []
    for part in (p.strip().lower() for p in raw.split(",")):
        if not part:
            continue
        try:
            uuid.UUID(part)
        except ValueError:
            raise ValueError(f"must be comma-separated form guids like 1ca043b0-6032-5352-b34f-2d4913db3d4f, "
                             f"not {part[:60]!r}") from None
        if part not in out:
            out.append(part)
    return tuple(out)


def load_toml_file(setting: str, path: str) -> dict:
    """The TOML file a setting names (an admin's override or mapping file); a bad one names the setting."""
    from connector.errors import ConfigError
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{setting}={path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{setting}={path} is not valid TOML ({exc})") from None


def load_recruiter_map(path: str | None) -> dict[str, str]:
    """Admin overrides: recruiter (email, lower-cased) → HubSpot owner id, from `[recruiters]` in a TOML file."""
    if not path:
        return {}
    from connector.errors import ConfigError
    data = load_toml_file("ATS_RECRUITER_MAP_PATH", path)
    table = data.get("recruiters", {})
    if not isinstance(table, dict) or not all(isinstance(v, str | int) for v in table.values()):
        raise ConfigError(f"ATS_RECRUITER_MAP_PATH={path}: [recruiters] must map \"email\" = \"owner id\"")
    return {k.strip().lower(): str(v) for k, v in table.items()}
