"""Start-up stays light: `--help` and `--version` load neither SQLAlchemy, alembic nor rich (timings: bench/bench_startup.py)."""

import ast
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "rich", "hubspot", "pygal")
PROBE = """
import sys
from connector.cli import main
sys.argv = ["connector", *{args!r}]
try:
    main()
except SystemExit:
    pass
print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def _loaded(args: list[str], cwd, env=None) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True,
                            text=True, cwd=cwd, env=env, timeout=60)
    return ast.literal_eval(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["pool", "--help"], ["nope"]])
def test_help_and_version_load_no_heavy_library(args, tmp_path):
    assert _loaded(args, tmp_path) == []


def test_status_on_a_current_state_db_does_not_load_alembic(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HUBSPOT_ACCESS_TOKEN": "t", "DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    assert "alembic" in _loaded(["status"], tmp_path, env)       # a blank DB is migrated
    assert "alembic" not in _loaded(["status"], tmp_path, env)   # a current one is only checked


def test_status_on_a_current_sqlite_state_reads_it_without_sqlalchemy(tmp_path):
    """SQLAlchemy and SQLModel alone cost more than status's 0.5 s start-up budget: a current file is read by sqlite3."""
    env = {"PATH": "/usr/bin:/bin", "HUBSPOT_ACCESS_TOKEN": "t", "DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    assert "sqlalchemy" in _loaded(["status"], tmp_path, env)    # a blank DB goes through the engine (migrations)
    loaded = _loaded(["status", "--json"], tmp_path, env)
    assert "sqlalchemy" not in loaded and "sqlmodel" not in loaded
