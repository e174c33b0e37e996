"""File export adapter (ATS_KIND=csv): CSV or XLSX exports from ATSs without an open API, one file or a folder
watched for new exports (reference/ats-apis.md §6).

Each row is one application. Headers map to canonical names through the built-in EN + NL aliases or the
ATS_CSV_COLUMNS_PATH file (`[columns] email = "E-mailadres"`). A file whose bytes did not change is skipped; in a
changed file, a row is taken when its updated_at is past the cursor (minus the overlap) or, without updated_at,
when its hash differs from the last import. A bad row (invalid email, missing job, unreadable date, unknown
status) is quarantined with file, row number, column and value; the rest is imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from connector.ats.base import Application, BadRow, Candidate, Job, Page
from connector.ats.sniff import EXCEL_SUFFIXES, read_rows
from connector.ats.stages import StageMapper, keyword_target
from connector.ats.timefmt import parse_when, to_ms
from connector.config import Settings
from connector.emails import normalize_email
from connector.errors import ConfigError
from connector.setting_values import load_toml_file

KIND = "csv"
ROWS = "csv.rows"
SUFFIXES = (".csv", ".txt", *EXCEL_SUFFIXES)
PAGE_ROWS = 500
ALIASES = {
    "application_id": ("application_id", "application id", "sollicitatie_id", "sollicitatienummer"),
    "candidate_id": ("candidate_id", "candidate id", "kandidaat_id", "kandidaatnummer"),
    "email": ("email", "e-mail", "e-mailadres", "emailadres", "email address"),
    "first_name": ("first_name", "first name", "voornaam"),
    "last_name": ("last_name", "last name", "achternaam"),
    "job_id": ("job_id", "job id", "vacature_id", "vacaturenummer", "vacancy id"),
    "job_title": ("job_title", "job title", "vacature", "functie", "vacancy"),
    "job_url": ("job_url", "job url", "vacature_url", "url"),
    "stage": ("stage", "fase", "stap"),
    "status": ("status",),
    "applied_at": ("applied_at", "applied", "sollicitatiedatum", "datum sollicitatie"),
    "updated_at": ("updated_at", "updated", "gewijzigd", "laatst gewijzigd", "gewijzigd op"),
    "rejected_at": ("rejected_at", "afgewezen op", "datum afwijzing"),
    "hired_at": ("hired_at", "aangenomen op", "datum in dienst"),
}
REQUIRED = ("email", "job_id")
OPEN_WORDS = ("", "open", "active", "actief", "in behandeling", "lopend", "in process", "in_process")
DATE_COLUMNS = ("applied_at", "updated_at", "rejected_at", "hired_at")


def load_columns(path: str | None) -> dict[str, tuple[str, ...]]:
    """Aliases per canonical column: the file's `[columns]` first, then the built-in ones."""
    aliases = {k: tuple(v) for k, v in ALIASES.items()}
    if not path:
        return aliases
    data = load_toml_file("ATS_CSV_COLUMNS_PATH", path)
    for name, header in (data.get("columns") or {}).items():
        if name not in ALIASES:
            raise ConfigError(f"ATS_CSV_COLUMNS_PATH={path}: {name!r} is not a column ({', '.join(ALIASES)})")
        headers = header if isinstance(header, list) else [header]
        aliases[name] = tuple(str(h).strip().lower() for h in headers) + aliases[name]
    return aliases


