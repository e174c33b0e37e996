"""In-memory portal state: property definitions, contacts, tasks, owners and events (rollups: hs_rollups)."""

from __future__ import annotations

import hashlib
import itertools
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

from .hs_errors import invalid_properties
from .hs_index import SearchIndex
from .hs_prop_defs import GROUPS, OBJECT_META, standard_properties
from .hs_props import PropertyDef, iso_ms, normalize_value
from .hs_rollups import email_rollups, web_rollups

PORTAL_ID = 24681357
APP_ID, APP_NAME = 113, "Batch"
ID_NAMESPACE = uuid.UUID("6d1f6a1e-5b6a-4d7e-9a61-2f0c1b5e7a10")
FIRST_IDS = {"contacts": 1001, "tasks": 70_000_001}
CONTACT_TO_TASK, TASK_TO_CONTACT = 203, 204  # [V] SDK AssociationType


def tie_hash(record_id: str) -> int:
    """Stable pseudo-random rank of an id: the order of search results that tie on the sort key."""
    return int.from_bytes(hashlib.blake2b(record_id.encode(), digest_size=8).digest(), "big")


class Record:
    """One CRM object (contact or task) with its property values as wire strings."""

    __slots__ = ("id", "object_type", "props", "created_ms", "updated_ms", "archived", "archived_ms",
                 "_merged_into", "history", "assoc", "tie", "trace_id", "on_write")

    def __init__(self, record_id: str, object_type: str, created_ms: int):
        self.id = record_id
        self.object_type = object_type
        self.props: dict[str, str] = {}
        self.created_ms = self.updated_ms = created_ms
        self.archived = False
        self.archived_ms: int | None = None
        self.on_write: Callable[[Record], None] | None = None    # the portal's search index hears every write
        self._merged_into: str | None = None
        self.history: dict[str, list[tuple[str, int, str]]] = {}
        self.assoc: set[str] = set()
        self.tie = tie_hash(record_id)
        self.trace_id: str | None = None

    @property
    def merged_into(self) -> str | None:
        return self._merged_into

    @merged_into.setter
    def merged_into(self, survivor_id: str | None) -> None:
        # A property so that a merge reaches the search index like any other write (Portal.merge sets it).
        self._merged_into = survivor_id
        if self.on_write is not None:
            self.on_write(self)


