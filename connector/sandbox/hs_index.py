"""The CRM search index: what search sees of each record, trailing the writes by a configurable lag.

HubSpot's search is eventually consistent: the index lags writes by "several seconds" (reference §3.3 [C]), while
batch/read and GET answer from the records themselves [U: the docs say nothing; the stricter reading]. With a lag,
a write reaches search only after it: until then search answers from the record's previous indexed state (its old
values and lastmodifieddate), and a record created within the lag is not found at all [U]. With no lag (the
default, so that tests which write and then search at once keep working), search reads the records directly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable


class Indexed:
    """A record as the search index holds it: enough for filters, sorts and serialize()."""

    __slots__ = ("id", "object_type", "props", "created_ms", "updated_ms", "archived", "archived_ms", "tie", "live")

    def __init__(self, rec) -> None:
        self.id, self.object_type, self.props = rec.id, rec.object_type, dict(rec.props)
        self.created_ms, self.updated_ms = rec.created_ms, rec.updated_ms
        self.archived, self.archived_ms, self.tie = rec.archived, rec.archived_ms, rec.tie
        self.live = not rec.archived and rec.merged_into is None


class SearchIndex:
    """Pending writes in the order made (the lag is one constant, so they mature in that order)."""

    def __init__(self, clock: Callable[[], int]):
        self.clock = clock
        self.lag_ms = 0
        self.version = 0
        self.states: dict[str, dict[str, Indexed]] = {}
        self.pending: deque[tuple[int, Indexed]] = deque()

    def set_lag(self, lag_ms: int, records: dict[str, dict]) -> None:
        """Switch the lag; switching it on indexes every record as it is now (earlier writes count as indexed)."""
        if lag_ms and not self.lag_ms:
            self.states = {t: {r.id: Indexed(r) for r in recs.values()} for t, recs in records.items()}
            self.pending.clear()
        elif not lag_ms:
            self.states, self.pending = {}, deque()
        self.lag_ms = max(0, int(lag_ms))
        self.version += 1

    def note(self, rec) -> None:
        """A write to `rec`: it reaches search `lag_ms` from now."""
        if self.lag_ms:
            self.pending.append((self.clock() + self.lag_ms, Indexed(rec)))

    def live(self, object_type: str) -> Iterable[Indexed]:
        """The searchable records of a type, as the index holds them now."""
        now = self.clock()
        matured = False
        while self.pending and self.pending[0][0] <= now:
            _at, state = self.pending.popleft()
            self.states.setdefault(state.object_type, {})[state.id] = state
            matured = True
        if matured:
            self.version += 1
        return [s for s in self.states.get(object_type, {}).values() if s.live]
