"""What `connector unlock` and `connector forget` do, below the CLI (which only parses flags and prints)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from connector import state
from connector.db import session_scope
from connector.errors import StateError


def unlock_lease(engine: Engine, *, force: bool) -> str:
    """Remove the run lease unless its heartbeat is fresh (then only with force); say what was done."""
    with session_scope(engine) as session:
        held = state.lease_holder(session)
        if held is None:
            return "no run lease is held"
        holder, until, fresh = held
        if fresh and not force:
            raise StateError(f"the lease of {holder} is fresh (heartbeat valid until {until:%Y-%m-%d %H:%M:%S} UTC): "
                             "a run is alive; stop it, or use --force if you know that process is gone")
        state.release_lease(session, force=True)
    return f"removed the run lease of {holder}" + (" (its heartbeat was still fresh)" if fresh else "")


def forget_person(engine: Engine, email: str) -> str:
    """Purge everything local about EMAIL (keeping salted hashes); say what was removed."""
    from connector.hubspot.pull import normalize_email
    from connector.purge import flush_freed_pages, forget_email
    address = normalize_email(email)
    if address is None:
        raise StateError("forget needs an email address")
    with session_scope(engine) as session:
        report = forget_email(session, address)
    with session_scope(engine) as session:
        flush_freed_pages(session)
    removed = ", ".join(f"{n} {what}" for what, n in report.removed.items() if n) or "no other data"
    return (f"forgotten: {report.contacts} contact(s), {removed}; only a salted hash is kept so nothing is pulled "
            "for or written to this person again. Nothing was deleted in HubSpot or the ATS.")
