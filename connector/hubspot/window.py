"""The general rate window carried across processes as a portal fact, so `setup` then `sync` stay under the limit."""

from __future__ import annotations

import json

from connector.db import session_scope
from connector.state import get_fact, set_fact

FACT_RATE_WINDOW = "hubspot_rate_window"


def load_window(client, engine) -> None:
    """Start the client's general limiter from the window the last process left (if it has not rolled yet)."""
    with session_scope(engine) as session:
        raw = get_fact(session, FACT_RATE_WINDOW)
    try:
        snap = json.loads(raw) if raw else None
        if snap:
            client.general.resume(snap)
    except (ValueError, TypeError, KeyError):
        pass                                # a garbled fact only costs the head start; HubSpot's headers still count


def save_window(client, engine) -> None:
    """Record the client's general window for the next process."""
    snap = client.general.snapshot()
    if snap is not None:
        with session_scope(engine) as session:
            set_fact(session, FACT_RATE_WINDOW, json.dumps(snap, sort_keys=True))
