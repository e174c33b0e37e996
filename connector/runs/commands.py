"""The run commands besides `sync`: backfill, reconcile, rescore, and the daemon that schedules them with sync;
registered by connector.cli."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click

from connector.cli import Ctx, _client, _progress, console
from connector.errors import ConnectorError
from connector.stopping import handle_stop_signals

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
RECONCILE_KEYS = ("reconcile_hubspot_ids", "reconcile_hubspot_archived_ids", "reconcile_local_ids", "contacts_fetched",
                  "contacts_refreshed", "contacts_archived", "contacts_purged", "contacts_merged", "quarantined")


def _report_json(report) -> str:
    return json.dumps({"run_id": report.run_id, "status": report.status, "api_calls": report.api_calls,
                       **report.counts}, sort_keys=True)


def _report_text(title: str, report, keys) -> None:
    counts = report.counts
    console.print(f"{title} run {report.run_id}: [bold]{report.status}[/bold], {report.api_calls} API calls, "
                  f"{counts.get('seconds', 0)} s")
    console.print("  " + ", ".join(f"{k.replace('_', ' ')}: {counts.get(k, 0)}" for k in keys))


@click.command()
@click.option("--since", required=True, type=click.DateTime(DATE_FORMATS), metavar="DATE",
              help="Start of the history to pull: a UTC date (2026-01-31) or date-time (2026-01-31T08:00:00).")
@click.option("--notify", is_flag=True, help="Create recruiter tasks and forgotten-application flags for the history too.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.pass_obj
def backfill(obj: Ctx, since, notify, as_json):
    """Pull history from --since to now in resumable windows, rescore everyone and push (no tasks unless --notify)."""
    from connector.runs.backfill import Backfill
    engine = obj.engine()
    with handle_stop_signals():
        report = Backfill(obj.settings, engine, _client(obj.settings, engine), since=since.replace(tzinfo=UTC),
                          notify=notify, progress=_progress(as_json)).run()
    if as_json:
        click.echo(_report_json(report))
        return
    _report_text("Backfill", report, ("windows_pulled", "contacts_pulled", "email_events_read", "web_contacts_read",
                                      "form_submissions_read", "touchpoints_new", "scored", "contacts_updated",
                                      "tasks_created", "abandoned_flagged", "quarantined"))
    if report.counts.get("resumed"):
        console.print("  resumed an unfinished backfill from its last committed window")
    if not notify and report.counts.get("tasks_baselined"):
        console.print(f"  {report.counts['tasks_baselined']} contacts in the task band were recorded as the baseline, "
                      "without tasks (`--notify` creates them)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.pass_obj
def reconcile(obj: Ctx, as_json):
    """Compare HubSpot's contact ids with the local state: fetch unseen contacts, mark archived, purge deleted."""
    from connector.runs.reconcile import Reconcile
    engine = obj.engine()
    with handle_stop_signals():
        report = Reconcile(obj.settings, engine, _client(obj.settings, engine), progress=_progress(as_json)).run()
    if as_json:
        click.echo(_report_json(report))
        return
    _report_text("Reconcile", report, RECONCILE_KEYS)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.pass_obj
def rescore(obj: Ctx, as_json):
    """Rescore every contact now and push the changes (what the daemon does at NIGHTLY_RESCORE_HOUR)."""
    from connector.runs.rescore import FullRescore
    engine = obj.engine()
    with handle_stop_signals():
        report = FullRescore(obj.settings, engine, _client(obj.settings, engine), progress=_progress(as_json)).run()
    if as_json:
        click.echo(_report_json(report))
        return
    _report_text("Rescore", report, ("scored", "contacts_updated", "property_values_written", "tasks_created",
                                     "abandoned_flagged", "push_failed"))


def _once(run_class, settings, engine):
    """One scheduled run of `run_class` (Sync or a subclass) as the daemon's RunResult; errors are results."""
    from connector.hubspot.window import load_window, save_window
    from connector.scheduler import RunResult
    client = _client(settings)
    load_window(client, engine)
    run = run_class(settings, engine, client)
    kind = run.kind()
    try:
        report = run.run()
        result = RunResult(report.run_id, report.status, report.api_calls, report.counts, kind=kind)
    except ConnectorError as exc:
        status = {"DailyLimitError": "stopped", "StopRequestedError": "interrupted"}.get(type(exc).__name__)
        result = RunResult(run.run_id, status or "failed", client.stats.calls, dict(run.counts), error=exc, kind=kind)
    finally:
        save_window(client, engine)
    result.daily_limit, result.daily_remaining = client.stats.daily_limit, client.stats.daily_remaining
    return result


def _first_reconcile(engine, hours: int) -> datetime:
    """One interval after the last reconcile (now when overdue); a state never reconciled starts the clock now:
    its first sync reads every contact."""
    from connector import state
    from connector.db import session_scope
    from connector.runs.reconcile import FACT_RECONCILED_AT
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        last = state.get_fact(session, FACT_RECONCILED_AT)
        if not last:
            state.set_fact(session, FACT_RECONCILED_AT, str(int(now.timestamp() * 1000)))
            return now + timedelta(hours=hours)
    return max(now, datetime.fromtimestamp(int(last) / 1000, UTC) + timedelta(hours=hours))


def _record_next_run(engine, when: datetime | None, kind: str | None) -> None:
    """The fact `connector status` shows as the next scheduled run (cleared when the daemon stops)."""
    from connector import state
    from connector.db import session_scope
    from connector.status import NEXT_RUN_FACT
    from connector.views.status_view import NEXT_RUN_KIND_FACT
    with session_scope(engine) as session:
        state.set_fact(session, NEXT_RUN_FACT, str(int(when.timestamp() * 1000)) if when else "")
        state.set_fact(session, NEXT_RUN_KIND_FACT, kind or "")


@click.command()
@click.option("--interval-seconds", type=float, help="Override SYNC_INTERVAL_MINUTES (for trying it out).")
@click.option("--max-runs", type=int, help="Stop after this many runs of any kind (default: run until stopped).")
@click.pass_obj
def daemon(obj: Ctx, interval_seconds, max_runs):
    """Run `sync` now and every SYNC_INTERVAL_MINUTES, `reconcile` daily and the optional nightly rescore, until
    stopped; a rejected token stops it."""
    from connector.runs.reconcile import Reconcile
    from connector.runs.rescore import FullRescore
    from connector.scheduler import Scheduled, portal_time_zone, run_daemon
    from connector.sync import Sync
    settings, engine = obj.settings, obj.engine()
    zone = portal_time_zone(engine)
    others = []
    if settings.reconcile_interval_hours:
        others.append(Scheduled("reconcile", lambda: _once(Reconcile, settings, engine), "interval", {
            "hours": settings.reconcile_interval_hours,
            "next_run_time": _first_reconcile(engine, settings.reconcile_interval_hours)}))
    if settings.nightly_rescore_hour is not None:
        others.append(Scheduled("rescore", lambda: _once(FullRescore, settings, engine), "cron", {
            "hour": settings.nightly_rescore_hour, "minute": 0, "timezone": zone or UTC}))
    interval = interval_seconds or settings.sync_interval_minutes * 60
    with handle_stop_signals():
        runs = run_daemon(lambda: _once(Sync, settings, engine), interval_seconds=interval, max_runs=max_runs,
                          budget_share=settings.daily_api_budget_share, time_zone=zone, others=others,
                          on_schedule=lambda when, kind: _record_next_run(engine, when, kind))
    console.print(f"daemon stopped after {runs} runs")


RUN_COMMANDS = (backfill, reconcile, rescore, daemon)
