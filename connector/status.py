"""Read-only view of the state DB for `connector status`: runs, cursors, quarantine."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from connector import state, store
from connector.models import Cursor, PortalFact, Quarantine, Run
from connector.state import ats_store
from connector.views.when import from_ms


@dataclass
class Status:
    runs: list[Run]
    cursors: list[Cursor]
    quarantined: int
    recent_quarantine: list[Quarantine]
    ambiguous: list[tuple[str, list[str]]]
    ats_unmatched: list = None
    ats_unmapped_recruiters: list[str] = None
    lease_fresh: bool = False          # a run row says `running` truthfully only while the lease's heartbeat lives
    lease: tuple[str, datetime, bool] | None = None     # (holder, heartbeat valid until, fresh)
    facts: dict[str, str] = field(default_factory=dict)
    next_run: datetime | None = None   # when the daemon recorded its next run (fact NEXT_RUN_FACT, epoch ms)

    def shown_status(self, run: Run) -> str:
        return "killed" if run.status == "running" and not self.lease_fresh else run.status


NEXT_RUN_FACT = "daemon.next_run_ms"


def load_status(session: Session, limit: int = 10, recruiter_map: dict[str, str] | None = None) -> Status:
    quarantined = session.exec(select(func.count()).select_from(Quarantine).where(Quarantine.resolved.is_(False))).one()
    facts = {f.key: f.value for f in session.exec(select(PortalFact))}
    held = state.lease_holder(session)
    next_ms = facts.get(NEXT_RUN_FACT, "")
    recent = list(session.exec(select(Quarantine).order_by(Quarantine.id.desc()).limit(limit)))
    return Status(runs=state.last_runs(session, limit), cursors=list(session.exec(select(Cursor))),
                  quarantined=quarantined, recent_quarantine=recent, ambiguous=store.ambiguous_emails(session),
                  ats_unmatched=ats_store.candidates_without_contact(session),
                  ats_unmapped_recruiters=ats_store.unmapped_recruiters(session, recruiter_map),
                  lease_fresh=bool(held and held[2]), lease=held, facts=facts,
                  next_run=from_ms(int(next_ms)) if next_ms.isdigit() else None)


def run_counts(run: Run) -> dict:
    return json.loads(run.counts or "{}")
