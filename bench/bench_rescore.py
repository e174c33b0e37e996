"""Rescoring through the state DB: a full rescore of 100,000 contacts with 2,000,000 stored touchpoints,
then an incremental sync's rescore after 1,000 contacts got new touchpoints (SQLite, as a real run does)."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import BenchResult
from bench.bench_scoring import CONTACTS, NOW, TOUCHPOINTS, generate
from connector.db import make_engine, migrate, session_scope
from connector.scores import rescore
from connector.scoring.config import load_model

FULL_TARGET_S = 60.0
INCREMENTAL_CONTACTS = 1_000
INCREMENTAL_TARGET_S = 5.0


def _fill(engine) -> None:
    """Contacts and touchpoints written straight through the DB-API: building the fixture is not what we time."""
    data = generate()
    now_ms = int(NOW.timestamp() * 1000)
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.executemany("insert into contact (id, email, modified_ms, archived, pulled_at) values (?, ?, ?, 0, ?)",
                    [(cid, f"{cid}@example.org", now_ms, NOW.isoformat()) for cid in data])
    rows = ((tp.source_id, tp.kind, cid, int(tp.occurred_at.timestamp() * 1000), tp.key, tp.label)
            for cid, tps in data.items() for tp in tps)
    cur.executemany("insert into touchpoint (source, source_id, kind, contact_id, occurred_ms, key, label) "
                    "values ('bench', ?, ?, ?, ?, ?, ?)", rows)
    raw.commit()
    raw.close()


def _touch_some(engine) -> None:
    at = int((NOW + timedelta(hours=1)).timestamp() * 1000)
    raw = engine.raw_connection()
    raw.cursor().executemany(
        "insert into touchpoint (source, source_id, kind, contact_id, occurred_ms, key, label) "
        "values ('bench', ?, 'vacancy_view', ?, ?, 'vacancy-1', 'Vacancy 1')",
        [(f"new-{i}", f"contact-{i * 7}", at) for i in range(INCREMENTAL_CONTACTS)])
    raw.commit()
    raw.close()


def run() -> list[BenchResult]:
    model = load_model()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        _fill(engine)
        started = time.perf_counter()
        with session_scope(engine) as session:
            full = rescore(session, model, NOW)
        full_s = time.perf_counter() - started
        assert full == CONTACTS, full
        _touch_some(engine)
        started = time.perf_counter()
        with session_scope(engine) as session:
            incremental = rescore(session, model, NOW + timedelta(hours=1))
        incremental_s = time.perf_counter() - started
        assert incremental >= INCREMENTAL_CONTACTS, incremental
        engine.dispose()
    return [BenchResult(f"DB full rescore {CONTACTS // 1000}k/{TOUCHPOINTS // 1_000_000}M", full_s, FULL_TARGET_S),
            BenchResult(f"DB incremental rescore after {INCREMENTAL_CONTACTS} touched (rescored {incremental})",
                        incremental_s, INCREMENTAL_TARGET_S)]
