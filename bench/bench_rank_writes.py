"""Rank write amplification: on a 20,000-contact portal, 1% of contacts change score; how many contacts does
the next push update? Target: at most 3% (the changed 1% plus band crossings), where writing every moved rank
rewrote about 40% (issue 6: 200 changed contacts caused 8,204 updates)."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import BenchResult
from connector import store
from connector.db import make_engine, migrate, session_scope
from connector.scores import desired_properties, push_diff
from connector.scoring.config import load_model
from connector.scoring.model import score_band

CONTACTS = 20_000
CHANGED_SHARE = 0.01
TARGET_SHARE = 0.03
INACTIVE_SHARE = 0.6            # most of a portal never touches the careers site
RANK_STEP = 5
SEED = 20251202
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _fill(engine, values: dict[str, float]) -> None:
    model, now_ms = load_model(), int(NOW.timestamp() * 1000)
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.executemany("insert into contact (id, email, modified_ms, archived, pulled_at) values (?, ?, ?, 0, ?)",
                    [(cid, f"{cid}@example.org", now_ms, NOW.isoformat()) for cid in values])
    cur.executemany("insert into score (contact_id, value, band, suppressed, reasons, model_version, computed_at, "
                    "touch_count) values (?, ?, ?, 0, '', ?, ?, 1)",
                    [(cid, v, score_band(v, model), model.version, NOW.isoformat()) for cid, v in values.items()])
    raw.commit()
    raw.close()


def _change(engine, changed: dict[str, float], at: datetime) -> None:
    model = load_model()
    raw = engine.raw_connection()
    raw.cursor().executemany("update score set value = ?, band = ?, computed_at = ? where contact_id = ?",
                             [(v, score_band(v, model), at.isoformat(), cid) for cid, v in changed.items()])
    raw.commit()
    raw.close()


def _updates(engine, at: datetime, step: float) -> int:
    with session_scope(engine) as session:
        desired = desired_properties(session, at)
        return len(push_diff(desired, store.pushed_values(session, desired), step))


def run() -> list[BenchResult]:
    rng = random.Random(SEED)
    values = {f"contact-{i}": (0.0 if rng.random() < INACTIVE_SHARE else rng.uniform(0.5, 100))
              for i in range(CONTACTS)}
    later = NOW + timedelta(hours=1)
    picked = rng.sample(sorted(values), int(CONTACTS * CHANGED_SHARE))
    changed = {cid: min(100.0, values[cid] + rng.uniform(3, 40)) for cid in picked}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        _fill(engine, values)
        with session_scope(engine) as session:
            store.save_pushed(session, desired_properties(session, NOW))
        _change(engine, changed, later)
        stepped, every = _updates(engine, later, RANK_STEP), _updates(engine, later, 0)
        engine.dispose()
    target = CONTACTS * TARGET_SHARE
    return [BenchResult(f"rank writes, {CONTACTS:,} contacts, {len(changed)} changed (writing every moved rank: "
                        f"{every:,})", stepped, target, unit="contacts updated")]
