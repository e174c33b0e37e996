"""save/credit of the counter snapshots (connector/counters.py says what a rise means)."""

from __future__ import annotations

from sqlalchemy import func, or_, update
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
    return or_(snap.credited_visits.is_(None), snap.credited_page_views.is_(None),
               func.coalesce(snap.visits, 0) != snap.credited_visits,
               func.coalesce(snap.page_views, 0) != snap.credited_page_views)


def credit_counters(engine: Engine, *, make_touchpoints: bool) -> tuple[int, int]:
    """Turn uncredited counter rises into touchpoints (when the portal has no per-event web analytics), then
    credit them; each chunk's touchpoints and credits commit together. Returns (touchpoints new, contacts)."""
    snap = CounterSnapshot
    if not make_touchpoints:    # page views read per event cover an Enterprise portal: only the baseline moves
        with session_scope(engine) as session:
            done = session.exec(update(snap).where(_uncredited()).values(
                credited_visits=func.coalesce(snap.visits, 0), credited_page_views=func.coalesce(snap.page_views, 0)))
            return 0, done.rowcount or 0
    new = credited = 0
    columns = (snap.contact_id, snap.visits, snap.page_views, snap.last_visit_ms, snap.credited_visits,
               snap.credited_page_views)
    while True:
        with session_scope(engine) as session:
            found = session.exec(select(*columns).join(Contact, Contact.id == snap.contact_id).where(
                Contact.merged_into.is_(None), Contact.archived.is_(False), _uncredited()).limit(CREDIT_CHUNK)).all()
            if not found:
                return new, credited
            readings = [Reading(*row) for row in found]
            new += store.save_touchpoints(session, [tp for r in readings for tp in counter_touchpoints(r)])
            session.exec(update(snap), params=[{"contact_id": r.contact_id, "credited_visits": r.visits or 0,
                                                "credited_page_views": r.page_views or 0} for r in readings])
            credited += len(readings)
