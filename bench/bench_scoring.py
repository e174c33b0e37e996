"""Scoring throughput: a full rescore of 100,000 contacts with 2,000,000 touchpoints through score_many."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from bench import BenchResult
from connector.scoring.config import load_model
from connector.scoring.model import Touchpoint, score_many

CONTACTS = 100_000
TOUCHPOINTS = 2_000_000
TARGET_SECONDS = 20.0
SEED = 20240601
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MEAN_AGE_DAYS = 60.0
MAX_AGE_DAYS = 400.0
# Rough mix of a careers site: many page and vacancy views and opens, few conversions, rare negatives.
KIND_WEIGHTS = {
    "page_view": 300, "vacancy_view": 250, "email_open": 200, "email_click": 120, "form_submission": 40,
    "apply_intent": 40, "application": 20, "event_attended": 10, "unsubscribe": 1, "hard_bounce": 1,
    "spam_report": 1,
}
KEY_POOLS = {
    "page_view": [f"/careers/{i}" for i in range(50)],
    "vacancy_view": [f"vacancy-{i}" for i in range(200)],
    "apply_intent": [f"vacancy-{i}" for i in range(200)],
    "application": [f"vacancy-{i}" for i in range(200)],
    "email_open": [f"mail-{i}" for i in range(100)],
    "email_click": [f"mail-{i}" for i in range(100)],
    "form_submission": [f"form-{i}" for i in range(5)],
    "event_attended": [f"event-{i}" for i in range(10)],
}


def generate(contacts: int = CONTACTS, touchpoints: int = TOUCHPOINTS, seed: int = SEED
             ) -> dict[str, list[Touchpoint]]:
    """Deterministic random touchpoints, spread unevenly over contacts and skewed to the recent past."""
    rng = random.Random(seed)
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=touchpoints)
    by_contact: dict[str, list[Touchpoint]] = {f"contact-{i}": [] for i in range(contacts)}
    names = list(by_contact)
    for n, kind in enumerate(kinds):
        age = timedelta(days=min(rng.expovariate(1 / MEAN_AGE_DAYS), MAX_AGE_DAYS))
        pool = KEY_POOLS.get(kind)
        key = rng.choice(pool) if pool else None
        contact = names[int(contacts * rng.random() ** 1.5)]  # some contacts far busier than others
        by_contact[contact].append(Touchpoint(kind, NOW - age, key, key, f"ev-{n}"))
    return by_contact


def run() -> list[BenchResult]:
    """Time one full rescore."""
    data = generate()
    model = load_model()
    started = time.perf_counter()
    scores = score_many(data, NOW, model)
    elapsed = time.perf_counter() - started
    assert len(scores) == CONTACTS
    return [BenchResult("full rescore 100k/2M", elapsed, TARGET_SECONDS)]
