"""The read-side commands (views/): pool, explain, tasks, abandoned, owners, report; registered by connector.cli."""

from __future__ import annotations

import json

import click

from connector.cli import Ctx, _client, _now, console, render, session_scope
from connector.views.safe_text import term


@click.command()
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the list to this CSV file.")
@click.pass_obj
def abandoned(obj: Ctx, csv_path):
    """List the forgotten applications flagged now: candidate, vacancy, since when, device, owner, apply URL."""
    from connector.state.abandoned import current_flags
    with session_scope(obj.engine()) as session:
        rows = current_flags(session)
    render.abandoned(console, rows)
    if csv_path:
        from connector.lookup import write_rows_csv
        write_rows_csv(csv_path, ["contact_id", "name", "email", "owner_id", "vacancy", "apply_url", "intent_at",
                                  "device", "flagged_at"],
                       [[r.contact_id, r.name, r.email, r.owner_id, r.vacancy, r.apply_url, r.intent_at.isoformat(),
                         r.device, r.flagged_at.isoformat()] for r in rows])
        console.print(f"wrote {len(rows)} forgotten applications to {csv_path}")


@click.command()
@click.option("--status", "status_filter", type=click.Choice(["pending", "created", "skipped", "failed"]),
              help="Only tasks in this state.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0), help="How many outbox rows to show (newest first).")
@click.pass_obj
def tasks(obj: Ctx, status_filter, limit):
    """List the recruiter task outbox: pending, created (with the HubSpot task id), skipped or failed and why."""
    from connector.state.tasks import outbox
    with session_scope(obj.engine()) as session:
        render.outbox(console, outbox(session, status=status_filter, limit=limit))


@click.command()
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.pass_obj
def explain(obj: Ctx, email, as_json):
    """Show why EMAIL has its score: every contribution with decay, dampening and caps."""
    from connector.lookup import explain as explain_contact
    from connector.scoring.config import load_model
    with session_scope(obj.engine()) as session:
        explanation = explain_contact(session, email, load_model(obj.settings.scoring_model_path), _now(),
                                      obj.settings.reasons_language)
    if as_json:
        click.echo(json.dumps(explanation.as_dict(), indent=2, default=str))
    else:
        render.explanation(console, explanation.as_dict())


@click.command()
@click.option("--owner", help="Only candidates of this owner (id or email).")
@click.option("--list", "list_id", help="Only members of this HubSpot contact list (id).")
@click.option("--band", type=click.Choice(["cold", "warm", "engaged", "fan"]), help="Only this band.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0), help="How many candidates (0 = all).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the list to this CSV file.")
@click.pass_obj
def pool(obj: Ctx, owner, list_id, band, top, csv_path):
    """Print the call list: candidates ranked by score with band, trend, last touch, reasons and application status."""
    from connector.lookup import ranked_pool, write_pool_csv
    members = None
    if list_id:
        from connector.hubspot.pull import fetch_list_member_ids
        client = _client(obj.settings)
        members = {cid for page in fetch_list_member_ids(client, list_id) for cid in page}
    from connector.hubspot.pull import fetch_owner_pages
    from connector.state.owners import owner_id_for, owner_names
    owner_id = owner_id_for(obj.engine(), owner, lambda: fetch_owner_pages(_client(obj.settings))) if owner else None
    with session_scope(obj.engine()) as session:
        entries = ranked_pool(session, _now(), top=top or None, owner_id=owner_id, band=band, contact_ids=members,
                              owner_names=owner_names(session))
    render.pool(console, entries, title="Call list" + (f" (list {list_id})" if list_id else ""))
    if csv_path:
        write_pool_csv(entries, csv_path)
        console.print(f"wrote {len(entries)} candidates to {term(csv_path)}")


@click.command()
@click.pass_obj
def owners(obj: Ctx):
    """List the portal's owners (cached from HubSpot): id, name, email, contacts, open connector tasks."""
    from connector.hubspot.pull import fetch_owner_pages
    from connector.hubspot.tasks import task_open_states
    from connector.state.owners import created_task_ids, owner_summaries, save_owners
    from connector.views.owners import render_owners
    with session_scope(obj.engine()) as session:
        save_owners(session, fetch_owner_pages(_client(obj.settings)))
        task_ids = sorted(created_task_ids(session))
    states = task_open_states(_client(obj.settings), task_ids) if task_ids else {}
    with session_scope(obj.engine()) as session:
        render_owners(console, owner_summaries(session, {t for t, is_open in states.items() if is_open}))


@click.command()
@click.option("--html", "html_path", required=True, type=click.Path(dir_okay=False), help="Write it to this file.")
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(1, 104), help="Weeks the charts cover.")
@click.pass_obj
def report(obj: Ctx, html_path, weeks):
    """Write an HTML report: bands over the weeks, scores, top fans per owner, tasks, forgotten applications."""
    from connector.views.report_html import report_page, write_report
    with session_scope(obj.engine()) as session:
        html = report_page(session, _now(), obj.settings.scoring_model_path, weeks)
    write_report(html_path, html)
    console.print(f"wrote the report to {html_path}")


@click.command()
@click.option("--limit", default=10, show_default=True, help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the same facts as one JSON object.")
@click.pass_obj
def status(obj: Ctx, limit, as_json):
    """Show recent runs, cursors, the lease, the portal's capabilities and quarantined records."""
    from connector.setting_values import load_recruiter_map
    from connector.status import load_status, open_state
    recruiters = load_recruiter_map(obj.settings.ats_recruiter_map_path)
    with open_state(obj.settings.database_url, obj.engine) as conn:
        st = load_status(conn, limit, recruiters)
    if as_json:
        from connector.views.status_view import status_data
        return click.echo(json.dumps(status_data(st), sort_keys=True))
    render.status(console, st)


COMMANDS = (pool, explain, tasks, abandoned, owners, report, status)
