"""The adapter protocol and the canonical Job / Candidate / Application records every ATS is translated into.

ATS spellings stay inside each adapter; past `fetch_*` everything is these records. Timestamps are
UTC-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

PHASES = ("prospect", "applied", "screening", "interview", "offer", "hired")
OUTCOMES = ("open", "hired", "rejected", "withdrawn")
JOB_STATES = ("open", "closed")
STREAMS = ("jobs", "candidates", "applications")


def phase_rank(phase: str | None) -> int:
    """Order of a phase (prospect lowest); an unmapped phase (None) ranks just above prospect."""
    return PHASES.index(phase) if phase in PHASES else 1


@dataclass(frozen=True)
class Job:
    """A vacancy: `public_url`/`apply_url` feed vacancy matching; `recruiter` is an email when the ATS has one."""

    id: str
    title: str
    state: str = "open"
    public_url: str | None = None
    apply_url: str | None = None
    recruiter: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Candidate:
    """A person in the ATS: every email (normalised, primary first), names and the ATS id."""

    id: str
    emails: tuple[str, ...]
    first_name: str | None = None
    last_name: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Application:
    """One candidacy for one job: where it got to (`phase`, None when the stage is unmapped) and how it ended."""

    id: str
    candidate_id: str
    job_id: str | None
    phase: str | None
    outcome: str = "open"
    stage_name: str | None = None
    applied_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    recruiter: str | None = None


@dataclass(frozen=True)
class ApplicationView:
    """One application as the read side sees it (joined with its job)."""

    job_id: str | None
    job_title: str | None
    phase: str | None
    outcome: str
    applied_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None
    apply_url: str | None
    job_url: str | None
    job_state: str | None


@dataclass(frozen=True)
class ApplicationSummary:
    """What a contact's applications add up to: the te_application_* values and every application behind them."""

    status: str
    job_title: str | None
    job_id: str | None
    updated_at: datetime | None
    outcome: str
    closed_at: datetime | None
    candidate_id: str | None
    applications: tuple[ApplicationView, ...] = ()


@dataclass(frozen=True)
class BadRow:
    """A record the adapter could not read: where it is (file and row, or record id), which column, what value."""

    source: str
    record: str
    column: str
    value: str
    problem: str


@dataclass
class Page:
    """One page of a stream, and the stream's cursor (epoch ms) to commit with it; cursors only move forward."""

    stream: str
    cursor_ms: int | None = None
    jobs: list[Job] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)     # what a file adapter remembers (row/file hashes)


class AtsAdapter(Protocol):
    """Fetch jobs, candidates and applications changed since each stream's cursor, as pages of canonical records.

    `cursors` maps stream name → epoch ms (None: never pulled). Candidates and applications may arrive on
    one stream (Recruitee nests placements in the candidate) or on two (Greenhouse).
    """

    kind: str
    streams: tuple[str, ...]            # the cursor names this adapter reads and advances

    @property
    def requests(self) -> int: ...

    def fetch_pages(self, cursors: dict[str, int | None]) -> Iterator[Page]: ...
