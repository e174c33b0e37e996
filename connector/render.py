"""Terminal output of the commands (rich tables); no business logic."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

BAND_STYLE = {"fan": "bold green", "engaged": "green", "warm": "yellow", "cold": "dim"}


def setup_report(console: Console, report, *, dry_run: bool) -> None:
    table = Table(title="Portal capabilities", show_lines=False)
    table.add_column("API")
    table.add_column("available")
    for name, value in report.capabilities.items():
        table.add_row(name, value)
    console.print(table)
    schema = report.schema
    verb = "would create" if dry_run else "created"
    if schema.group_created:
        console.print(f"Property group talent_engagement: {verb}")
    if schema.created:
        console.print(f"Properties {verb}: {', '.join(schema.created)}")
    for line in schema.drift:
        console.print(f"[red]drift:[/red] {line}")
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
                    ("last touch", {}), ("reasons", {"overflow": "fold"})):
        table.add_column(col, **kw)
    for i, e in enumerate(entries, 1):
        style = BAND_STYLE.get(e.band, "")
        table.add_row(str(i), f"{e.name}\n[dim]{e.email or ''}[/dim]", str(e.score), f"[{style}]{e.band}[/{style}]",
                      _ago(e.last_touch_at), e.reasons or "-")
    console.print(table)


def status(console: Console, st) -> None:
    from connector.status import run_counts
    table = Table(title="Recent runs")
    for col in ("id", "kind", "started (UTC)", "status", "API calls", "counts", "error"):
        table.add_column(col)
    for run in st.runs:
        counts = run_counts(run)
        short = ", ".join(f"{k}={v}" for k, v in counts.items() if v and k != "seconds")
        table.add_row(str(run.id), run.kind, f"{run.started_at:%Y-%m-%d %H:%M:%S}", run.status, str(run.api_calls),
                      short, run.error or "")
    console.print(table)
    for cursor in st.cursors:
        console.print(f"cursor {cursor.stream}: {cursor.value}")
    console.print(f"quarantined records: {st.quarantined}")
    for q in st.recent_quarantine:
        console.print(f"  {q.source} {q.record_id} field={q.field or '-'}: {q.error}")
