"""save/credit of the counter snapshots (connector/counters.py says what a rise means)."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from connector import store
from connector.counters import Reading, counter_touchpoints
from connector.db import session_scope
from connector.models import Contact
from connector.state.counter_models import CounterSnapshot

CREDIT_CHUNK = 1_000        # contacts per transaction of the credit step


def save_counter_snapshots(session: Session, rows: list[dict]) -> None:
    """The counters of a contacts page, in the page's transaction: a crash and re-run reads the same rise again,
    never a doubled one. An older reading never overwrites a newer one."""
    values = [{"contact_id": r["id"], "modified_ms": r["modified_ms"], "visits": r.get("web_visits"),
               "page_views": r.get("web_page_views"), "last_visit_ms": r.get("web_last_visit_ms")}
              for r in store._dedupe(rows)]
    if not values:
        return
    stmt = store._insert(session, CounterSnapshot)
    stmt = stmt.on_conflict_do_update(
        index_elements=["contact_id"],
        set_={c: getattr(stmt.excluded, c) for c in ("modified_ms", "visits", "page_views", "last_visit_ms")},
        where=CounterSnapshot.__table__.c.modified_ms <= stmt.excluded.modified_ms)
    session.exec(stmt, params=values)


def _uncredited():
    snap = CounterSnapshot
    return [Contact.merged_into.is_(None), Contact.archived.is_(False),
            or_(snap.credited_visits.is_(None), snap.credited_page_views.is_(None),
                func.coalesce(snap.visits, 0) != snap.credited_visits,
                func.coalesce(snap.page_views, 0) != snap.credited_page_views)]


def credit_counters(engine: Engine, *, make_touchpoints: bool) -> tuple[int, int]:
    """Turn uncredited counter rises into touchpoints (when the portal has no per-event web analytics), then
    credit them; each chunk's touchpoints and credits commit together. Returns (touchpoints new, contacts)."""
    new = credited = 0
    while True:
        with session_scope(engine) as session:
            snaps = list(session.exec(select(CounterSnapshot).join(Contact, Contact.id == CounterSnapshot.contact_id)
                                      .where(*_uncredited()).limit(CREDIT_CHUNK)))
            if not snaps:
                return new, credited
            if make_touchpoints:
                rows = [tp for s in snaps for tp in counter_touchpoints(Reading(
                    s.contact_id, s.visits, s.page_views, s.last_visit_ms, s.credited_visits, s.credited_page_views))]
                new += store.save_touchpoints(session, rows)
            for s in snaps:     # page views read per event cover an Enterprise portal: it only moves the baseline
                s.credited_visits, s.credited_page_views = s.visits or 0, s.page_views or 0
                session.add(s)
            credited += len(snaps)

