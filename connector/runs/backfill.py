"""`connector backfill --since DATE`: the sync's pull steps over history, in resumable time windows, then a full
rescore and push, with notifications (tasks, forgotten-application flags) off unless `--notify`.

How it resumes: a new backfill rewinds the stream cursors to DATE (never forward) and records its plan (DATE, the
fixed end, the last window done) in the state DB, in one transaction with the lease. The windows then run the
sync's own steps with `until_ms` at each window's end: every page's rows commit with its cursor, as in a sync,
and each finished window commits its mark in the plan. A killed backfill leaves cursors and plan where the last
commit put them; `connector backfill` with the same --since goes on from there to the same end, so it ends with
the rows an uninterrupted one has (upserts are idempotent, overlaps re-read harmlessly). Until it finishes, the
plan makes `sync` refuse to run: a sync would score the history with notifications on.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import select

from connector import state, stopping
from connector.db import session_scope
from connector.errors import ConfigError
from connector.forgotten import FACT_FLAG_BASELINE
from connector.hubspot import streams as S
from connector.hubspot.timeparse import dt_to_ms
from connector.models import Cursor, WebCursor
from connector.progress import Progress
from connector.runs.rescore import rescore_everyone
from connector.sync import FACT_BACKFILL_PLAN, FACT_EMAIL_EVENTS, FACT_FORMS, FACT_WEB_EVENTS, Sync

HOUR_MS = 3600 * 1000


def window_ends(since_ms: int, done_ms: int, until_ms: int, window_ms: int) -> list[int]:
    """The ends of the windows still to pull: since + k*window past `done`, the last one cut at `until`."""
    if done_ms >= until_ms:
        return []
    k = max((done_ms - since_ms) // window_ms + 1, 1)
    ends = list(range(since_ms + k * window_ms, until_ms, window_ms))
    return ends + [until_ms]


def since_text(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat(timespec="seconds")


class Backfill(Sync):
    """One `connector backfill` run (a new one, or the resumption of an unfinished one with the same --since)."""

    def __init__(self, settings, engine, client, *, since: datetime, notify: bool = False, **kwargs):
        super().__init__(settings, engine, client, notify=bool(notify), **kwargs)
        self.since, self.since_ms = since, dt_to_ms(since)
        self.window_ms = settings.backfill_window_hours * HOUR_MS
        if self.since_ms >= self.until_ms:
            raise ConfigError(f"--since {since_text(since)} is not in the past (nothing to backfill)")
        if self.since_ms < S.EPOCH_FLOOR_MS:
            raise ConfigError(f"--since {since_text(since)} is before 1970: HubSpot has no data that old")
        self.plan: dict = {}

    def kind(self) -> str:
        return "backfill"

    def before_start(self, session) -> None:
        raw = state.get_fact(session, FACT_BACKFILL_PLAN)
        plan = json.loads(raw) if raw else None
        self._add("resumed", 0)
        self._add("windows_pulled", 0)
        if plan and plan["since_ms"] == self.since_ms:
            self._add("resumed", 1)
        else:       # new (or another --since replacing an unfinished one): rewind, never past what was read
            # an email cursor still before --since keeps its gap: the first window reads from it
            behind = state.get_cursor(session, S.EMAIL_EVENTS_STREAM) or self.since_ms
            plan = {"since": since_text(self.since), "since_ms": self.since_ms, "until_ms": self.until_ms,
                    "done_ms": self.since_ms, "floor_ms": min(behind, self.since_ms)}
            self._rewind(session)
            state.set_fact(session, FACT_BACKFILL_PLAN, json.dumps(plan))
        self.plan = plan
        self.floor_ms, self.until_ms = plan.get("floor_ms", plan["since_ms"]), plan["until_ms"]

    def _rewind(self, session) -> None:
        """Cursors back to --since where they are past it; page views and forms are re-read from it."""
        for stream in (S.CONTACTS_STREAM, S.EMAIL_EVENTS_STREAM):
            row = session.get(Cursor, stream)
            if row is not None and row.value > self.since_ms:
                row.value, row.updated_at = self.since_ms, state.utcnow()
                session.add(row)
        session.exec(delete(WebCursor).where(WebCursor.occurred_ms > self.since_ms))
        for row in session.exec(select(Cursor).where(Cursor.stream.startswith(S.FORMS_STREAM_PREFIX))):
            if row.value > self.since_ms:
                session.delete(row)

    def steps(self) -> None:
        caps = self.capabilities()          # unknown ones re-probed and recorded (sync_pull.py)
        self.pull_windows(caps[FACT_EMAIL_EVENTS] == "yes")
        web = caps[FACT_WEB_EVENTS] == "yes" and self.pull_web_events()
        self.pull_counter_deltas(web_events=web)
        if caps[FACT_FORMS] == "yes":
            self.pull_forms()
        self.pull_ats()
        self.resolve()
        stopping.check()
        self.score()
        self.act()
        stopping.check()
        self.push()
        self.push_tasks()
        with session_scope(self.engine) as session:
            state.set_fact(session, FACT_BACKFILL_PLAN, "")      # finished: syncs may run again

    def pull_windows(self, email_events: bool) -> None:
        """Contacts and email events, window by window (BACKFILL_WINDOW_HOURS), each window's mark committed."""
        end = self.plan["until_ms"]
        ends = window_ends(self.since_ms, self.plan["done_ms"], end, self.window_ms)
        outer, self.progress = self.progress, Progress()      # one line for all windows, not two per window
        outer.step(f"backfill from {self.plan['since']}: windows", total=len(ends))
        try:
            for window_end in ends:
                self.until_ms = window_end
                self.pull_contacts()
                if email_events:
                    self.pull_email_events()
                self.plan["done_ms"] = window_end
                with session_scope(self.engine) as session:
                    state.set_fact(session, FACT_BACKFILL_PLAN, json.dumps(self.plan))
                self._add("windows_pulled", 1)
                outer.advance(1)
                stopping.check()
        finally:
            self.progress, self.until_ms = outer, end

    def score(self) -> None:
        self.progress.step("rescoring every contact")
        with session_scope(self.engine) as session:
            scored = rescore_everyone(session, self.model, self.now, self.settings.reasons_language)
        self._add("scored", scored)
        self.progress.advance(scored)

    def act(self) -> None:
        """Without --notify, the history is a baseline: bands recorded without tasks, and apply intents before
        the backfill's end never raise a forgotten-application flag (only later ones do)."""
        if not self.notify:
            with session_scope(self.engine) as session:
                before = int(state.get_fact(session, FACT_FLAG_BASELINE) or 0)
                state.set_fact(session, FACT_FLAG_BASELINE, str(max(before, self.plan["until_ms"])))
        super().act()
