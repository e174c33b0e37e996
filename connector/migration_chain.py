"""The chain of schema migrations the code knows, read from the revision files with a regex: neither alembic nor
SQLAlchemy is imported, so `status` can tell a current state DB from one that needs migrating in milliseconds."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from connector.errors import StateError

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|None)', re.MULTILINE)


def migration_heads() -> list[str]:
    """Every migration the code knows, oldest first (read from the revision files, without importing alembic)."""
    return list(_chain())


@cache
def _chain() -> tuple[str, ...]:
    parent: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {m.group(1): m.group(2) or m.group(3) for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if found.get("revision"):
            parent[found["revision"]] = found.get("down_revision")
    children = {down: rev for rev, down in parent.items()}
    chain, rev = [], children.get(None)
    while rev is not None:
        chain.append(rev)
        rev = children.get(rev)
    if len(chain) != len(parent):
        raise StateError("the migrations do not form one chain: " + ", ".join(sorted(set(parent) - set(chain))))
    return tuple(chain)
