"""The run lease's heartbeat: a thread renewing the lease while the run lives, so a long run keeps it and a dead
one loses it within one lease span (then a worker on any host may take over)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from connector import state
from connector.db import session_scope
from connector.errors import ConnectorError, StateError

log = logging.getLogger(__name__)


class LeaseHeartbeat:
    """Renews the lease every `seconds / HEARTBEAT_FRACTION`; calls `on_lost(error)` once if it is no longer ours."""

    def __init__(self, engine: Engine, seconds: int, on_lost: Callable[[ConnectorError], None]):
        self.engine, self.seconds, self.on_lost = engine, seconds, on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def start(self) -> LeaseHeartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds)

    def _beat(self) -> None:
        interval = max(self.seconds / state.HEARTBEAT_FRACTION, 0.2)
        while not self._stop.wait(interval):
            try:
                with session_scope(self.engine) as session:
                    ours = state.renew_lease(session, seconds=self.seconds)
            except Exception as exc:      # noqa: BLE001 - a failed beat is retried; the lease outlives a few
                log.warning("lease heartbeat failed (%s); retrying", type(exc).__name__)
                continue
            if not ours:
                self.on_lost(StateError("the run lease was taken over or removed (`connector unlock --force`?); "
                                        "this run stops so two workers never write the same portal"))
                return
