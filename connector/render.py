"""Terminal output of the commands (rich tables); no business logic."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connector.views.planned import planned_updates  # noqa: F401 - the commands call it as render.*
from connector.views.safe_text import term
from connector.views.status_view import status  # noqa: F401 - the commands call it as render.*

STATUS_LIST_MAX = 50
BAND_STYLE = {"fan": "bold green", "engaged": "green", "warm": "yellow", "cold": "dim"}


def setup_report(console: Console, report, *, dry_run: bool) -> None:
    table = Table(title="Portal capabilities", show_lines=False)
    table.add_column("API")
    table.add_column("available")
    for name, value in report.capabilities.items():
        table.add_row(term(name), term(value))
    console.print(table)
    _forms(console, report)
    if report.scopes is not None:
        console.print(f"Token scopes: {term(', '.join(report.scopes)) or '(none)'}")
        for scope, why in report.missing_scopes.items():
            console.print(f"[yellow]missing scope[/yellow] {scope}: needed to {why}")
    if getattr(report, "page_hosts", None):
        console.print("Page-view hosts seen (a sample; set CAREERS_HOSTS to the careers site's): "
                      + ", ".join(f"{host} ({n})" for host, n in report.page_hosts.items()))
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
    zone = getattr(report, "time_zone", None)
    console.print(f"Portal time zone: {escape(zone)} (recruiter tasks fall due on its next working day)" if zone
                  else "Portal time zone: unknown (tasks fall due on the next working day in UTC)")


FORM_ROLES = {"application": "application", "apply_intent": "start application (apply intent)",
              "form_submission": "form touchpoint"}


def _forms(console: Console, report) -> None:
    """The portal's forms and what the sync makes of each, so an admin can pick APPLICATION_FORM_IDS."""
    forms = getattr(report, "forms", None) or []
    if forms:
        table = Table(title="HubSpot forms (set APPLICATION_FORM_IDS / START_APPLICATION_FORM_IDS to these guids)")
        for col in ("guid", "name", "type", "submissions count as"):
            table.add_column(col, overflow="fold")
        for f in forms:
            kind = FORM_ROLES.get(report.form_kinds.get(f.guid, ""), "form touchpoint")
            table.add_row(f.guid, escape(f.name) + (" [dim](archived)[/dim]" if f.archived else ""), f.form_type, kind)
        console.print(table)
        if "application" not in report.form_kinds.values():
            console.print("No application form configured (APPLICATION_FORM_IDS): form submissions are scored as "
                          "form touchpoints, never taken as applications.")
    for setting, guids in (getattr(report, "unknown_forms", None) or {}).items():
        console.print(f"[yellow]unknown form[/yellow] {setting} names {', '.join(guids)}: the portal has no such form "
                      "(its submissions are not read until it exists)")


def sync_report(console: Console, report) -> None:
    counts = report.counts
    console.print(f"Sync run {report.run_id}: [bold]{report.status}[/bold], {report.api_calls} API calls, "
                  f"{counts.get('seconds', 0)} s")
    keys = ("contacts_pulled", "email_events_read", "web_contacts_read", "form_submissions_read", "touchpoints_new", "scored",
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
    if "ats_requests" in counts:
        ats = ("ats_requests", "ats_jobs_pulled", "ats_candidates_pulled", "ats_applications_pulled",
               "candidates_matched", "candidates_unmatched", "candidates_ambiguous", "ats_unmapped_stages",
               "ats_unmapped_recruiters")
        console.print("  " + ", ".join(f"{k.replace('_', ' ')}: {counts.get(k, 0)}" for k in ats))


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
        contact = "\n".join(term(x) for x in (e.email, e.phone) if x)
        table.add_row(str(e.rank), f"{term(e.name)}\n[dim]{contact}[/dim]", str(e.score),
                      f"[{style}]{term(e.band)}[/{style}]" if style else term(e.band),
                      f"{e.trend_7d:+d}", _ago(e.last_touch_at), term(e.owner_name or e.owner_id or "-"),
                      term(e.application_status), term(e.reasons or "-"))
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


def ats_status(console: Console, st) -> None:
    unmatched = st.ats_unmatched or []
    if not unmatched and not st.ats_unmapped_recruiters:
        return
    ambiguous = [c for c in unmatched if c.match == "ambiguous"]
    console.print(f"ATS candidates without a HubSpot contact: {len(unmatched)} "
                  f"({len(ambiguous)} ambiguous: their emails are on several contacts)")
    for c in unmatched[:STATUS_LIST_MAX]:
        console.print(f"  {term(c.ats)} candidate {term(c.id)}: {term(c.match)}")
    if len(unmatched) > STATUS_LIST_MAX:
        console.print(f"  ... and {len(unmatched) - STATUS_LIST_MAX} more")
    console.print(f"recruiters without a HubSpot owner: {len(st.ats_unmapped_recruiters or [])}")
    for email in st.ats_unmapped_recruiters or []:
        console.print(f"  {term(email)}")


def ats_stages(console: Console, rows) -> None:
    table = Table(title="ATS stages seen")
    for col in ("ats", "stage", "phase", "outcome", "mapped by", "applications (last pull)"):
        table.add_column(col)
    for r in rows:
        style = "red" if r.source == "unmapped" else ""
        table.add_row(r.ats, r.name, f"[{style}]{r.phase or '-'}[/{style}]" if style else (r.phase or "-"),
                      r.outcome, r.source, str(r.count))
    console.print(table)
    if not rows:
        console.print("No stages seen yet: run `connector sync` with ATS_KIND set.")


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
