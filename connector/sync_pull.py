"""The pull steps of a run (DESIGN steps 2 and 3): each HubSpot stream and the ATS from its own cursor,
a page's rows and its cursor committed together. Mixed into connector.sync.Sync."""

from __future__ import annotations

import logging
from collections import Counter

from sqlmodel import select

from connector import capabilities, state, store
from connector.db import session_scope
from connector.errors import AuthError, FatalError
from connector.hubspot import streams as S
from connector.hubspot.forms import fetch_form_pages, fetch_forms, unknown_form_ids
from connector.hubspot.pull import (
    BadRecordError,
    fetch_contact_pages,
    fetch_email_event_pages,
    fetch_web_events,
)
from connector.hubspot.timeparse import dt_to_ms
from connector.hubspot.touchpoints import (
    drop_caused_unsubscribes,
    email_campaign_name,
    read_email_event,
    web_event_touchpoints,
)
from connector.models import Contact
from connector.purge import ForgottenFilter
from connector.state.counters import credit_counters, save_counter_snapshots

log = logging.getLogger(__name__)


def _deliveries_that_matter(session, rows: list[dict]) -> list[dict]:
    """Drop DELIVERED (and UNBOUNCE) rows except those of recipients with a hard bounce (stored, or in this page):
    they only matter as proof that a bounced address works again. One read on an earlier page than its bounce
    (same window) is missed; the next delivery to that address lifts the floor instead."""
    delivered = {r["recipient"] for r in rows if r["kind"] == "delivered"}
    if not delivered:
        return rows
    bounced = store.bounced_recipients(session, delivered) | {r["recipient"] for r in rows if r["kind"] == "hard_bounce"}
    return [r for r in rows if r["kind"] != "delivered" or r["recipient"] in bounced]


