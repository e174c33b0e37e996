"""A full rescore: every live contact, not only those whose score can have changed (the end of a backfill, and
the daemon's nightly rescore at NIGHTLY_RESCORE_HOUR); then the usual act and push steps."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from connector import stopping, store
from connector.db import session_scope
from connector.scores import load_touchpoints, save_history, save_scores
from connector.scoring.model import score_many
from connector.sync import Sync


def rescore_everyone(session: Session, model, now: datetime, language: str) -> int:
    """Score and store every live contact at `now`; return how many."""
    ids = store.live_contact_ids(session)
    if not ids:
        return 0
    touchpoints = load_touchpoints(session, ids)
    scores = score_many(touchpoints, now, model)
    save_scores(session, scores, now, store.touch_counts(session), language)
    save_history(session, scores, touchpoints, now, model)
    return len(scores)


class FullRescore(Sync):
    """Rescore everyone and push the changes; tasks and flags as a sync would (no pull)."""

    def kind(self) -> str:
        return "rescore"

    def steps(self) -> None:
        self.score()
        self.act()
        stopping.check()
        self.push()
        self.push_tasks()

    def score(self) -> None:
        self.progress.step("rescoring every contact")
        with session_scope(self.engine) as session:
            scored = rescore_everyone(session, self.model, self.now, self.settings.reasons_language)
        self._add("scored", scored)
        self.progress.advance(scored)
