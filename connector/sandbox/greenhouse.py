"""The Greenhouse sandbox: Harvest v3 (jobs, candidates, applications, rejection reasons, users), the OAuth
token endpoint and the public Job Board API, rendered from the shared AtsWorld.

Strict where Greenhouse is awkward (reference/ats-apis.md §3.1):
- OAuth client credentials: POST /token with HTTP Basic client_id:secret and a form body [V]; tokens live
  `token_ttl_s` (1 h [V]) and `expire_tokens()` ends every issued token at once (mid-sync expiry).
- Cursor paging: `per_page` (1-500) and filters on the first request only; follow-up pages are the
  `Link: <...>; rel="next"` URL, whose `cursor` must be the only query parameter, else 422 [V].
- `updated_at=gte|<ISO>` (gte/lte/gt/lt) filters [V]; 50 requests per 10 s, then 429 with Retry-After and
  X-RateLimit-Reset [V for v1; v3 numbers unconfirmed, so v1's are kept: U].
- Shapes are flat v3 records [C]; list bodies are JSON arrays and errors `{"error": "..."}` [U].
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote

from .ats_server import AtsSandbox, SandboxError
from .ats_world import REJECT_REASONS, WApplication, WJob, WPerson

PER_PAGE_DEFAULT, PER_PAGE_MAX = 100, 500      # [V]
TOKEN_TTL_S = 3600                              # [V] partner-flow doc
FILTER_OPS = ("gte", "lte", "gt", "lt")        # [V]
BOARD_TOKEN = "examplecareers"


def iso(ms: int | None) -> str | None:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z" if ms else None


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


class GreenhouseSandbox(AtsSandbox):
    NAME = "greenhouse"
    ROUTES = [
        ("POST", "/token", "issue_token"),
        ("GET", "/v3/jobs", "list_jobs"),
        ("GET", "/v3/candidates", "list_candidates"),
        ("GET", "/v3/applications", "list_applications"),
        ("GET", "/v3/rejection_reasons", "list_reasons"),
        ("GET", "/v3/users", "list_users"),
        ("GET", "/v1/boards/{board}/jobs", "board_jobs"),
    ]
    LISTS = {"/v3/jobs": "jobs", "/v3/candidates": "candidates", "/v3/applications": "applications",
             "/v3/rejection_reasons": "reasons", "/v3/users": "users"}

    def __init__(self, *, client_id: str = "gh-sandbox-client", client_secret: str = "gh-sandbox-secret",
                 rate_limit: int = 50, rate_window_s: float = 10.0, token_ttl_s: float = TOKEN_TTL_S, **kw):
        self.client_id, self.client_secret = client_id, client_secret
        self.board_token = BOARD_TOKEN
        self.token_ttl_s = token_ttl_s
        self.tokens: dict[str, float] = {}          # access token → monotonic expiry
        self.tokens_issued = 0
        super().__init__(token=client_secret, rate_limit=rate_limit, rate_window_s=rate_window_s, **kw)

    def reset(self, *, seed: bool = True) -> None:
        self.tokens.clear()
        self.tokens_issued = 0
        super().reset(seed=seed)

    def expire_tokens(self) -> None:
        """Every token issued so far stops working now (as at the end of its hour)."""
        for token in self.tokens:
            self.tokens[token] = 0.0

    # --- hooks -------------------------------------------------------------------------------------

    def fault_payload(self, status: int) -> object:
        words = {401: "Unauthorized", 404: "Not Found", 422: "Unprocessable Entity", 429: "Too Many Requests"}
        return {"error": words.get(status, "Internal Server Error")}

    def authorize(self, path, auth, raw) -> str:
        if path.startswith("/v1/boards/"):          # the Job Board API needs no credentials [V]
            return "board"
        if path == "/token":
            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if auth != expected:
                raise SandboxError(401, {"error": "invalid_client"})
            return "token"
        token = (auth or "").removeprefix("Bearer ")
        if not auth or not auth.startswith("Bearer ") or self.tokens.get(token, 0.0) <= time.monotonic():
            raise SandboxError(401, {"error": "Unauthorized: the access token is invalid or expired"})
        return self.client_id

    def limit_headers(self, remaining: int, wait: float | None) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit.limit), "X-RateLimit-Remaining": str(remaining)}
        if wait is not None:
            headers["Retry-After"] = str(max(1, int(-(-wait // 1))))
            headers["X-RateLimit-Reset"] = str(int(time.time() + wait) + 1)
        return headers

    # --- token -------------------------------------------------------------------------------------

    def issue_token(self, params, query, raw):
        form = parse_qs((raw or b"").decode("utf-8", "replace"))
        if form.get("grant_type") != ["client_credentials"]:
            raise SandboxError(400, {"error": "unsupported_grant_type"})
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.token_ttl_s
        self.tokens_issued += 1
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": int(self.token_ttl_s)}, {}

    # --- rendering ---------------------------------------------------------------------------------

    def _job(self, job: WJob) -> dict:
        return {"id": job.id, "name": job.title, "status": job.state, "requisition_id": job.slug,
                "created_at": iso(job.updated_ms), "updated_at": iso(job.updated_ms),
                "recruiter_ids": [self._user_id(job.recruiter)]}

    def _user_id(self, email: str) -> int:
        return 7_700 + sorted({j.recruiter for j in self.world.jobs.values()}).index(email)

    def _candidate(self, person: WPerson) -> dict:
        kinds = ["personal", "work", "other"]
        return {"id": person.id, "first_name": person.first, "last_name": person.last,
                "email_addresses": [{"value": e, "type": kinds[min(i, 2)]} for i, e in enumerate(person.emails)],
                "created_at": iso(person.created_ms), "updated_at": iso(person.updated_ms)}

    def _application(self, app: WApplication) -> dict:
        job = self.world.jobs[app.job_id]
        status = {"active": "in_process"}.get(app.status, app.status)
        return {"id": app.id, "candidate_id": app.person_id, "job_id": app.job_id, "job_post_id": app.job_id + 50_000,
                "stage_id": app.job_id * 100 + job.stage_names().index(app.stage), "stage_name": app.stage,
                "status": status, "prospect": app.prospect,
                "rejection_reason_id": 900 + app.reason if app.reason is not None else None,
                "recruiter_id": self._user_id(job.recruiter), "created_at": iso(app.created_ms),
                "updated_at": iso(app.updated_ms), "last_activity_at": iso(app.updated_ms),
                "rejected_at": iso(app.closed_ms) if app.status == "rejected" else None,
                "hired_at": iso(app.closed_ms) if app.status == "hired" else None}

    def _records(self, kind: str) -> list[dict]:
        w = self.world
        if kind == "jobs":
            return [self._job(j) for j in w.jobs.values()]
        if kind == "candidates":
            return [self._candidate(p) for p in w.people.values()]
        if kind == "applications":
            return [self._application(a) for a in w.applications()]
        if kind == "reasons":
            return [{"id": 900 + i, "name": n, "type": {"name": "They rejected us" if "withdrew" in n else "We rejected them"}}
                    for i, n in enumerate(REJECT_REASONS)]
        return [{"id": self._user_id(e), "primary_email_address": e} for e in sorted({j.recruiter for j in w.jobs.values()})]

    # --- cursor paging -----------------------------------------------------------------------------

    def _page(self, path: str, query: dict) -> tuple[int, list, dict]:
        if "cursor" in query:
            if set(query) != {"cursor"} or len(query["cursor"]) != 1:
                raise SandboxError(422, {"error": "cursor must be the only query parameter"})
            state = _decode(query["cursor"][0])
            if state.get("path") != path:
                raise SandboxError(422, {"error": "cursor does not belong to this endpoint"})
        else:
            state = {"path": path, "after": 0, "per_page": _per_page(query), "filters": _filters(query)}
        rows = sorted(self._records(self.LISTS[path]), key=lambda r: r["id"])
        rows = [r for r in rows if r["id"] > state["after"] and _passes(r, state["filters"])]
        page = rows[:state["per_page"]]
        headers = {}
        if len(rows) > len(page):
            nxt = _encode({**state, "after": page[-1]["id"]})
            headers["Link"] = f'<{self.url}{path}?cursor={quote(nxt)}>; rel="next"'
        return 200, page, headers

    def list_jobs(self, params, query, raw):
        return self._page("/v3/jobs", query)

    def list_candidates(self, params, query, raw):
        return self._page("/v3/candidates", query)

    def list_applications(self, params, query, raw):
        return self._page("/v3/applications", query)

    def list_reasons(self, params, query, raw):
        return self._page("/v3/rejection_reasons", query)

    def list_users(self, params, query, raw):
        return self._page("/v3/users", query)

    def board_jobs(self, params, query, raw):
        if params["board"] != self.board_token:
            raise SandboxError(404, {"status": 404, "error": "Job board not found"})
        jobs = [{"id": j.id + 50_000, "internal_job_id": j.id, "title": j.title, "absolute_url": j.url,
                 "updated_at": iso(j.updated_ms)} for j in self.world.jobs.values() if j.state == "open"]
        return 200, {"jobs": jobs, "meta": {"total": len(jobs)}}, {}


def _per_page(query: dict) -> int:
    raw = (query.get("per_page") or [str(PER_PAGE_DEFAULT)])[0]
    if not raw.isdigit() or not 1 <= int(raw) <= PER_PAGE_MAX:
        raise SandboxError(422, {"error": f"per_page must be between 1 and {PER_PAGE_MAX}"})
    return int(raw)


def _filters(query: dict) -> list[tuple[str, str, int]]:
    out = []
    for name, values in query.items():
        if name == "per_page":
            continue
        if name not in ("updated_at", "created_at"):
            raise SandboxError(422, {"error": f"unknown parameter {name}"})
        op, _, when = values[0].partition("|")
        try:
            out.append((name, op, _ms(when)))
        except ValueError:
            raise SandboxError(422, {"error": f"{name} must be <op>|<ISO-8601 time>"}) from None
        if op not in FILTER_OPS:
            raise SandboxError(422, {"error": f"{name} operator must be one of {', '.join(FILTER_OPS)}"})
    return out


def _passes(row: dict, filters) -> bool:
    for name, op, when in filters:
        value = _ms(row[name]) if row.get(name) else None
        if value is None:
            return False
        if not {"gte": value >= when, "lte": value <= when, "gt": value > when, "lt": value < when}[op]:
            return False
    return True


def _encode(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _decode(token: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise SandboxError(422, {"error": "invalid cursor"}) from None
