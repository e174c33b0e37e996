"""The Recruitee sandbox: the company API under /c/{company_id} for offers, candidates (with placements),
candidate search and disqualify reasons, rendered from the shared AtsWorld.

Strict where Recruitee is awkward: `/candidates` without `limit` returns every candidate, slowly [V: "no
limit returns all"]; search without `limit` returns 60 [V]; a per-token rate limit answers 429 with
Retry-After (Recruitee publishes no numbers: 100 per 60 s is our stricter guess [U]); errors are
`{"error": "..."}` [U]. Pipeline stage categories are [U] too: some stages carry one, custom ones do not.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .ats_server import AtsSandbox, SandboxError
from .ats_world import REJECT_REASONS, STAGES, WApplication, WJob, WPerson

COMPANY_ID = "70421"
SEARCH_DEFAULT_LIMIT = 60          # [V] reference/ats-apis.md §2
SEARCH_MAX_LIMIT = 10_000          # [V]
LIST_MAX_LIMIT = 1_000             # [U]
UNBOUNDED_DELAY_S = 0.5            # a list without limit "is slow and hits the DB" [V]
TALENT_POOL = {"id": 29_001, "slug": "engineering-talent-pool", "title": "Engineering talent pool", "kind": "talent_pool",
               "status": "published", "careers_url": None, "careers_apply_url": None, "pipeline_template": {"stages": []}}
CATEGORIES = {0: "apply", 1: "phone_screen", 2: "interview", 4: "offer", 5: "hire"}   # index in STAGES → [U]


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def stage_id(job: WJob, name: str) -> int:
    return job.id * 100 + job.stage_names().index(name)


class RecruiteeSandbox(AtsSandbox):
    NAME = "recruitee"
    ROUTES = [
        ("GET", "/c/{company}/offers", "offers"),
        ("GET", "/c/{company}/candidates", "candidates"),
        ("GET", "/c/{company}/candidates/{candidate_id}", "candidate"),
        ("GET", "/c/{company}/search/new/candidates", "search"),
        ("GET", "/c/{company}/disqualify_reasons", "reasons"),
    ]

    def __init__(self, *, token: str = "recruitee-sandbox-token", company_id: str = COMPANY_ID,
                 rate_limit: int = 100, rate_window_s: float = 60.0, **kw):
        self.company_id = company_id
        super().__init__(token=token, rate_limit=rate_limit, rate_window_s=rate_window_s, **kw)

    # --- hooks -------------------------------------------------------------------------------------

    def authorize(self, path, auth, raw) -> str:
        if auth != f"Bearer {self.token}":
            raise SandboxError(401, {"error": "Unauthorized"})
        parts = path.split("/")
        if len(parts) > 2 and parts[1] == "c" and parts[2] != self.company_id:
            raise SandboxError(403, {"error": "Forbidden: the token has no access to this company"})
        return self.token

    def fault_payload(self, status: int) -> object:
        words = {401: "Unauthorized", 404: "Not found", 429: "Too many requests"}
        return {"error": words.get(status, "Internal server error")}

    # --- rendering ---------------------------------------------------------------------------------

    def _offer(self, job: WJob) -> dict:
        stages = [{"id": stage_id(job, n), "name": n, "position": i, "group": None,
                   "category": CATEGORIES.get(STAGES.index(n)) if n in STAGES else None}
                  for i, n in enumerate(job.stage_names())]
        return {"id": job.id, "slug": job.slug, "title": job.title, "kind": "job",
                "status": "published" if job.state == "open" else "closed",
                "careers_url": job.url, "careers_apply_url": job.apply_url, "url": job.url,
                "hiring_manager": {"id": 1, "email": job.recruiter}, "created_at": iso(job.updated_ms),
                "updated_at": iso(job.updated_ms), "pipeline_template": {"stages": stages}}

    def _placement(self, app: WApplication) -> dict:
        job = self.world.jobs[app.job_id]
        hired = app.status == "hired"
        if app.prospect:
            return {"id": app.id, "candidate_id": app.person_id, "offer_id": TALENT_POOL["id"], "stage_id": None,
                    "created_at": iso(app.created_ms), "updated_at": iso(app.updated_ms), "hired_at": None,
                    "hired_in_this_placement": False, "disqualified_at": None, "disqualify_reason_id": None}
        return {"id": app.id, "candidate_id": app.person_id, "offer_id": app.job_id, "stage_id": stage_id(job, app.stage),
                "created_at": iso(app.created_ms), "updated_at": iso(app.updated_ms),
                "hired_at": iso(app.closed_ms) if hired else None, "hired_in_this_placement": hired,
                "disqualified_at": iso(app.closed_ms) if app.status == "rejected" else None,
                "disqualify_reason_id": 900 + app.reason if app.reason is not None else None}

    def _candidate(self, person: WPerson) -> dict:
        return {"id": person.id, "name": f"{person.first} {person.last}", "emails": list(person.emails),
                "phones": [], "created_at": iso(person.created_ms), "updated_at": iso(person.updated_ms),
                "placements": [self._placement(a) for a in person.applications]}

    # --- routes ------------------------------------------------------------------------------------

    def offers(self, params, query, raw):
        # Prospects sit in a talent pool (an offer of kind talent_pool) [U], not in the job's pipeline.
        return 200, {"offers": [self._offer(j) for j in self.world.jobs.values()] + [TALENT_POOL]}, {}

    def reasons(self, params, query, raw):
        return 200, {"disqualify_reasons": [{"id": 900 + i, "name": n} for i, n in enumerate(REJECT_REASONS)]}, {}

    def candidate(self, params, query, raw):
        person = self.world.people.get(int(params["candidate_id"])) if params["candidate_id"].isdigit() else None
        if person is None:
            raise SandboxError(404, {"error": "Not found"})
        return 200, {"candidate": self._candidate(person)}, {}

    def candidates(self, params, query, raw):
        people = sorted(self.world.people.values(), key=lambda p: -p.created_ms)
        limit = _int(query, "limit", None, LIST_MAX_LIMIT)
        offset = _int(query, "offset", 0, 10**9) or 0
        if limit is None:
            self._stopping.wait(UNBOUNDED_DELAY_S)
            chosen = people[offset:]
        else:
            chosen = people[offset:offset + limit]
        return 200, {"candidates": [self._candidate(p) for p in chosen]}, {}

    def search(self, params, query, raw):
        limit = _int(query, "limit", SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT)
        offset = _int(query, "offset", 0, 10**9) or 0
        people = [p for p in self.world.people.values() if _passes(p, _filters(query))]
        sort = (query.get("sort_by") or ["created_at_desc"])[0]
        field, _, direction = sort.rpartition("_")
        if field not in ("created_at", "updated_at") or direction not in ("asc", "desc"):
            raise SandboxError(400, {"error": f"Invalid sort_by: {sort}"})
        key = (lambda p: (p.updated_ms, p.id)) if field == "updated_at" else (lambda p: (p.created_ms, p.id))
        people.sort(key=key, reverse=direction == "desc")
        hits = [self._candidate(p) for p in people[offset:offset + limit]]
        return 200, {"hits": hits, "total": len(people)}, {}


def _int(query: dict, name: str, default, maximum: int):
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        raise SandboxError(400, {"error": f"Invalid {name}: {values[0]}"}) from None
    if value < 0 or value > maximum:
        raise SandboxError(400, {"error": f"{name} must be between 0 and {maximum}"})
    return value


def _filters(query: dict) -> list[dict]:
    raw = (query.get("filters") or ["[]"])[0]
    try:
        filters = json.loads(raw)
    except ValueError:
        raise SandboxError(400, {"error": "filters must be a JSON array"}) from None
    if not isinstance(filters, list) or not all(isinstance(f, dict) and "field" in f for f in filters):
        raise SandboxError(400, {"error": "filters must be a JSON array of {field, ...} objects"})
    for f in filters:
        if f["field"] not in ("created_at", "updated_at") or not set(f) - {"field"} <= {"gte", "lte"}:
            raise SandboxError(400, {"error": f"Unsupported filter: {json.dumps(f)}"})
    return filters


def _passes(person: WPerson, filters: list[dict]) -> bool:
    for f in filters:
        value = (person.updated_ms if f["field"] == "updated_at" else person.created_ms) // 1000   # unix seconds
        if "gte" in f and value < int(f["gte"]) or "lte" in f and value > int(f["lte"]):
            return False
    return True


def serve(host: str = "127.0.0.1", port: int = 8766, **kw) -> RecruiteeSandbox:
    return RecruiteeSandbox(host=host, port=port, **kw).start()