class Portal:
    """All state of one sandbox portal; every method expects the caller to hold `lock`."""

    def __init__(self, clock: Callable[[], int]):
        self.clock = clock
        self.lock = threading.RLock()
        start = clock()
        self.defs: dict[str, dict[str, PropertyDef]] = {t: standard_properties(t, start) for t in GROUPS}
        self.groups = {t: {n: {"name": n, "label": label, "displayOrder": i, "archived": False}
                           for i, (n, label) in enumerate(g)} for t, g in GROUPS.items()}
        self.records: dict[str, dict[str, Record]] = {t: {} for t in GROUPS}
        self.by_email: dict[str, str] = {}
        self.owners: dict[str, dict] = {}
        self.email_events: list[dict] = []
        self.events_by_recipient: dict[str, list[dict]] = defaultdict(list)
        self.web_events: dict[str, list[dict]] = defaultdict(list)
        self.lists: dict[str, object] = {}  # list id -> hs_lists.ContactList
        self.forms: dict[str, dict] = {}  # form guid -> hs_forms' stored form
        self.form_submissions: dict[str, list[dict]] = defaultdict(list)  # form guid -> submissions, oldest first
        self.version = 0
        self.view_cache: dict = {}
        self.index = SearchIndex(clock)      # what search sees (hs_index: trails writes by a lag when set)
        self.search_count = 0
        self.search_hooks: list[Callable[[int], None]] = []   # test hooks, called before each search answers
        self._ids = {t: itertools.count(n) for t, n in FIRST_IDS.items()}
        self._seq = itertools.count(1)

    # --- ids and lookups ---------------------------------------------------------------------------

    def next_uuid(self, kind: str) -> str:
        """Deterministic unique id for an event (same seed, same ids)."""
        return str(uuid.uuid5(ID_NAMESPACE, f"{kind}-{next(self._seq)}"))

    def owner_ids(self) -> set[str]:
        return {o["id"] for o in self.owners.values() if not o["archived"]}

    def resolve(self, object_type: str, record_id: str, *, archived: bool = False) -> Record | None:
        """The record an id names now: merged-away ids answer with the survivor; archived only on request."""
        rec = self.records[object_type].get(str(record_id))
        while rec is not None and rec.merged_into is not None:
            rec = self.records[object_type].get(rec.merged_into)
        if rec is None or rec.archived != archived:
            return None
        return rec

    def by_unique(self, object_type: str, prop: str, value: str, *, archived: bool = False) -> Record | None:
        """Lookup by idProperty (a unique property such as email)."""
        if object_type == "contacts" and prop == "email":
            found = self.by_email.get(value.strip().lower())
            return self.resolve(object_type, found, archived=archived) if found else None
        for rec in self.records[object_type].values():
            if rec.props.get(prop) == value and rec.merged_into is None and rec.archived == archived:
                return rec
        return None

    def live(self, object_type: str) -> Iterable[Record]:
        return (r for r in self.records[object_type].values() if not r.archived and r.merged_into is None)

    def emails_of(self, contact: Record) -> set[str]:
        emails = {contact.props.get("email", "").lower()}
        emails.update(e.strip().lower() for e in contact.props.get("hs_additional_emails", "").split(";"))
        emails.discard("")
        return emails

    # --- writes ------------------------------------------------------------------------------------

    def validate_write(self, object_type: str, props: object, *, system: bool = False) -> dict[str, str]:
        """API-side validation of written properties; raises HubSpot's 400 listing every bad value."""
        if not isinstance(props, dict):
            raise invalid_properties([{"name": "properties", "error": "INVALID_VALUE",
                                       "message": "properties must be an object"}])
        defs, owners, out, errors = self.defs[object_type], self.owner_ids(), {}, []
        for name, raw in props.items():
            defn = defs.get(name)
            if defn is None:
                errors.append({"name": name, "error": "PROPERTY_DOESNT_EXIST",
                               "message": f'Property "{name}" does not exist'})
                continue
            if defn.read_only and not system:
                errors.append({"name": name, "error": "READ_ONLY_VALUE",
                               "message": f'"{name}" is a read only property; its value cannot be set.'})
                continue
            value, err = normalize_value(defn, raw, owners)
            if err:
                errors.append(err)
            else:
                out[name] = value
        if errors:
            raise invalid_properties(errors)
        return out

    def create(self, object_type: str, props: dict[str, str], at_ms: int, source: str = "CRM_UI") -> Record:
        """Store a new record with already-validated values."""
        record_id = str(next(self._ids[object_type]))
        rec = Record(record_id, object_type, at_ms)
        created, modified, _, _ = OBJECT_META[object_type]
        values = {k: v for k, v in props.items() if v != ""}
        values.update({created: iso_ms(at_ms), modified: iso_ms(at_ms), "hs_object_id": record_id})
        rec.props = values
        rec.history = {k: [(v, at_ms, source)] for k, v in values.items()}
        rec.on_write = self.index.note
        self.records[object_type][record_id] = rec
        self.index.note(rec)
        if object_type == "contacts" and values.get("email"):
            self.by_email.setdefault(values["email"].lower(), record_id)
        self.version += 1
        return rec

    def apply(self, rec: Record, changes: dict[str, str], at_ms: int, source: str = "INTEGRATION") -> bool:
        """Set values ('' clears); when anything changed, the modified date moves to `at_ms`."""
        changed = False
        for name, value in changes.items():
            old = rec.props.get(name)
            if (old or "") == value:
                continue
            changed = True
            if value == "":
                rec.props.pop(name, None)
            else:
                rec.props[name] = value
            rec.history.setdefault(name, []).append((value, at_ms, source))
            if rec.object_type == "contacts" and name == "email":
                if old and self.by_email.get(old.lower()) == rec.id:
                    del self.by_email[old.lower()]
                if value:
                    self.by_email.setdefault(value.lower(), rec.id)
        if changed:
            modified = OBJECT_META[rec.object_type][1]
            rec.props[modified] = iso_ms(at_ms)
            rec.history.setdefault(modified, []).append((rec.props[modified], at_ms, "CALCULATED"))
            rec.updated_ms = at_ms
            self.version += 1
            self.index.note(rec)
        return changed

    def touch(self, rec: Record, at_ms: int) -> None:
        """Move the modified date without changing a value (what HubSpot's bulk edits and imports do)."""
        modified = OBJECT_META[rec.object_type][1]
        rec.props[modified] = iso_ms(at_ms)
        rec.history.setdefault(modified, []).append((rec.props[modified], at_ms, "CALCULATED"))
        rec.updated_ms = at_ms
        self.version += 1
        self.index.note(rec)

    def archive(self, rec: Record, at_ms: int) -> None:
        rec.archived, rec.archived_ms = True, at_ms
        email = rec.props.get("email", "").lower()
        if self.by_email.get(email) == rec.id:
            del self.by_email[email]
        self.version += 1
        self.index.note(rec)

    def merge(self, primary: Record, merged: Record, at_ms: int) -> Record:
        """Merge two contacts as HubSpot has since its merge change ([V] developer changelog "Updated merge
        functionality for contacts and companies"): a NEW record with a new id; both old ids resolve to it, the
        primary's latest values are the current ones, values only the other has are kept; emails, page views and
        task links move to it; its lastmodifieddate is the merge time. Returns the new record."""
        absorbed = [primary.id, merged.id] + [i for r in (primary, merged)
                                              for i in r.props.get("hs_merged_object_ids", "").split(";") if i]
        ids = list(dict.fromkeys(absorbed))
        main = primary.props.get("email", "")
        emails: list[str] = []
        for rec in (primary, merged):
            for email in [rec.props.get("email", "")] + rec.props.get("hs_additional_emails", "").split(";"):
                if email and email.lower() != main.lower() and email.lower() not in {x.lower() for x in emails}:
                    emails.append(email)
        # [U] createdate: the earlier of the two (the person has been known since then).
        values = {**merged.props, **primary.props}
        created, modified, _, _ = OBJECT_META["contacts"]
        values.pop(modified, None)
        rec = self.create("contacts", {}, at_ms, source="MERGE")
        rec.props.update({k: v for k, v in values.items() if k not in ("hs_object_id", created)})
        rec.props[created] = min((r.props[created] for r in (primary, merged) if r.props.get(created)),
                                 key=lambda v: v, default=rec.props[created])
        rec.created_ms = min(primary.created_ms, merged.created_ms)
        rec.history = {k: sorted(merged.history.get(k, []) + primary.history.get(k, []), key=lambda h: h[1])
                       for k in set(merged.history) | set(primary.history) if k != "hs_object_id"}
        rec.history["hs_object_id"] = [(rec.id, at_ms, "MERGE")]
        for old in (primary, merged):
            old.merged_into = rec.id
            for email, owner in list(self.by_email.items()):
                if owner == old.id:
                    self.by_email[email] = rec.id
        self.web_events[rec.id] = sorted(self.web_events.pop(primary.id, []) + self.web_events.pop(merged.id, []),
                                         key=lambda e: e["ms"])
        for task_id in primary.assoc | merged.assoc:
            task = self.records["tasks"].get(task_id)
            if task:
                task.assoc -= {primary.id, merged.id}
                task.assoc.add(rec.id)
        rec.assoc = primary.assoc | merged.assoc
        # [U] both rollups hold ';'-separated ids here; HubSpot's hs_calculated_merged_vids may add timestamps.
        self.apply(rec, {"hs_merged_object_ids": ";".join(ids), "hs_calculated_merged_vids": ";".join(ids),
                         "hs_additional_emails": ";".join(emails)}, at_ms, "CALCULATED")
        self.refresh_rollups(rec, at_ms)
        self.version += 1
        return rec

    # --- events and rollups ------------------------------------------------------------------------

    def add_email_event(self, event: dict) -> dict:
        self.email_events.append(event)
        self.events_by_recipient[event["recipient"].lower()].append(event)
        return event

    def add_web_event(self, contact_id: str, event: dict) -> dict:
        events = self.web_events[contact_id]
        events.append(event)
        if len(events) > 1 and events[-2]["ms"] > event["ms"]:
            events.sort(key=lambda e: e["ms"])
        return event

    def refresh_rollups(self, contact: Record, at_ms: int) -> bool:
        """Recompute the hs_email_* and hs_analytics_* rollups from the contact's events."""
        values = email_rollups([e for r in self.emails_of(contact) for e in self.events_by_recipient.get(r, [])])
        values.update(web_rollups(self.web_events.get(contact.id, [])))
        return self.apply(contact, values, at_ms, "CALCULATED")