class CsvAdapter:
    """Reads export files; `known` (row key → hash, file → hash) comes from the state DB before a pull."""

    kind = KIND
    streams = (ROWS,)

    def __init__(self, settings: Settings, mapper: StageMapper):
        self.path = Path(settings.ats_csv_path or ".")
        self.aliases = load_columns(settings.ats_csv_columns_path)
        self.overlap_ms = settings.ats_overlap_seconds * 1000
        self.mapper = mapper
        self.known: dict[str, str] = {}
        self.requests = 0            # files read: the file adapter's "requests"

    def load_known(self, known: dict[str, str]) -> None:
        self.known = dict(known)

    def files(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(p for p in self.path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        if self.path.is_file():
            return [self.path]
        raise ConfigError(f"ATS_CSV_PATH={self.path} is neither a file nor a folder")

    def fetch_pages(self, cursors: dict[str, int | None]) -> Iterator[Page]:
        since = cursors.get(ROWS)
        floor = since - self.overlap_ms if since is not None else None
        cursor = since
        for path in self.files():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if self.known.get(f"file:{path.name}") == digest:
                continue                    # this export was imported as it is
            self.requests += 1
            for page in self._file_pages(path, floor):
                cursor = max([c for c in (cursor, page.cursor_ms) if c is not None], default=None)
                page.cursor_ms = cursor
                yield page
            yield Page(stream=ROWS, cursor_ms=cursor, marks={f"file:{path.name}": digest})

    def _file_pages(self, path: Path, floor: int | None) -> Iterator[Page]:
        rows = read_rows(path)
        header = next(rows, None)
        if header is None:
            return
        index = self._columns(path, [str(h).strip().lower() for h in header])
        page = Page(stream=ROWS)
        jobs: dict[str, Job] = {}
        for number, row in enumerate(rows, start=2):
            if not any(str(v).strip() for v in row):
                continue
            self._row(path, number, row, index, floor, page, jobs)
            if len(page.applications) + len(page.bad) >= PAGE_ROWS:
                page.jobs = list(jobs.values())
                yield page
                page, jobs = Page(stream=ROWS), {}
        page.jobs = list(jobs.values())
        yield page

    def _columns(self, path: Path, header: list[str]) -> dict[str, int]:
        index = {}
        for name, aliases in self.aliases.items():
            found = next((header.index(a) for a in aliases if a in header), None)
            if found is not None:
                index[name] = found
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise ConfigError(f"{path.name} has no {' or '.join(missing)} column: map it in ATS_CSV_COLUMNS_PATH")
        return index

    def _row(self, path: Path, number: int, row: list, index: dict[str, int], floor: int | None,
             page: Page, jobs: dict[str, Job]) -> None:
        def cell(name: str):
            i = index.get(name)
            value = row[i] if i is not None and i < len(row) else ""
            return value.strip() if isinstance(value, str) else value

        def bad(column: str, problem: str) -> None:
            page.bad.append(BadRow(source=f"csv:{path.name}", record=f"row {number}", column=column,
                                   value=str(cell(column)), problem=problem))

        email = normalize_email(str(cell("email")))
        if email is None:
            return bad("email", "not an email address")
        job_id = str(cell("job_id") or "").strip()
        if not job_id:
            return bad("job_id", "missing job id")
        when = {}
        for column in DATE_COLUMNS:
            try:
                when[column] = parse_when(cell(column) or None)
            except ValueError:
                return bad(column, "not a date (use yyyy-mm-dd or dd-mm-yyyy)")
        status = str(cell("status") or "").strip().lower()
        outcome = "hired" if when["hired_at"] else "rejected" if when["rejected_at"] else None
        if status not in OPEN_WORDS:
            target = keyword_target(status)
            if target not in ("hired", "rejected", "withdrawn"):
                return bad("status", "unknown status (map it in ATS_STAGE_MAP_PATH or use open/hired/rejected/withdrawn)")
            outcome = target
        key = str(cell("application_id") or "") or f"{email}|{job_id}"
        digest = hashlib.sha256("\x1f".join(str(v) for v in row).encode()).hexdigest()
        updated_ms = to_ms(when["updated_at"])
        if updated_ms is not None and floor is not None and updated_ms < floor:
            return
        if updated_ms is None and self.known.get(f"row:{key}") == digest:
            return
        page.marks[f"row:{key}"] = digest
        if updated_ms is not None:
            page.cursor_ms = max(page.cursor_ms or 0, updated_ms)
        candidate_id = str(cell("candidate_id") or "") or email
        page.candidates.append(Candidate(id=candidate_id, emails=(email,), first_name=cell("first_name") or None,
                                         last_name=cell("last_name") or None, updated_at=when["updated_at"]))
        jobs[job_id] = Job(id=job_id, title=str(cell("job_title") or job_id), public_url=cell("job_url") or None)
        mapping = self.mapper.map(str(cell("stage") or "") or None,
                                  native_phase="hired" if outcome == "hired" else None, native_outcome=outcome)
        page.applications.append(Application(
            id=key, candidate_id=candidate_id, job_id=job_id, phase=mapping.phase or ("applied" if not cell("stage") else None),
            outcome=mapping.outcome, stage_name=str(cell("stage") or "") or None, applied_at=when["applied_at"],
            updated_at=when["updated_at"] or when["applied_at"], closed_at=when["hired_at"] or when["rejected_at"]))
