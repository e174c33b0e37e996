"""Read-only view of the state DB for `connector status`: runs, cursors, quarantine."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from connector import state, store
from connector.models import Cursor, Quarantine, Run
from connector.state import ats_store


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

    def shown_status(self, run: Run) -> str:
        return "killed" if run.status == "running" and not self.lease_fresh else run.status


def load_status(session: Session, limit: int = 10, recruiter_map: dict[str, str] | None = None) -> Status:
    quarantined = session.exec(select(func.count()).select_from(Quarantine).where(Quarantine.resolved.is_(False))).one()
    recent = list(session.exec(select(Quarantine).order_by(Quarantine.id.desc()).limit(limit)))
    return Status(runs=state.last_runs(session, limit), cursors=list(session.exec(select(Cursor))),
                  quarantined=quarantined, recent_quarantine=recent, ambiguous=store.ambiguous_emails(session),
                  ats_unmatched=ats_store.candidates_without_contact(session),
                  ats_unmapped_recruiters=ats_store.unmapped_recruiters(session, recruiter_map),
                  lease_fresh=bool((held := state.lease_holder(session)) and held[2]))


def run_counts(run: Run) -> dict:
    return json.loads(run.counts or "{}")
