"""Recruitee adapter: offers → Jobs, candidates → Candidates, each placement → one Application.

Wire facts (reference/ats-apis.md §3.3): Bearer personal API token, paths under /c/{company_id} [V];
offset paging with `limit` (a list without `limit` returns everything: slow, so we always send it) [V];
placements are the applications [C]; offers carry careers_url / careers_apply_url [V].
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from connector.ats.base import Application, Candidate, Job, Page
from connector.ats.http import AtsHttp
from connector.ats.stages import StageMapper, keyword_target
from connector.ats.timefmt import parse_when, to_ms
from connector.config import Settings
from connector.emails import normalize_email
from connector.errors import FatalError

KIND = "recruitee"
CANDIDATES = "recruitee.candidates"
# Stage categories [U: values not confirmed by Recruitee's docs]; other categories fall through to keywords.
CATEGORY_PHASES = {"apply": "applied", "applied": "applied", "phone_screen": "screening", "screening": "screening",
                   "interview": "interview", "evaluation": "interview", "offer": "offer", "hire": "hired",
                   "hired": "hired"}
# Offers that are talent pools hold sourced people, not applicants [U].
TALENT_POOL_KINDS = ("talent_pool",)
OPEN_STATUSES = ("published", "internal")


class RecruiteeAdapter:
    """Pulls one Recruitee company with a personal API token."""

    kind = KIND
    streams = (CANDIDATES,)

    def __init__(self, settings: Settings, mapper: StageMapper):
        token = settings.recruitee_api_token
        self.base = f"{settings.recruitee_base_url}/c/{settings.recruitee_company_id}"
        self.page_size = settings.ats_page_size
        self.overlap_s = settings.ats_overlap_seconds
        self.mapper = mapper
        self.http = AtsHttp(KIND, timeout_s=settings.ats_timeout_seconds, max_retries=settings.ats_max_retries,
                            credentials="RECRUITEE_API_TOKEN and RECRUITEE_COMPANY_ID",
                            authorize=lambda _renew: f"Bearer {token}")
        self._offers: dict[str, dict] = {}
        self._stages: dict[str, dict] = {}
        self._reasons: dict[str, str] = {}

    @property
    def requests(self) -> int:
        return self.http.requests

    def fetch_pages(self, cursors: dict[str, int | None]) -> Iterator[Page]:
        yield Page(stream=f"{KIND}.offers", jobs=self.fetch_jobs())
        self._reasons = {str(r["id"]): r.get("name") or "" for r in
                         self.http.get("disqualify reasons", f"{self.base}/disqualify_reasons").body.get(
                             "disqualify_reasons", [])}
        yield from self.fetch_candidate_pages(cursors.get(CANDIDATES))

    def fetch_jobs(self) -> list[Job]:
        """Every offer (published, closed and archived: people applied to offers that were later closed)."""
        offers = self.http.get("offers", f"{self.base}/offers", {"view_mode": "default"}).body.get("offers", [])
        jobs = []
        for offer in offers:
            oid = str(offer["id"])
            self._offers[oid] = offer
            for stage in (offer.get("pipeline_template") or {}).get("stages", []):
                self._stages[str(stage["id"])] = stage
            jobs.append(Job(id=oid, title=offer.get("title") or f"offer {oid}",
                            state="open" if offer.get("status") in OPEN_STATUSES else "closed",
                            public_url=offer.get("careers_url"), apply_url=offer.get("careers_apply_url"),
                            recruiter=_email_of(offer.get("hiring_manager")), updated_at=parse_when(offer.get("updated_at"))))
        return jobs

    def fetch_candidate_pages(self, since_ms: int | None) -> Iterator[Page]:
        """Candidates updated since the cursor, oldest change first, `limit` per request.

        The updated_at filter on /search/new/candidates is [U] (community code uses it; Recruitee documents
        created_at): the sandbox implements it, and a full pull (no cursor) does not depend on it.
        """
        params = {"limit": self.page_size, "sort_by": "updated_at_asc"}
        if since_ms is not None:
            floor_s = max(0, since_ms // 1000 - self.overlap_s)
            params["filters"] = json.dumps([{"field": "updated_at", "gte": floor_s}])
        offset, cursor = 0, since_ms
        while True:
            body = self.http.get("candidates", f"{self.base}/search/new/candidates", {**params, "offset": offset}).body
            hits = body.get("hits") or []
            page = Page(stream=CANDIDATES)
            for hit in hits:
                cand, apps = self._candidate(hit)
                page.candidates.append(cand)
                page.applications.extend(apps)
                cursor = max(cursor or 0, to_ms(cand.updated_at) or 0)
            page.cursor_ms = cursor
            yield page
            offset += len(hits)
            if len(hits) < self.page_size or offset >= int(body.get("total") or 0):
                return

    def _candidate(self, raw: dict) -> tuple[Candidate, list[Application]]:
        try:
            cid = str(raw["id"])
        except (KeyError, TypeError):
            raise FatalError("recruitee sent a candidate without an id", source=KIND) from None
        emails = tuple(dict.fromkeys(e for e in (normalize_email(x) for x in raw.get("emails") or []) if e))
        first, _, last = (raw.get("name") or "").strip().partition(" ")
        cand = Candidate(id=cid, emails=emails, first_name=first or None, last_name=last or None,
                         updated_at=parse_when(raw.get("updated_at")))
        return cand, [self._application(cid, p) for p in raw.get("placements") or []]

    def _application(self, candidate_id: str, placement: dict) -> Application:
        offer = self._offers.get(str(placement.get("offer_id")), {})
        stage = self._stages.get(str(placement.get("stage_id")), {})
        native_phase = CATEGORY_PHASES.get(stage.get("category") or "")
        hired, disqualified = parse_when(placement.get("hired_at")), parse_when(placement.get("disqualified_at"))
        native_outcome = None
        if hired:
            native_phase, native_outcome = "hired", "hired"
        elif disqualified:
            reason = self._reasons.get(str(placement.get("disqualify_reason_id")), "")
            native_outcome = "withdrawn" if keyword_target(reason) == "withdrawn" else "rejected"
        if offer.get("kind") in TALENT_POOL_KINDS:
            native_phase = "prospect"
        mapping = self.mapper.map(stage.get("name"), native_phase=native_phase, native_outcome=native_outcome)
        return Application(
            id=str(placement["id"]), candidate_id=candidate_id, job_id=str(placement.get("offer_id")),
            phase=mapping.phase, outcome=mapping.outcome, stage_name=stage.get("name"),
            applied_at=parse_when(placement.get("created_at")), updated_at=parse_when(placement.get("updated_at")),
            closed_at=hired or disqualified, recruiter=_email_of(offer.get("hiring_manager")))


def _email_of(person) -> str | None:
    return normalize_email(person.get("email")) if isinstance(person, dict) else None
