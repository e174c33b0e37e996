"""What `connector report` shows, read from the state DB: bands over the weeks, scores, fans, tasks, flags, ATS outcomes."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from connector.lookup import PoolEntry, ranked_pool
from connector.models import AbandonedFlag, ScoreHistory, TaskOutbox
from connector.scoring.model import BANDS
from connector.state.owners import owner_names

REPORT_WEEKS = 8
FANS_PER_OWNER = 5
SCORE_BUCKET = 10
TASK_STATUSES = ("created", "pending", "skipped", "failed")
NO_OWNER = "(no owner)"


@dataclass
class ReportData:
    generated_at: datetime
    weeks: list[date]                                        # the last day of each week shown
    bands_by_week: dict[str, list[int]]                      # band -> contacts in it at the end of each week
    score_buckets: list[tuple[str, int]]                     # ("0-9", n), ... current scores
    fans_by_owner: dict[str, list[PoolEntry]]                # owner name (or id) -> top fans
    task_status: dict[str, int]                              # outbox status -> tasks
    tasks_by_week: list[int]                                 # tasks created (reached HubSpot) per week
    flags_set_by_week: list[int]
    flags_cleared_by_week: list[int]
    flags_open: int
    clear_reasons: dict[str, int] = field(default_factory=dict)
    ats_by_band: dict[str, tuple[int, int, int]] | None = None   # band -> (fans, applied, hired); None: no ATS data


def band_of(value: float, edges: tuple[float, ...]) -> str:
    """The band of a score, given the lower edges of warm, engaged and fan."""
    return BANDS[bisect.bisect_right(edges, value)]


def load_report(session: Session, now: datetime, edges: tuple[float, ...], weeks: int = REPORT_WEEKS) -> ReportData:
    """Everything the report page shows, as of `now`; reads only."""
    today = now.date()
    ends = [today - timedelta(days=7 * i) for i in reversed(range(weeks))]
    pool = ranked_pool(session, now, top=None, owner_names=owner_names(session))
    set_w, cleared_w, open_flags, reasons = _flags(session, ends)
    return ReportData(
        generated_at=now, weeks=ends, bands_by_week=_bands_by_week(session, ends, edges),
        score_buckets=_buckets([e.score for e in pool]), fans_by_owner=_fans_by_owner(pool),
        task_status=_task_status(session), tasks_by_week=_per_week(_created_days(session), ends),
        flags_set_by_week=set_w, flags_cleared_by_week=cleared_w, flags_open=open_flags, clear_reasons=reasons,
        ats_by_band=ats_outcomes_by_band(session, pool))


def _bands_by_week(session: Session, ends: list[date], edges: tuple[float, ...]) -> dict[str, list[int]]:
    """Per week end, each contact's latest recorded score on or before it (history rows are the days it changed)."""
    out = {band: [0] * len(ends) for band in BANDS}
    latest: dict[str, float] = {}
    rows = session.exec(select(ScoreHistory.contact_id, ScoreHistory.day, ScoreHistory.value)
                        .where(ScoreHistory.day <= ends[-1]).order_by(ScoreHistory.day))
    i = 0
    for cid, day, value in rows:
        while day > ends[i]:
            _count(latest, out, i, edges)
            i += 1
        latest[cid] = value
    for j in range(i, len(ends)):
        _count(latest, out, j, edges)
    return out


def _count(latest: dict[str, float], out: dict[str, list[int]], week: int, edges: tuple[float, ...]) -> None:
    for value in latest.values():
        out[band_of(value, edges)][week] += 1


def _buckets(scores: list[int]) -> list[tuple[str, int]]:
    counts = Counter(min(s // SCORE_BUCKET, 100 // SCORE_BUCKET - 1) for s in scores)
    return [(f"{b * SCORE_BUCKET}-{b * SCORE_BUCKET + SCORE_BUCKET - 1 if b < 9 else 100}", counts.get(b, 0))
            for b in range(100 // SCORE_BUCKET)]


def _fans_by_owner(pool: list[PoolEntry]) -> dict[str, list[PoolEntry]]:
    out: dict[str, list[PoolEntry]] = {}
    for entry in pool:
        if entry.band == "fan":
            fans = out.setdefault(entry.owner_name or entry.owner_id or NO_OWNER, [])
            if len(fans) < FANS_PER_OWNER:
                fans.append(entry)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == NO_OWNER, kv[0].lower())))


def _task_status(session: Session) -> dict[str, int]:
    counts = dict(session.exec(select(TaskOutbox.status, sa.func.count()).group_by(TaskOutbox.status)).all())
    return {status: counts.get(status, 0) for status in (*TASK_STATUSES, *sorted(set(counts) - set(TASK_STATUSES)))}


def _created_days(session: Session) -> list[date]:
    return [_day(at) for at in session.exec(select(TaskOutbox.updated_at).where(TaskOutbox.status == "created"))]


def _flags(session: Session, ends: list[date]) -> tuple[list[int], list[int], int, dict[str, int]]:
    flags = session.exec(select(AbandonedFlag.flagged_at, AbandonedFlag.cleared_at, AbandonedFlag.clear_reason)).all()
    reasons = Counter(reason or "cleared" for _, cleared, reason in flags if cleared is not None)
    return (_per_week([_day(f) for f, _, _ in flags], ends),
            _per_week([_day(c) for _, c, _ in flags if c is not None], ends),
            sum(1 for _, c, _ in flags if c is None), dict(reasons.most_common()))


def _day(moment: datetime) -> date:
    return moment.date()


def _per_week(days: list[date], ends: list[date]) -> list[int]:
    """How many of `days` fall in each week ending on `ends` (older ones are left out)."""
    out = [0] * len(ends)
    for day in days:
        i = bisect.bisect_left(ends, day)
        if i < len(ends) and day > ends[i] - timedelta(days=7):
            out[i] += 1
    return out


NOT_APPLIED = {"none", "prospect"}      # te_application_status values that are not an application


def ats_outcomes_by_band(session: Session, pool: list[PoolEntry]) -> dict[str, tuple[int, int, int]] | None:
    """band -> (candidates, applied, hired); None while no candidate has ATS data (every status still "none").

    The one place to change when the ATS tables land: today it reads the pool's application status (the
    te_application_status vocabulary); a query on the application table can replace it without touching the page.
    """
    if all(e.application_status == "none" for e in pool):
        return None
    out = {band: [0, 0, 0] for band in BANDS}
    for e in pool:
        row = out[e.band]
        row[0] += 1
        row[1] += e.application_status not in NOT_APPLIED
        row[2] += e.application_status == "hired"
    return {band: (n, applied, hired) for band, (n, applied, hired) in out.items()}
