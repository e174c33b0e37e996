"""Run every bench_*.py module in this package and print each result as a ratio to its target.

Each module exposes `run() -> list[BenchResult]`. Exit status 1 when any result misses its target.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench

MODULE_PREFIX = "bench_"


def main() -> int:
    """Run the benchmarks; non-zero exit when one is over target."""
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith(MODULE_PREFIX))
    over = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for result in module.run():
            print(result.line(), flush=True)
            over += result.ratio > 1
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
