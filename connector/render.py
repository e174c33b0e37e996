"""Terminal output of the commands (rich tables); no business logic."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from connector.views.safe_text import term

BAND_STYLE = {"fan": "bold green", "engaged": "green", "warm": "yellow", "cold": "dim"}


def setup_report(console: Console, report, *, dry_run: bool) -> None:
    table = Table(title="Portal capabilities", show_lines=False)
    table.add_column("API")
    table.add_column("available")
    for name, value in report.capabilities.items():
        table.add_row(term(name), term(value))
    console.print(table)
    if report.scopes is not None:
        console.print(f"Token scopes: {term(', '.join(report.scopes)) or '(none)'}")
        for scope, why in report.missing_scopes.items():
            console.print(f"[yellow]missing scope[/yellow] {scope}: needed to {why}")
    schema = report.schema
    verb = "would create" if dry_run else "created"
    if schema.group_created:
        console.print(f"Property group talent_engagement: {verb}")
    if schema.created:
        console.print(f"Properties {verb}: {', '.join(schema.created)}")
    for line in schema.drift:
        console.print(f"[red]drift:[/red] {term(line)}")
    if not schema.changed:
        console.print(f"Nothing to change: the group and all {len(schema.unchanged)} te_* properties exist.")


def sync_report(console: Console, report) -> None:
    counts = report.counts
    console.print(f"Sync run {report.run_id}: [bold]{report.status}[/bold], {report.api_calls} API calls, "
                  f"{counts.get('seconds', 0)} s")
    keys = ("contacts_pulled", "email_events_read", "web_contacts_read", "touchpoints_new", "scored",
            "contacts_updated", "property_values_written", "batch_update_requests", "quarantined", "push_failed")
    console.print("  " + ", ".join(f"{k.replace('_', ' ')}: {counts.get(k, 0)}" for k in keys))


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    days = (datetime.now(UTC) - moment).total_seconds() / 86400
    return f"{days * 24:.0f} h ago" if days < 1 else f"{days:.0f} d ago"


def pool(console: Console, entries, *, title: str) -> None:
    table = Table(title=title)
    for col, kw in (("#", {"justify": "right"}), ("candidate", {}), ("score", {"justify": "right"}), ("band", {}),
                    ("trend 7d", {"justify": "right"}), ("last touch", {}), ("application", {}),
                    ("reasons", {"overflow": "fold"})):
        table.add_column(col, **kw)
    for e in entries:
        style = BAND_STYLE.get(e.band, "")
        table.add_row(str(e.rank), f"{term(e.name)}\n[dim]{term(e.email or '')}[/dim]", str(e.score),
                      f"[{style}]{term(e.band)}[/{style}]" if style else term(e.band),
                      f"{e.trend_7d:+d}", _ago(e.last_touch_at), term(e.application_status), term(e.reasons or "-"))
    console.print(table)
    if not entries:
        console.print("No scored candidates match.")


def explanation(console: Console, data: dict) -> None:
    console.print(f"[bold]{term(data['name'] or data['email'])}[/bold] <{term(data['email'])}> "
                  f"(contact {term(data['contact_id'])})")
    console.print(f"score {data['score']} ({data['value']:.2f}), band [bold]{term(data['band'])}[/bold], "
                  f"model {term(data['model_version'])}" + (", suppressed (negative)" if data["suppressed"] else ""))
    table = Table(title="Contributions")
    for col in ("when", "touchpoint", "what", "base", "decay", "dampening", "cap cut", "points", "note"):
        table.add_column(col, justify="right" if col in ("base", "decay", "dampening", "cap cut", "points") else "left")
    for r in data["contributions"]:
        table.add_row(r["when"][:16].replace("T", " "), term(r["kind"]), term(r.get("label") or r.get("key") or ""),
                      f"{r['base_points']:g}", f"{r['decay']:.3f}", f"{r['dampening']:g}", f"{r['cap_cut']:.2f}",
                      f"{r['points']:.2f}", term(r.get("note") or ""))
    console.print(table)
    groups = ", ".join(f"{g} {v:.2f}" for g, v in data["group_points"].items())
    console.print(f"groups: {groups}; total {sum(r['points'] for r in data['contributions']):.2f}")
    if data["reasons"]:
        console.print(f"reasons: {term(data['reasons'])}")


def status(console: Console, st) -> None:
    from connector.status import run_counts
    table = Table(title="Recent runs")
    for col in ("id", "kind", "started (UTC)", "status", "API calls", "counts", "error"):
        table.add_column(col)
    for run in st.runs:
        counts = run_counts(run)
        short = ", ".join(f"{k}={v}" for k, v in counts.items() if v and k != "seconds")
        table.add_row(str(run.id), run.kind, f"{run.started_at:%Y-%m-%d %H:%M:%S}", st.shown_status(run),
                      str(run.api_calls),
                      term(short), term(run.error or ""))
    console.print(table)
    for cursor in st.cursors:
        console.print(f"cursor {cursor.stream}: {cursor.value}")
    console.print(f"quarantined records: {st.quarantined}")
    for q in st.recent_quarantine:
        console.print(f"  {term(q.source)} {term(q.record_id)} field={term(q.field or '-')}: {term(q.error)}")
    console.print(f"ambiguous emails (events not attributed): {len(st.ambiguous)}")
    for email, ids in st.ambiguous:
        console.print(f"  {term(email)}: contacts {term(', '.join(ids))}")


def planned_updates(console: Console, planned: dict[str, dict[str, str]], limit: int = 20) -> None:
    console.print(f"Dry run: HubSpot would get {len(planned)} contact updates "
                  f"({sum(len(p) for p in planned.values())} values); nothing was written.")
    table = Table(title=f"Planned updates (first {min(limit, len(planned))})")
    table.add_column("contact")
    table.add_column("values", overflow="fold")
    for cid, props in list(planned.items())[:limit]:
        table.add_row(term(cid), term(", ".join(f"{k}={v[:40]}" for k, v in props.items()
                                                if k != "te_engagement_reasons")))
    console.print(table)
