"""The ATS step of a sync (DESIGN §1 step 3): pull each stream from its cursor, a page and its cursor in one
transaction; remember the stages seen; report unmapped stages and recruiters once per run."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.engine import Engine

from connector import state
from connector.ats.base import AtsAdapter
from connector.ats.stages import StageMapper, load_overrides
from connector.config import Settings
from connector.db import session_scope
from connector.state import ats_save, ats_store

log = logging.getLogger(__name__)


def make_adapter(settings: Settings, mapper: StageMapper) -> AtsAdapter:
    """The adapter for ATS_KIND (credentials were checked when the settings were loaded)."""
    if settings.ats_kind == "recruitee":
        from connector.ats.recruitee import RecruiteeAdapter
        return RecruiteeAdapter(settings, mapper)
    if settings.ats_kind == "greenhouse":
        from connector.ats.greenhouse import GreenhouseAdapter
        return GreenhouseAdapter(settings, mapper)
    if settings.ats_kind == "csv":
        from connector.ats.csvfile import CsvAdapter
        return CsvAdapter(settings, mapper)
    raise ValueError(f"no adapter for ATS_KIND={settings.ats_kind}")


def pull_ats(settings: Settings, engine: Engine, now_ms: int, progress: Callable[[str], None],
             run_id: int | None = None, adapter: AtsAdapter | None = None) -> dict[str, int]:
    """Pull the configured ATS into the state DB; return the counts for the run record."""
    mapper = StageMapper(load_overrides(settings.ats_stage_map_path))
    adapter = adapter or make_adapter(settings, mapper)
    counts = {"ats_jobs_pulled": 0, "ats_candidates_pulled": 0, "ats_applications_pulled": 0}
    with session_scope(engine) as session:
        cursors = {s: state.get_cursor(session, s) for s in adapter.streams}
        if hasattr(adapter, "load_known"):
            adapter.load_known(ats_save.row_hashes(session, adapter.kind))
    progress(f"pulling {adapter.kind} pages")
    advance = getattr(progress, "advance", None)     # a connector.progress.Progress counts the pages
    try:
        for page in adapter.fetch_pages(cursors):
            with session_scope(engine) as session:
                counts["ats_jobs_pulled"] += ats_save.save_jobs(session, adapter.kind, page.jobs)
                counts["ats_candidates_pulled"] += ats_save.save_candidates(session, adapter.kind, page.candidates)
                counts["ats_applications_pulled"] += ats_save.save_applications(session, adapter.kind, page.applications)
                ats_save.save_row_hashes(session, adapter.kind, page.marks)
                for bad in page.bad:
                    ats_save.quarantine_row(session, bad, run_id)
                    counts["quarantined"] = counts.get("quarantined", 0) + 1
                if page.cursor_ms is not None:
                    before = cursors.get(page.stream)
                    state.set_cursor(session, page.stream, max(page.cursor_ms, before or 0))
            if advance is not None:
                advance(1)
    finally:
        counts["ats_requests"] = adapter.requests
    with session_scope(engine) as session:
        ats_save.save_stages(session, adapter.kind, mapper, now_ms)
        unmapped = ats_save.remap_unmapped(session, adapter.kind, mapper)
    for name, n in unmapped:     # stage names are the ATS's configuration, not personal data
        log.warning("%s stage %r is not mapped to a phase (%d applications; open ones show as applied): "
                    "add it to ATS_STAGE_MAP_PATH",
                    adapter.kind, name, n)
    counts["ats_unmapped_stages"] = len(unmapped)
    return counts


def resolve_ats(settings: Settings, engine: Engine) -> dict[str, int]:
    """Join candidates to contacts and report recruiters without a HubSpot owner (DESIGN §1 step 4)."""
    overrides = ats_store.load_recruiter_map(settings.ats_recruiter_map_path)
    with session_scope(engine) as session:
        counts = ats_save.resolve_candidates(session, settings.ats_kind)
        ats_save.save_recruiter_map(session, overrides)
        unmapped = ats_store.unmapped_recruiters(session, overrides)
    if unmapped:
        log.warning("%d recruiters have no HubSpot owner (match by email or ATS_RECRUITER_MAP_PATH); "
                    "`connector status` lists them", len(unmapped))
    counts["ats_unmapped_recruiters"] = len(unmapped)
    return counts


def create_missing_contacts(settings: Settings, engine: Engine, push_new_contact, *, dry_run: bool) -> dict[str, int]:
    """ATS_CREATE_CONTACTS: a HubSpot contact (with the lawful-basis note) per candidate no contact matched.

    Ambiguous candidates are never created (their emails are on contacts already). Each creation is recorded
    at once, and HubSpot refuses a duplicate email, so a crash in between cannot create a contact twice.
    """
    with session_scope(engine) as session:
        todo = [(c.id, c.emails.split(";")[0], c.first_name, c.last_name)
                for c in ats_store.candidates_without_contact(session) if c.match == "unmatched" and c.emails]
    if dry_run or not todo:
        return {"contacts_to_create": len(todo)} if dry_run else {}
    for cid, email, first, last in todo:
        props = {"email": email, "te_lawful_basis": settings.ats_lawful_basis_note or "", "te_ats_candidate_id": cid}
        props.update({k: v for k, v in (("firstname", first), ("lastname", last)) if v})
        contact_id = push_new_contact(props)
        with session_scope(engine) as session:
            ats_save.mark_created(session, settings.ats_kind, cid, contact_id, email)
    return {"contacts_created": len(todo)}
