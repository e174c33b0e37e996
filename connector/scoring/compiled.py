"""A scoring model compiled once into per-kind constants (seconds, limits, notes) for the hot scoring loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from connector.scoring.records import KIND_WORDS, LIFTS, NEGATIVE_KINDS, RETURN_VISIT

if TYPE_CHECKING:
    from connector.scoring.config import ScoringModel

SECONDS_PER_DAY = 86_400.0
CACHE_SIZE = 8
PRECOMPUTED_RANKS = 16


class Rule(NamedTuple):
    group: str
    points: float
    half_life_s: float
    per_day: int | None
    per_key_day: int | None
    per_key: int | None
    count: int | None
    day_note: str
    key_day_note: str
    key_note: str
    count_note: str


class Table(NamedTuple):
    rules: dict[str, Rule]               # stored kinds only
    return_rule: Rule | None             # the derived return visits, when the model has them
    horizon_s: float
    factor: float
    weights: tuple[float, ...]           # factor ** rank for the first ranks
    repeat_notes: tuple[str, ...]
    group_caps: dict[str, float]
    total_cap: float
    floor: float
    negative_notes: dict[str, str]       # per negative or state kind; "lifted:<kind>" for a lifted negative
    version: str


_compiled_cache: list[tuple[ScoringModel, Table]] = []


def compiled(model: ScoringModel) -> Table:
    """Per-model constants (seconds, notes) computed once; keyed on the model object itself."""
    for cached, table in _compiled_cache:
        if cached is model:
            return table
    table = _compile(model)
    _compiled_cache.insert(0, (model, table))
    del _compiled_cache[CACHE_SIZE:]
    return table


def _compile(model: ScoringModel) -> Table:
    rules = {}
    for kind, r in model.touchpoints.items():
        noun, key_noun = KIND_WORDS[kind]
        rules[kind] = Rule(
            r.group, r.points, r.half_life_days * SECONDS_PER_DAY, r.max_per_day, r.max_per_key_per_day,
            r.max_per_key, r.max_count,
            f"limit: {_count(r.max_per_day, noun)} per day",
            f"limit: {_count(r.max_per_key_per_day, noun)} per {key_noun} per day",
            f"limit: {_count(r.max_per_key, noun)} per {key_noun}",
            f"limit: the {_count(r.max_count, noun)} adding most",
        )
    notes = {kind: f"{KIND_WORDS[kind][0]}: score floored to {model.floor:g}, no tasks or reminders"
             for kind in NEGATIVE_KINDS}
    for lifter, lifted in LIFTS.items():
        notes[lifter] = f"{KIND_WORDS[lifter][0]}: lifts an earlier {' or '.join(KIND_WORDS[k][0] for k in lifted)}"
        notes.update({f"lifted:{k}": f"{KIND_WORDS[k][0]}: lifted by a later {KIND_WORDS[lifter][0]}" for k in lifted})
    ranks = range(PRECOMPUTED_RANKS)
    return_rule = rules.pop(RETURN_VISIT, None)
    return Table(
        rules=rules,
        return_rule=return_rule,
        horizon_s=model.horizon_days * SECONDS_PER_DAY,
        factor=model.repeat_factor,
        weights=tuple(model.repeat_factor**rank for rank in ranks),
        repeat_notes=tuple(f"repeat {rank + 1} that day" if rank else "" for rank in ranks),
        group_caps=dict(model.group_caps),
        total_cap=model.total_cap,
        floor=model.floor,
        negative_notes=notes,
        version=model.version,
    )


def _count(n: int | None, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
