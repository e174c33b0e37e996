"""`connector status`: recent runs, cursors, lease, portal capabilities and quarantine, as a table or as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from connector.views.safe_text import term
from connector.views.when import ago, duration, from_ms, local

# what a run counts, grouped as the admin asks about them ("how many records came in, what went out")
RECORD_KEYS = {"contacts": "contacts_pulled", "email events": "email_events_read", "page-view contacts": "web_contacts_read",
               "form submissions": "form_submissions_read", "ATS candidates": "ats_candidates_pulled",
               "ATS applications": "ats_applications_pulled"}
OUTCOME_KEYS = {"property updates": "property_values_written", "contacts updated": "contacts_updated",
                "tasks created": "tasks_created", "flags set": "abandoned_flagged", "flags cleared": "abandoned_cleared",
                "quarantined": "quarantined"}
CAPABILITY_PREFIX = "capability."
NEXT_RUN_KIND_FACT = "daemon.next_run_kind"     # written by the daemon beside status.NEXT_RUN_FACT


def _run_seconds(run, counts: dict) -> float | None:
    if "seconds" in counts:
        return float(counts["seconds"])
    if run.finished_at is not None:
        return (run.finished_at - run.started_at).total_seconds()
    return None


def _cursor_moment(value: int) -> datetime | None:
    # cursors are epoch ms; a few streams keep offsets or ids instead, shown as they are
    try:
        return from_ms(value) if value > 10**11 else None
    except (OverflowError, OSError, ValueError):
        return None


def status_data(st, now: datetime | None = None) -> dict:
    """Everything `status` shows, JSON-ready: times in ISO 8601 UTC plus the local rendering."""
    from connector.status import run_counts
    now = now or datetime.now(UTC)
    runs = []
    for run in st.runs:
        counts = run_counts(run)
        runs.append({"id": run.id, "kind": run.kind, "status": st.shown_status(run),
                     "started_at": _iso(run.started_at), "started_local": local(run.started_at),
                     "finished_at": _iso(run.finished_at), "seconds": _run_seconds(run, counts),
                     "api_calls": run.api_calls,
                     "records": {label: counts.get(key, 0) for label, key in RECORD_KEYS.items()},
                     **{label.replace(" ", "_"): counts.get(key, 0) for label, key in OUTCOME_KEYS.items()},
                     "error": run.error, "counts": counts})
    cursors = []
    for c in st.cursors:
        moment = _cursor_moment(c.value)
        cursors.append({"stream": c.stream, "value": c.value, "at": _iso(moment),
                        "local": local(moment) if moment else None, "ago": ago(moment, now) if moment else None})
    lease = None
    if st.lease is not None:
        holder, until, fresh = st.lease
        lease = {"holder": holder, "heartbeat_valid_until": _iso(until), "fresh": fresh}
    return {"runs": runs, "cursors": cursors, "lease": lease,
            "capabilities": {k[len(CAPABILITY_PREFIX):]: v for k, v in sorted(st.facts.items())
                             if k.startswith(CAPABILITY_PREFIX)},
            "next_run_at": _iso(st.next_run), "next_run_kind": st.facts.get(NEXT_RUN_KIND_FACT) or None,
            "quarantined": st.quarantined,
            "recent_quarantine": [{"source": q.source, "record_id": q.record_id, "field": q.field, "error": q.error}
                                  for q in st.recent_quarantine],
            "ambiguous_emails": len(st.ambiguous),
            "ats_candidates_without_contact": len(st.ats_unmatched or []),
            "recruiters_without_owner": len(st.ats_unmapped_recruiters or [])}


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _joined(values: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items() if v) or "-"


def status(console: Console, st) -> None:
    """The human `status`: runs with local start times and durations, cursors with "x min ago", lease, capabilities."""
    from connector.render import ats_status
    now = datetime.now(UTC)
    data = status_data(st, now)
    table = Table(title="Recent runs")
    for col in ("id", "kind", "started", "took", "status", "API calls", "records", "outcome", "error"):
        table.add_column(col, overflow="fold")
    for run, shown in zip(st.runs, data["runs"], strict=True):
        style = {"ok": "green", "failed": "red", "killed": "red", "interrupted": "yellow", "stopped": "yellow"}
        s = style.get(shown["status"], "")
        outcome = {label: shown[label.replace(" ", "_")] for label in OUTCOME_KEYS}
        table.add_row(str(run.id), term(run.kind), f"{shown['started_local']}\n[dim]{ago(run.started_at, now)}[/dim]",
                      duration(shown["seconds"]), f"[{s}]{shown['status']}[/{s}]" if s else term(shown["status"]),
                      str(run.api_calls), term(_joined(shown["records"])), term(_joined(outcome)),
                      term(run.error or ""))
    console.print(table)
    if not st.runs:
        console.print("No runs yet: `connector sync` starts the first.")
    for c in data["cursors"]:
        when = f"{c['local']} ({c['ago']})" if c["local"] else str(c["value"])
        console.print(f"cursor {term(c['stream'])}: {when}")
    if data["lease"] is None:
        console.print("lease: free (no run in progress)")
    else:
        lease = data["lease"]
        until = st.lease[1]
        alive = "fresh: a run is in progress" if lease["fresh"] else "stale: `connector unlock` removes it"
        console.print(f"lease: held by {term(lease['holder'])}, heartbeat valid until {local(until)} ({alive})")
    caps = data["capabilities"]
    console.print("capabilities seen by setup: " + (", ".join(f"{term(k)} {term(v)}" for k, v in caps.items())
                                                   or "none recorded (run `connector setup`)"))
    if st.next_run is not None:
        kind = data["next_run_kind"]
        console.print(f"next scheduled run: {term(kind) + ' ' if kind else ''}{local(st.next_run)} "
                      f"({ago(st.next_run, now)})")
    console.print(f"quarantined records: {st.quarantined}")
    for q in st.recent_quarantine:
        console.print(f"  {term(q.source)} {term(q.record_id)} field={term(q.field or '-')}: {term(q.error)}")
    console.print(f"ambiguous emails (events not attributed): {len(st.ambiguous)}")
    for email, ids in st.ambiguous:
        console.print(f"  {term(email)}: contacts {term(', '.join(ids))}")
    ats_status(console, st)
