"""The scoring model file (TOML): parsing, strict validation with key paths in messages, the model version."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from connector.errors import ScoringError
from connector.scoring.records import (
    BANDS,
    COUNTER_KINDS,
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    RETURN_VISIT,
    STATE_KINDS,
)

DEFAULT_MODEL_FILE = "default_model.toml"
GROUPS = ("email", "web", "conversion", "return")
# Model files written for v1 have neither the return group nor the return_visit rule: they stay valid.
OPTIONAL_GROUPS = ("return",)
SCORE_MAX = 100.0
TOP_KEYS = ("version", "horizon_days", "floor", "repeat_factor", "total_cap",
            "bands", "groups", "triggers", "touchpoints")
TRIGGER_KEYS = ("task_band", "rearm_below", "cooldown_days")
RULE_KEYS = ("group", "points", "half_life_days", "max_per_day", "max_per_key_per_day", "max_per_key", "max_count")
DERIVED_RULE_KEYS = ("group", "points", "half_life_days")
_KIND_ORDER = (*POSITIVE_KINDS, RETURN_VISIT)


@dataclass(frozen=True)
class TouchpointRule:
    """How one touchpoint kind scores: group, points before decay, half-life and optional limits."""

    group: str
    points: float
    half_life_days: float
    max_per_day: int | None = None          # per UTC day, over all keys of the kind
    max_per_key_per_day: int | None = None  # per key per UTC day
    max_per_key: int | None = None          # per key within the horizon
    max_count: int | None = None            # of this kind within the horizon, after the limits above


@dataclass(frozen=True)
class TriggerRule:
    """When a recruiter task fires: band to reach, re-arm threshold, cooldown."""

    task_band: str = "fan"
    rearm_below: float = 60.0
    cooldown_days: float = 30.0


@dataclass(frozen=True)
class ScoringModel:
    """A validated scoring model; `version` is stamped on every score."""

    version: str
    horizon_days: float
    floor: float
    repeat_factor: float
    total_cap: float
    bands: tuple[float, ...]                # lower edges of BANDS[1:] (warm, engaged, fan)
    group_caps: Mapping[str, float]
    touchpoints: Mapping[str, TouchpointRule]
    triggers: TriggerRule = field(default_factory=TriggerRule)


MAX_MODEL_BYTES = 256 * 1024      # a model is a few KB of TOML


def load_model(path: str | Path | None = None) -> ScoringModel:
    """Read and validate a model file; None reads the packaged default model."""
    if path is None:
        source = DEFAULT_MODEL_FILE
        text = resources.files("connector.scoring").joinpath(DEFAULT_MODEL_FILE).read_text("utf-8")
    else:
        source = str(path)
        text = _read_model_text(Path(path), source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScoringError(f"scoring model {source}: not valid TOML: {exc}") from exc
    return parse_model(data, source)


def _read_model_text(path: Path, source: str) -> str:
    """The model file's text: a regular file (a FIFO would block forever, /dev/zero never ends), bounded, UTF-8."""
    import os
    import stat
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ScoringError(f"scoring model {source}: not a regular file")
            data = fh.read(MAX_MODEL_BYTES + 1)
    except OSError as exc:
        raise ScoringError(f"scoring model {source}: cannot read the file ({exc.strerror})") from None
    if len(data) > MAX_MODEL_BYTES:
        raise ScoringError(f"scoring model {source}: larger than {MAX_MODEL_BYTES // 1024} KB; not a model file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScoringError(f"scoring model {source}: not a text (UTF-8 TOML) file") from None


def parse_model(data: dict, source: str) -> ScoringModel:
    """Validate a parsed model document; every problem raises ScoringError naming the key path."""
    v = _Validator(source)
    v.known_keys(data, "", TOP_KEYS)
    bands = _parse_bands(v, v.table(data, "bands"))
    version = v.get(data, "version")
    if not isinstance(version, str) or not version.strip():
        v.fail("version", f"must be a non-empty string, got {version!r}")
    total_cap = v.number(data, "total_cap", low=0, high=SCORE_MAX, low_open=True)
    floor = v.number(data, "floor", low=0, high=bands[0], high_open=True)
    return ScoringModel(
        version=version.strip(),
        horizon_days=v.number(data, "horizon_days", low=0, low_open=True),
        floor=floor,
        repeat_factor=v.number(data, "repeat_factor", low=0, high=1),
        total_cap=total_cap,
        bands=bands,
        group_caps=(caps := _parse_groups(v, v.table(data, "groups"))),
        touchpoints=_parse_touchpoints(v, v.table(data, "touchpoints"), caps),
        triggers=_parse_triggers(v, v.table(data, "triggers"), bands),
    )


def _parse_bands(v: _Validator, table: dict) -> tuple[float, ...]:
    names = BANDS[1:]
    v.known_keys(table, "bands", names)
    edges = tuple(v.number(table, name, "bands", low=0, high=SCORE_MAX, low_open=True) for name in names)
    for lower, upper, name, lower_name in zip(edges, edges[1:], names[1:], names, strict=False):
        if upper <= lower:
            v.fail(f"bands.{name}", f"must be greater than bands.{lower_name} ({_show(lower)}), got {_show(upper)}")
    return edges


def _parse_groups(v: _Validator, table: dict) -> Mapping[str, float]:
    v.known_keys(table, "groups", GROUPS)
    caps = {g: v.number(table, g, "groups", low=0, high=SCORE_MAX, low_open=True) for g in GROUPS
            if g in table or g not in OPTIONAL_GROUPS}
    return MappingProxyType(caps)


def _parse_touchpoints(v: _Validator, table: dict, caps: Mapping[str, float]) -> Mapping[str, TouchpointRule]:
    for kind in table:
        if kind in NEGATIVE_KINDS:
            v.fail(f"touchpoints.{kind}", "is a negative signal: it floors the score and takes no points")
        if kind in STATE_KINDS:
            v.fail(f"touchpoints.{kind}", "is a state signal: it lifts an earlier floor and takes no points")
    v.known_keys(table, "touchpoints", (*POSITIVE_KINDS, RETURN_VISIT))
    kinds = [k for k in (*POSITIVE_KINDS, RETURN_VISIT) if k in table or k not in (*COUNTER_KINDS, RETURN_VISIT)]
    rules = {kind: _parse_rule(v, v.table(table, kind, "touchpoints"), f"touchpoints.{kind}", caps,
                               DERIVED_RULE_KEYS if kind == RETURN_VISIT else RULE_KEYS)
             for kind in kinds}
    for kind in COUNTER_KINDS:      # a model file from before v3: counter touchpoints are listed, worth nothing
        rules.setdefault(kind, TouchpointRule(group="web", points=0, half_life_days=14))
    return MappingProxyType(dict(sorted(rules.items(), key=lambda kv: _KIND_ORDER.index(kv[0]))))


def _parse_rule(v: _Validator, table: dict, path: str, caps: Mapping[str, float], keys: tuple[str, ...]) -> TouchpointRule:
    v.known_keys(table, path, keys)
    group = v.get(table, "group", path)
    if group not in GROUPS:
        v.fail(f"{path}.group", f"must be one of {', '.join(GROUPS)}, got {group!r}")
    if group not in caps:
        v.fail(f"{path}.group", f"is {group!r}, but groups.{group} is missing")
    if "max_per_day" in table and "max_per_key" in table:
        # Keeping the top N per key and per day at once can swap which touchpoint a day keeps when a new one
        # arrives, lowering the score; one of the two keeps the score monotone (see model.py).
        v.fail(f"{path}.max_per_key", "cannot be combined with max_per_day (the score would stop being monotone)")
    return TouchpointRule(
        group=group,
        points=v.number(table, "points", path, low=0, high=SCORE_MAX),
        half_life_days=v.number(table, "half_life_days", path, low=0, low_open=True),
        max_per_day=v.limit(table, "max_per_day", path),
        max_per_key_per_day=v.limit(table, "max_per_key_per_day", path),
        max_per_key=v.limit(table, "max_per_key", path),
        max_count=v.limit(table, "max_count", path),
    )


def _parse_triggers(v: _Validator, table: dict, bands: tuple[float, ...]) -> TriggerRule:
    v.known_keys(table, "triggers", TRIGGER_KEYS)
    task_band = v.get(table, "task_band", "triggers")
    if task_band not in BANDS[1:]:
        v.fail("triggers.task_band", f"must be one of {', '.join(BANDS[1:])}, got {task_band!r}")
    edge = bands[BANDS.index(task_band) - 1]
    return TriggerRule(
        task_band=task_band,
        rearm_below=v.number(table, "rearm_below", "triggers", low=0, high=edge, high_open=True),
        cooldown_days=v.number(table, "cooldown_days", "triggers", low=0),
    )


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


class _Validator:
    """Reads typed values out of the TOML tables; failures name the dotted key path."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, problem: str):
        raise ScoringError(f"scoring model {self.source}: {path} {problem}")

    def get(self, table: dict, key: str, prefix: str = ""):
        if key not in table:
            self.fail(_join(prefix, key), "is missing")
        return table[key]

    def table(self, table: dict, key: str, prefix: str = "") -> dict:
        value = self.get(table, key, prefix)
        if not isinstance(value, dict):
            self.fail(_join(prefix, key), f"must be a table, got {_show(value)}")
        return value

    def known_keys(self, table: dict, prefix: str, allowed: tuple[str, ...]):
        for key in table:
            if key not in allowed:
                self.fail(_join(prefix, key), f"is not a known key (expected one of: {', '.join(allowed)})")

    def number(self, table: dict, key: str, prefix: str = "", *, low: float | None = None,
               high: float | None = None, low_open: bool = False, high_open: bool = False) -> float:
        value = self.get(table, key, prefix)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok and low is not None:
            ok = value > low if low_open else value >= low
        if ok and high is not None:
            ok = value < high if high_open else value <= high
        if not ok:
            self.fail(_join(prefix, key), f"must be {_describe(low, high, low_open, high_open)}, got {_show(value)}")
        return float(value)

    def limit(self, table: dict, key: str, prefix: str) -> int | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(_join(prefix, key), f"must be a whole number of at least 1, got {_show(value)}")
        return value


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _describe(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low == 0 and low_open and high is None:
        return "a positive number"
    if low is not None and not low_open and high is None:
        return f"a number of at least {_show(low)}"
    if not low_open and not high_open and low is not None and high is not None:
        return f"a number from {_show(low)} to {_show(high)}"
    parts = []
    if low is not None:
        parts.append(f"above {_show(low)}" if low_open else f"at least {_show(low)}")
    if high is not None:
        parts.append(f"below {_show(high)}" if high_open else f"at most {_show(high)}")
    return "a number " + " and ".join(parts)
