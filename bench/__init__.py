"""Benchmarks, run on demand with `python -m bench`: each bench_*.py module reports results against targets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchResult:
    """One measurement and its target; ratio < 1 means faster (or fewer) than the target."""

    name: str
    seconds: float                # the measured amount: seconds unless `unit` says otherwise
    target_seconds: float
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.seconds / self.target_seconds

    def line(self) -> str:
        return (f"{self.name}: {self.seconds:.2f} {self.unit} (target {self.target_seconds:g} {self.unit}): "
                f"ratio {self.ratio:.2f}")
