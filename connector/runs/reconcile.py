"""`connector reconcile` (and the daemon's daily run of it): HubSpot's contact ids against the local state.

- ids HubSpot has that the state never saw (or holds as archived: restored since) are read by id and saved as
  the pull saves them, and so are contacts HubSpot changed before the sync's cursor after the local copy (a
  change the search missed); the next sync scores them;
- local contacts HubSpot lists as archived are marked archived (kept, never scored or written again);
- local contacts HubSpot has neither live nor archived are read by id once more (a merged-away id answers with
  its survivor, which is saved and re-keys it); those still not found are deleted in HubSpot (GDPR-deleted, or
  purged from the recycle bin) and purged locally like any deleted contact.
"""

from __future__ import annotations

from sqlmodel import select

from connector import state, store
from connector.db import session_scope
from connector.hubspot import streams as S
from connector.hubspot.reconcile import fetch_contact_id_pages, fetch_contacts_by_id
from connector.models import Contact
from connector.purge import DELETED_IN_HUBSPOT, ForgottenFilter, flush_freed_pages, purge_contact
from connector.sync import Sync

FACT_RECONCILED_AT = "reconcile.completed_ms"
PURGE_BATCH = 100           # contacts purged per transaction


class Reconcile(Sync):
    """One id reconcile run; counts: reconcile_hubspot_ids, contacts_fetched, contacts_archived, contacts_purged."""

    def kind(self) -> str:
        return "reconcile"

    def before_start(self, session) -> None:
        """Unlike a sync, a reconcile may run while a backfill is unfinished: it only makes the contacts right."""

    def steps(self) -> None:
        for key in ("contacts_fetched", "contacts_refreshed", "contacts_archived", "contacts_purged", "contacts_merged"):
            self._add(key, 0)
        live = self._hubspot_ids(archived=False, what="listing HubSpot's contact ids")
        archived = self._hubspot_ids(archived=True, what="listing HubSpot's archived contact ids")
        with session_scope(self.engine) as session:
            local = set(store.live_contact_ids(session))
            cursor = state.get_cursor(session, S.CONTACTS_STREAM) or 0
            modified = {cid: ms for cid, ms in session.exec(select(Contact.id, Contact.modified_ms))}
            local_archived = set(session.exec(select(Contact.id).where(Contact.archived.is_(True),
                                                                      Contact.merged_into.is_(None))))
            self.forgotten = ForgottenFilter(session)
        self._add("reconcile_hubspot_ids", len(live))
        self._add("reconcile_hubspot_archived_ids", len(archived))
        self._add("reconcile_local_ids", len(local))
        unseen = sorted(r["id"] for r in self.forgotten.contacts([{"id": i} for i in set(live) - local]))
        self._fetch(unseen, "fetched")
        # changed before the sync's cursor yet newer than the local copy: a change the search never returned
        drifted = sorted(c for c in local if (live.get(c) or 0) < cursor and (live.get(c) or 0) > modified.get(c, 0))
        self._fetch(drifted, "refreshed")
        gone = sorted((local - set(live)) | (local_archived - set(live) - set(archived)))
        to_archive = [c for c in gone if c in archived and c in local]
        if to_archive:
            self.progress.step("marking contacts archived in HubSpot", total=len(to_archive))
        with session_scope(self.engine) as session:
            for cid in to_archive:
                store.mark_archived(session, cid)
        self._add("contacts_archived", len(to_archive))
        self.progress.advance(len(to_archive))
        missing = self._fetch([c for c in gone if c not in archived], "merged")
        if missing:
            self.progress.step("purging contacts deleted in HubSpot", total=len(missing))
        for i in range(0, len(missing), PURGE_BATCH):
            with session_scope(self.engine) as session:
                for cid in missing[i:i + PURGE_BATCH]:
                    purge_contact(session, cid, DELETED_IN_HUBSPOT)
            self.progress.advance(len(missing[i:i + PURGE_BATCH]))
        self._add("contacts_purged", len(missing))
        with session_scope(self.engine) as session:
            state.set_fact(session, FACT_RECONCILED_AT, str(int(self.now.timestamp() * 1000)))
            if missing:
                flush_freed_pages(session)

    def _hubspot_ids(self, *, archived: bool, what: str) -> dict[str, int | None]:
        self.progress.step(what)
        ids: dict[str, int | None] = {}
        for page in fetch_contact_id_pages(self.client, archived=archived):
            ids.update(page)
            self.progress.advance(len(page))
        return ids

    def _fetch(self, ids: list[str], kind: str) -> list[str]:
        """Read `ids` by id and save what HubSpot returns (each batch in one transaction); return the missing."""
        if not ids:
            return []
        self.progress.step({"fetched": "reading contacts missing locally", "refreshed": "re-reading contacts changed "
                            "behind the cursor"}.get(kind, "checking contacts HubSpot no longer lists"), total=len(ids))
        missing: list[str] = []
        for batch in fetch_contacts_by_id(self.client, ids):
            with session_scope(self.engine) as session:
                rows = self.forgotten.contacts(batch.rows)
                store.save_contacts(session, rows)
                for bad in batch.bad:
                    self._quarantine(session, bad)
            missing.extend(batch.missing)
            self._add(f"contacts_{kind}", len(rows))
            self.progress.advance(len(rows) + len(batch.bad) + len(batch.missing))
        return missing
