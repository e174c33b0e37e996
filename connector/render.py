"""Terminal output of the commands (rich tables); no business logic."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

BAND_STYLE = {"fan": "bold green", "engaged": "green", "warm": "yellow", "cold": "dim"}


def setup_report(console: Console, report, *, dry_run: bool) -> None:
    table = Table(title="Portal capabilities", show_lines=False)
    table.add_column("API")
    table.add_column("available")
    for name, value in report.capabilities.items():
        table.add_row(name, value)
    console.print(table)
    if report.scopes is not None:
        console.print(f"Token scopes: {', '.join(report.scopes) or '(none)'}")
        for scope, why in report.missing_scopes.items():
            console.print(f"[yellow]missing scope[/yellow] {scope}: needed to {why}")
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
    zone = getattr(report, "time_zone", None)
    console.print(f"Portal time zone: {escape(zone)} (recruiter tasks fall due on its next working day)" if zone
                  else "Portal time zone: unknown (tasks fall due on the next working day in UTC)")


def sync_report(console: Console, report) -> None:
    counts = report.counts
    console.print(f"Sync run {report.run_id}: [bold]{report.status}[/bold], {report.api_calls} API calls, "
                  f"{counts.get('seconds', 0)} s")
    keys = ("contacts_pulled", "email_events_read", "web_contacts_read", "touchpoints_new", "scored",
            "contacts_updated", "property_values_written", "batch_update_requests", "quarantined", "push_failed")
    console.print("  " + ", ".join(f"{k.replace('_', ' ')}: {counts.get(k, 0)}" for k in keys))
    task_keys = ("tasks_created", "tasks_recovered", "tasks_skipped_no_owner", "tasks_skipped_open", "tasks_refused",
                 "tasks_suppressed")
    console.print("  " + ", ".join(f"{k.replace('_', ' ')}: {counts.get(k, 0)}" for k in task_keys))
    console.print(f"  forgotten applications flagged: {counts.get('abandoned_flagged', 0)}, "
                  f"cleared: {counts.get('abandoned_cleared', 0)}")
    if counts.get("tasks_baselined"):
        console.print(f"  first sync: {counts['tasks_baselined']} contacts already in the task band were recorded as "
                      "the baseline, without tasks (`connector sync --notify` creates them)")


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    days = (datetime.now(UTC) - moment).total_seconds() / 86400
    return f"{days * 24:.0f} h ago" if days < 1 else f"{days:.0f} d ago"


def pool(console: Console, entries, *, title: str) -> None:
    table = Table(title=title)
    for col, kw in (("#", {"justify": "right"}), ("candidate", {"no_wrap": True}), ("score", {"justify": "right"}),
                    ("band", {}), ("trend 7d", {"justify": "right"}), ("last touch", {}), ("owner", {}), ("application", {}),
                    ("reasons", {"overflow": "fold"})):
        table.add_column(col, **kw)
    for e in entries:
        style = BAND_STYLE.get(e.band, "")
        contact = "\n".join(escape(x) for x in (e.email, e.phone) if x)
        table.add_row(str(e.rank), f"{escape(e.name)}\n[dim]{contact}[/dim]", str(e.score),
                      f"[{style}]{e.band}[/{style}]", f"{e.trend_7d:+d}", _ago(e.last_touch_at),
                      escape(e.owner_name or e.owner_id or "-"), e.application_status, escape(e.reasons or "-"))
    console.print(table)
    if not entries:
        console.print("No scored candidates match.")


def explanation(console: Console, data: dict) -> None:
    console.print(f"[bold]{data['name'] or data['email']}[/bold] <{data['email']}> (contact {data['contact_id']})")
    console.print(f"score {data['score']} ({data['value']:.2f}), band [bold]{data['band']}[/bold], "
                  f"model {data['model_version']}" + (", suppressed (negative)" if data["suppressed"] else ""))
    table = Table(title="Contributions")
    for col in ("when", "touchpoint", "what", "base", "decay", "dampening", "cap cut", "points", "note"):
        table.add_column(col, justify="right" if col in ("base", "decay", "dampening", "cap cut", "points") else "left")
    for r in data["contributions"]:
        table.add_row(r["when"][:16].replace("T", " "), r["kind"], r.get("label") or r.get("key") or "",
                      f"{r['base_points']:g}", f"{r['decay']:.3f}", f"{r['dampening']:g}", f"{r['cap_cut']:.2f}",
                      f"{r['points']:.2f}", r.get("note") or "")
    console.print(table)
    groups = ", ".join(f"{g} {v:.2f}" for g, v in data["group_points"].items())
    console.print(f"groups: {groups}; total {sum(r['points'] for r in data['contributions']):.2f}")
    if data["reasons"]:
        console.print(f"reasons: {data['reasons']}")


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
    console.print(f"ambiguous emails (events not attributed): {len(st.ambiguous)}")
    for email, ids in st.ambiguous:
        console.print(f"  {email}: contacts {', '.join(ids)}")


def planned_updates(console: Console, planned: dict[str, dict[str, str]], limit: int = 20) -> None:
    console.print(f"Dry run: HubSpot would get {len(planned)} contact updates "
                  f"({sum(len(p) for p in planned.values())} values); nothing was written.")
    table = Table(title=f"Planned updates (first {min(limit, len(planned))})")
    table.add_column("contact")
    table.add_column("values", overflow="fold")
    for cid, props in list(planned.items())[:limit]:
        table.add_row(cid, ", ".join(f"{k}={v[:40]}" for k, v in props.items() if k != "te_engagement_reasons"))
    console.print(table)


def _due(due_ms: int) -> str:
    return datetime.fromtimestamp(due_ms / 1000, UTC).strftime("%a %Y-%m-%d %H:%M UTC")


def planned_tasks(console: Console, intents, *, title: str = "Recruiter tasks this run would create") -> None:
    """The task intents of a (dry) run: for whom, which owner, due when; skipped ones with the reason."""
    if not intents:
        console.print("No recruiter tasks to create.")
        return
    table = Table(title=title)
    for col in ("contact", "owner", "task", "due", "note"):
        table.add_column(col, overflow="fold")
    for i in intents:
        table.add_row(escape(i.contact_id), escape(i.owner_id or "-"), escape(i.subject), _due(i.due_ms),
                      escape(i.skip_reason or ""))
    console.print(table)


def outbox(console: Console, rows) -> None:
    """`connector tasks`: the outbox, newest first: pending, created (HubSpot id), skipped or failed and why."""
    if not rows:
        console.print("The task outbox is empty: no contact has crossed into the task band yet.")
        return
    table = Table(title="Recruiter tasks (outbox, newest first)")
    for col in ("status", "contact", "owner", "task", "due", "HubSpot task / reason"):
        table.add_column(col, overflow="fold")
    style = {"created": "green", "pending": "yellow", "skipped": "dim", "failed": "red"}
    for r in rows:
        detail = r.hubspot_task_id if r.status == "created" else (r.reason or "")
        s = style.get(r.status, "")
        table.add_row(f"[{s}]{r.status}[/{s}]", escape(r.contact_id), escape(r.owner_id or "-"), escape(r.subject),
                      _due(r.due_ms), escape(detail or ""))
    console.print(table)


def planned_flags(console: Console, flags) -> None:
    """A dry run's forgotten-application flags to set and to clear."""
    if flags is None or not (flags.to_set or flags.to_clear):
        console.print("No forgotten-application flags to set or clear.")
        return
    table = Table(title="Forgotten applications this run would flag or clear")
    for col in ("contact", "change", "vacancy", "apply intent at", "why"):
        table.add_column(col, overflow="fold")
    for cid, flag in flags.to_set:
        table.add_row(escape(cid), "[yellow]flag[/yellow]", escape(flag.title), _at(flag.intent_at), "")
    for cid, flag, why in flags.to_clear:
        table.add_row(escape(cid), "[green]clear[/green]", escape(flag.title), _at(flag.intent_at), escape(why))
    console.print(table)


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def abandoned(console: Console, rows, *, title: str = "Forgotten applications (flagged now)") -> None:
    """`connector abandoned`: candidates flagged for the reminder workflow, newest apply intent first."""
    if not rows:
        console.print("No forgotten applications are flagged.")
        return
    table = Table(title=title)
    for col in ("candidate", "vacancy", "apply intent", "device", "owner", "apply URL"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(f"{escape(r.name)}\n[dim]{escape(r.email or '')}[/dim]", escape(r.vacancy), _ago(r.intent_at),
                      escape(r.device or "unknown"), escape(r.owner_id or "-"), escape(r.apply_url or ""))
    console.print(table)
