"""Benchmarks, run on demand with `python -m bench`: each bench_*.py module reports results against targets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchResult:
    """One measurement and its target; ratio < 1 means faster than the target."""

    name: str
    seconds: float
    target_seconds: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.target_seconds

    def line(self) -> str:
        return (f"{self.name}: {self.seconds:.2f} s (target {self.target_seconds:g} s): "
                f"ratio {self.ratio:.2f}")