class PullSteps:
    """Pull steps; they use Sync's settings, engine, client, matcher, bounds, counts and quarantine."""

    def pull_contacts(self) -> None:
        """Contacts changed since the cursor; a page's rows and the advanced cursor commit together."""
        with session_scope(self.engine) as session:
            since = state.get_cursor(session, S.CONTACTS_STREAM) or S.EPOCH_FLOOR_MS
            forgotten = ForgottenFilter(session)
        self.progress.step("pulling contacts")
        for page in fetch_contact_pages(self.client, since, self.until_ms):
            with session_scope(self.engine) as session:
                rows = forgotten.contacts(page.rows)
                self._add("contacts_pulled", store.save_contacts(session, rows))
                save_counter_snapshots(session, rows)       # with the page: a re-run never doubles a rise
                self.progress.advance(len(page.rows))
                for bad in page.bad:
                    self._quarantine(session, bad)
                state.set_cursor(session, S.CONTACTS_STREAM, max(page.checkpoint_ms, since))

    def pull_email_events(self) -> None:
        """Email events since the cursor (less the overlap): every documented type is read and counted; engagement
        and state become touchpoints, obsolete events stop counting (an earlier read's rows are dropped)."""
        with session_scope(self.engine) as session:
            since = state.get_cursor(session, S.EMAIL_EVENTS_STREAM) or self.floor_ms
            forgotten = ForgottenFilter(session)
        self.progress.step("pulling email events")
        start = max(since - S.EMAIL_EVENTS_OVERLAP_MS, self.floor_ms)
        for events, checkpoint in fetch_email_event_pages(self.client, start, self.until_ms):
            reads, names = [], {}
            with session_scope(self.engine) as session:
                for event in events:
                    try:
                        reads.append(read_email_event(event, self.matcher))
                    except BadRecordError as bad:
                        self._quarantine(session, bad)
                    named = email_campaign_name(event)
                    if named:
                        names[named[0]] = named[1]
                causes = {r.caused_by for r in reads if r.caused_by}
                drop_caused_unsubscribes(reads, events, store.email_event_kinds(session, causes) if causes else {})
                for status, n in Counter(r.status for r in reads).items():
                    self._add(f"email_events_{status}", n)
                obsolete = [r.identity for r in reads if r.status == "obsolete"]
                self._add("touchpoints_obsoleted", store.drop_email_touchpoints(session, obsolete))
                rows = _deliveries_that_matter(session, [row for r in reads for row in r.rows])
                store.save_campaign_names(session, names)
                self._add("email_events_read", len(events))
                self.progress.advance(len(events))
                new = store.save_touchpoint_rows(session, forgotten.touchpoints(rows))
                self._add("touchpoints_new", len(new))
                types = {r.identity: r.etype for r in reads}
                for etype, n in Counter(types[sid] for sid in {sid for sid, _kind in new}).items():
                    self._add(f"email_new_{etype.lower()}", n)      # events with something new, per HubSpot type
                state.set_cursor(session, S.EMAIL_EVENTS_STREAM, max(checkpoint, since))

    def capabilities(self) -> dict[str, str]:
        """The capability facts, each unknown one probed again now (with a contact just pulled) and recorded."""
        with session_scope(self.engine) as session:
            facts = {k: state.get_fact(session, k) for k in
                     (capabilities.FACT_EMAIL_EVENTS, capabilities.FACT_WEB_EVENTS, capabilities.FACT_FORMS)}
            sample = session.exec(select(Contact.id).where(Contact.merged_into.is_(None),
                                                           Contact.archived.is_(False)).limit(1)).first()
        for name, value in facts.items():
            if capabilities.is_unknown(value):
                facts[name] = capabilities.reprobe(self.client, name, sample)
                with session_scope(self.engine) as session:
                    state.set_fact(session, name, facts[name])
                log.info("re-probed %s: %s", name, facts[name])
        return facts

    def pull_web_events(self) -> bool:
        """Page views, per contact whose analytics rollup moved past its web cursor (the API is per object).
        False when HubSpot refuses the events API (a portal no longer Enterprise): recorded as "no", counted
        as one warning, and the run goes on with counter deltas instead."""
        with session_scope(self.engine) as session:
            todo = store.contacts_needing_web_pull(session, self.floor_ms, S.WEB_EVENTS_OVERLAP_MS)
        self.progress.step("pulling page views: contacts", total=len(todo))
        for contact_id, from_ms in todo:
            rows, bad_records = [], []
            try:
                pages = list(fetch_web_events(self.client, contact_id, from_ms, self.until_ms))
            except FatalError as exc:
                if exc.status not in (402, 403):
                    raise
                self._web_events_refused(exc)
                return False
            for events in pages:
                for event in events:
                    try:
                        rows.extend(web_event_touchpoints(contact_id, event, self.matcher))
                    except BadRecordError as bad:
                        bad_records.append(bad)
            with session_scope(self.engine) as session:
                for bad in bad_records:
                    self._quarantine(session, bad)
                self._add("touchpoints_new", store.save_touchpoints(session, rows))
                store.set_web_cursor(session, contact_id, self.until_ms)
            self._add("web_contacts_read", 1)
            self.progress.advance(1)
        return True

    def _web_events_refused(self, exc: FatalError) -> None:
        with session_scope(self.engine) as session:
            state.set_fact(session, capabilities.FACT_WEB_EVENTS, "no")
        message = (f"HubSpot refused web analytics events ({exc.status}; the API needs an Enterprise hub): "
                   "page views switched off, HubSpot's visit counters used instead")
        log.warning(message)
        self.warnings.append(message)
        self._add("warnings", 1)

    def pull_counter_deltas(self, *, web_events: bool) -> None:
        """Rises of HubSpot's web counters since the last credit become touchpoints, unless page views were read
        per event this run (Enterprise): then they only move the baseline (connector/counters.py)."""
        new, credited = credit_counters(self.engine, make_touchpoints=not web_events)
        self._add("touchpoints_new", new)
        if not web_events:
            self._add("counter_touchpoints", new)

    def pull_ats(self) -> None:
        """DESIGN step 3: the ATS after HubSpot, each stream from its own cursor; HubSpot owners for recruiters."""
        if self.settings.ats_kind == "none":
            return
        from connector.ats.pull import pull_ats
        from connector.hubspot.pull import fetch_owner_pages
        from connector.state.owners import save_owners
        try:
            owners = list(fetch_owner_pages(self.client))
        except AuthError as exc:     # no crm.objects.owners.read: recruiters stay unmapped, the pull goes on
            log.warning("HubSpot owners unavailable, recruiters are not mapped: %s", exc)
        else:
            with session_scope(self.engine) as session:
                save_owners(session, owners)
        for key, n in pull_ats(self.settings, self.engine, dt_to_ms(self.now), self.progress, self.run_id).items():
            self._add(key, n)

    def pull_forms(self) -> None:
        """Each form's submissions since its own cursor; the cursor moves when the walk reached it (newest first)."""
        ids = (self.settings.application_form_ids, self.settings.start_application_form_ids)
        forms = fetch_forms(self.client)
        self.progress.step("pulling form submissions: forms", total=len(forms))
        if unknown := unknown_form_ids(forms, *ids):     # once per run, not fatal: the form may come later
            log.warning("form ids configured but not in the portal: %s", ", ".join(unknown))
            self._add("forms_unknown_configured", len(unknown))
        for form in forms:
            stream = S.FORMS_STREAM_PREFIX + form.guid
            with session_scope(self.engine) as session:
                since = state.get_cursor(session, stream)
            if form.archived and since is not None:
                self.progress.advance(1)
                continue    # read through once; an archived form takes no new submissions
            stop = max((since or 0) - S.FORM_SUBMISSIONS_OVERLAP_MS, self.floor_ms)
            for page in fetch_form_pages(self.client, form, stop, self.until_ms, self.matcher, *ids):
                with session_scope(self.engine) as session:
                    for bad in page.bad:
                        self._quarantine(session, bad)
                    self._add("form_submissions_read", page.read)
                    self._add("touchpoints_new", store.save_touchpoints(session, page.rows))
                    if page.done:
                        state.set_cursor(session, stream, max(self.until_ms, since or 0))
            self.progress.advance(1)

