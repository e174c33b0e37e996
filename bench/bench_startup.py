"""Start-up time of `connector --help`, `--version` and `status` (a migrated, empty state DB), as fresh processes.

The median of several runs each, against the 0.5 s target of issue 11; `python -X importtime -m connector ...`
shows where the time goes when a result is over.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench import BenchResult

TARGET_SECONDS = 0.5
RUNS = 7
COMMANDS = (["--help"], ["--version"], ["status"])


def _seconds(args: list[str], env: dict, cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "connector", *args], env=env, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory(prefix="connector-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "DATABASE_"))}
        env.update(HUBSPOT_ACCESS_TOKEN="bench-token", DATABASE_URL=f"sqlite:///{tmp}/state.db")
        _seconds(["status"], env, tmp)            # creates and migrates the state DB once
        results = []
        for args in COMMANDS:
            median = statistics.median(_seconds(args, env, tmp) for _ in range(RUNS))
            results.append(BenchResult(f"start-up: connector {' '.join(args)}", median, TARGET_SECONDS))
        return results
