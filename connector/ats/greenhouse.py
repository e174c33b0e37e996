"""Greenhouse Harvest v3 adapter: jobs, candidates and applications, each its own stream with an updated_at
cursor; public job URLs from the Job Board API.

Wire facts (reference/ats-apis.md §3.1): OAuth client credentials at {auth}/token, HTTP Basic
client_id:secret, form grant_type=client_credentials[&sub=user] [V]; tokens last 1 h [V]: cached until a minute
before expiry and renewed on a 401, repeating the same page. Cursor paging: filters and per_page on the first
request only, then the `Link: rel="next"` URL verbatim (the cursor must be the only parameter) [V]; cursors are
not documented as durable [U], so a stream's cursor only moves at its last page, to the pull's start.
`updated_at=gte|<ISO>` [V]. Flat v3 records with `status`, `prospect`, `stage_name` [C]; a rejection whose reason
type is "They rejected us" is a withdrawal [V v1]; `recruiter_id` → /v3/users [U].
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import requests
from requests.utils import parse_header_links

from connector.ats.base import Application, Candidate, Job, Page
from connector.ats.http import AtsHttp, map_answer
from connector.ats.stages import StageMapper
from connector.ats.timefmt import iso_z, parse_when
from connector.config import Settings
from connector.emails import normalize_email
from connector.errors import FatalError, RetryableError

KIND = "greenhouse"
JOBS, CANDIDATES, APPLICATIONS = f"{KIND}.jobs", f"{KIND}.candidates", f"{KIND}.applications"
TOKEN_MARGIN_S = 60
PER_PAGE_MAX = 500                     # [V]
CREDENTIALS = "GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET"
WITHDREW_TYPE = "they rejected us"     # [V v1] rejection_reason.type.name


class GreenhouseAdapter:
    """Pulls one Greenhouse organisation through Harvest v3 with OAuth client credentials."""

    kind = KIND
    streams = (JOBS, CANDIDATES, APPLICATIONS)

    def __init__(self, settings: Settings, mapper: StageMapper, *, clock=time.monotonic):
        self.settings, self.mapper, self._clock = settings, mapper, clock
        self.base = f"{settings.greenhouse_base_url}/v3"
        self.per_page = min(PER_PAGE_MAX, settings.ats_page_size)
        self.overlap_s = settings.ats_overlap_seconds
        self._token: str | None = None
        self._token_expires = 0.0
        self.tokens_fetched = 0
        self.http = AtsHttp(KIND, timeout_s=settings.ats_timeout_seconds, max_retries=settings.ats_max_retries,
                            credentials=CREDENTIALS, authorize=self._authorization, renewable=True)
        self._reasons: dict[str, str] = {}
        self._users: dict[str, str] = {}

    @property
    def requests(self) -> int:
        return self.http.requests

    # --- token -------------------------------------------------------------------------------------

    def _authorization(self, renew: bool) -> str:
        if renew or self._token is None or self._clock() >= self._token_expires:
            self._fetch_token()
        return f"Bearer {self._token}"

    def _fetch_token(self) -> None:
        s = self.settings
        form = {"grant_type": "client_credentials"}
        if s.greenhouse_user_id:
            form["sub"] = s.greenhouse_user_id
        self.http.requests += 1
        try:
            resp = self.http.session.post(f"{s.greenhouse_auth_url}/token", data=form, timeout=self.http.timeout,
                                          auth=(s.greenhouse_client_id, s.greenhouse_client_secret))
        except requests.RequestException as exc:
            raise RetryableError(f"greenhouse token endpoint unreachable ({type(exc).__name__})", source=KIND) from None
        body = _json(resp)
        if resp.status_code >= 400:
            raise map_answer(KIND, resp.status_code, body, resp.headers, "the token request", CREDENTIALS)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise FatalError("greenhouse sent a token answer without access_token", source=KIND)
        self._token = body["access_token"]
        self._token_expires = self._clock() + max(0, int(body.get("expires_in") or 0) - TOKEN_MARGIN_S)
        self.tokens_fetched += 1

    # --- paging ------------------------------------------------------------------------------------

    def _pages(self, what: str, path: str, since_ms: int | None) -> Iterator[list[dict]]:
        """Every page of a list: filters on the first request, then the next link exactly as given."""
        params: dict = {"per_page": self.per_page}
        if since_ms is not None:
            floor = datetime.fromtimestamp(max(0, since_ms / 1000 - self.overlap_s), UTC)
            params["updated_at"] = f"gte|{iso_z(floor)}"
        url: str | None = f"{self.base}{path}"
        while url:
            answer = self.http.get(what, url, params)
            if not isinstance(answer.body, list):
                raise FatalError(f"greenhouse sent {what} that is not a list", source=KIND)
            yield answer.body
            url, params = _next_link(answer.headers.get("Link")), None

    def fetch_pages(self, cursors: dict[str, int | None]) -> Iterator[Page]:
        self._reasons = {str(r["id"]): ((r.get("type") or {}).get("name") or "").lower()
                         for page in self._pages("rejection reasons", "/rejection_reasons", None) for r in page}
        self._users = {str(u["id"]): normalize_email(u.get("primary_email_address"))
                       for page in self._pages("users", "/users", None) for u in page}
        urls = self._board_urls()
        for stream, path, convert in ((JOBS, "/jobs", lambda r: self._job(r, urls)),
                                      (CANDIDATES, "/candidates", self._candidate),
                                      (APPLICATIONS, "/applications", self._application)):
            started_ms = int(time.time() * 1000)
            pending = None
            for rows in self._pages(stream.split(".")[1], path, cursors.get(stream)):
                if pending is not None:
                    yield pending
                pending = _page(stream, [convert(r) for r in rows])
            pending = pending or Page(stream=stream)
            pending.cursor_ms = started_ms      # the stream is complete: its cursor may move
            yield pending

    def _board_urls(self) -> dict[str, str]:
        """Job id → public job-board URL (the Job Board API needs no credentials) [V]."""
        token = self.settings.greenhouse_board_token
        if not token:
            return {}
        answer = self.http.get("job board", f"{self.settings.greenhouse_boards_url}/v1/boards/{token}/jobs")
        return {str(j.get("internal_job_id")): j.get("absolute_url") for j in answer.body.get("jobs", [])
                if j.get("absolute_url")}

    # --- records -----------------------------------------------------------------------------------

    def _job(self, raw: dict, urls: dict[str, str]) -> Job:
        jid = str(raw["id"])
        recruiters = [self._users.get(str(i)) for i in raw.get("recruiter_ids") or []]
        url = urls.get(jid)
        return Job(id=jid, title=raw.get("name") or f"job {jid}", state="open" if raw.get("status") == "open" else "closed",
                   public_url=url, apply_url=f"{url}#app" if url else None,    # the embedded form's anchor [U]
                   recruiter=next((r for r in recruiters if r), None), updated_at=parse_when(raw.get("updated_at")))

    def _candidate(self, raw: dict) -> Candidate:
        emails = tuple(dict.fromkeys(e for e in (normalize_email(a.get("value")) for a in raw.get("email_addresses") or [])
                                     if e))
        return Candidate(id=str(raw["id"]), emails=emails, first_name=raw.get("first_name"),
                         last_name=raw.get("last_name"), updated_at=parse_when(raw.get("updated_at")))

    def _application(self, raw: dict) -> Application:
        status = raw.get("status")
        native_phase = "prospect" if raw.get("prospect") else ("hired" if status == "hired" else None)
        native_outcome = None
        if status == "hired":
            native_outcome = "hired"
        elif status == "rejected":
            reason = self._reasons.get(str(raw.get("rejection_reason_id")), "")
            native_outcome = "withdrawn" if reason == WITHDREW_TYPE else "rejected"
        mapping = self.mapper.map(raw.get("stage_name"), native_phase=native_phase, native_outcome=native_outcome)
        closed = parse_when(raw.get("hired_at") or raw.get("rejected_at")) if native_outcome else None
        return Application(
            id=str(raw["id"]), candidate_id=str(raw["candidate_id"]), job_id=str(raw["job_id"]) if raw.get("job_id") else None,
            phase=mapping.phase, outcome=mapping.outcome, stage_name=raw.get("stage_name"),
            applied_at=parse_when(raw.get("created_at")), updated_at=parse_when(raw.get("updated_at")),
            closed_at=closed or (parse_when(raw.get("updated_at")) if native_outcome else None),
            recruiter=self._users.get(str(raw.get("recruiter_id"))))


def _page(stream: str, records: list) -> Page:
    page = Page(stream=stream)
    target = {JOBS: page.jobs, CANDIDATES: page.candidates, APPLICATIONS: page.applications}[stream]
    target.extend(records)
    return page


def _next_link(header: str | None) -> str | None:
    for link in parse_header_links(header or ""):
        if link.get("rel") == "next" and link.get("url"):
            return link["url"]
    return None


def _json(resp):
    try:
        return resp.json()
    except ValueError:
        return None
