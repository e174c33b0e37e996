"""Commands: parse flags, call the layers below, turn ConnectorError into a one-line message and an exit code."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from connector import logs
from connector.config import Settings, load_settings
from connector.console import console, render
from connector.errors import ConfigError, ConnectorError
from connector.stopping import StopRequestedError, handle_stop_signals
from connector.views.safe_text import one_line, term


def session_scope(engine):
    from connector.db import session_scope as scope  # lazy, like every heavy import: see bench_startup
    return scope(engine)


class Ctx:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine = None

    def engine(self, settings: Settings | None = None):
        from connector.db import make_engine, migrate
        if settings is not None:
            engine = make_engine(settings.database_url)
            migrate(engine)
            return engine
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
            migrate(self._engine)
        return self._engine


class ConnectorGroup(click.Group):
    """Turns each ConnectorError and usage error into one `error:` line on stderr and an exit code."""

    def main(self, *args, standalone_mode=True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:   # not click's four-line `Error:`
            where = f" (see `{exc.ctx.command_path} --help`)" if getattr(exc, "ctx", None) else ""
            click.echo(f"error: {logs.redact(exc.format_message())}{where}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            sys.exit("Aborted!")
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StopRequestedError as exc:       # a clean stop is not an error: say so, exit 0 (SIGTERM) or 130
            click.echo(f"stopped: {one_line(exc)}", err=True)
            sys.exit(exc.exit_code)
        except ConnectorError as exc:
            click.echo(f"error: {one_line(exc)}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:      # noqa: BLE001 - the last line of defence: one line, never a traceback
            logging.getLogger("connector").debug("unexpected failure", exc_info=True)
            click.echo(f"error: unexpected {type(exc).__name__} (a bug: please report it; LOG_LEVEL=debug logs "
                       "the details)", err=True)
            sys.exit(1)


@click.group(cls=ConnectorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--env-file", type=click.Path(dir_okay=False), default=None, help="Read settings from this file instead of ./.env.")
@click.version_option(package_name="talent-engagement-connector")
@click.pass_context
def cli(ctx, env_file):
    """HubSpot sync connector for recruitment marketing: engagement scores, bands and recruiter tasks."""
    if env_file is not None and not Path(env_file).is_file():
        raise ConfigError(f"--env-file {env_file}: no such file")
    settings = load_settings(env_file=env_file)
    for secret in settings.secrets():
        logs.add_secret(secret)
    logs.configure(settings.log_level, settings.log_format)
    ctx.obj = Ctx(settings)


def _client(settings: Settings, engine=None):
    """The HubSpot client; with the state `engine`, its rate window carries over from and to other processes."""
    from connector.hubspot.client import HubSpotClient
    client = HubSpotClient(settings)
    if engine is not None:
        from connector.hubspot.window import load_window, save_window
        load_window(client, engine)
        click.get_current_context().call_on_close(lambda: save_window(client, engine))
    return client


@cli.command()
@click.option("--dry-run", is_flag=True, help="Report what would be created without writing to HubSpot.")
@click.pass_obj
def setup(obj: Ctx, dry_run):
    """Check the token and the portal's APIs, and create the te_* properties (idempotent)."""
    from connector.setup import run_setup
    client = _client(obj.settings, obj.engine())
    report = run_setup(client, obj.engine(), dry_run=dry_run, settings=obj.settings)
    render.setup_report(console, report, dry_run=dry_run)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the run's counts as JSON.")
@click.option("--dry-run", is_flag=True, help="Pull and score, but only print the updates and tasks HubSpot would get.")
@click.option("--notify", is_flag=True, help="Create recruiter tasks even on the first sync (normally a baseline).")
@click.pass_obj
def sync(obj: Ctx, as_json, dry_run, notify):
    """Pull changed contacts and events, rescore, write changed values and recruiter tasks to HubSpot."""
    from connector.sync import Sync
    with handle_stop_signals():
        report = Sync(obj.settings, obj.engine(), _client(obj.settings, obj.engine()), progress=_progress(as_json),
                      dry_run=dry_run, notify=True if notify else None).run()
    if as_json:
        click.echo(json.dumps({"run_id": report.run_id, "status": report.status, "api_calls": report.api_calls,
                               **report.counts}, sort_keys=True))
    else:
        render.sync_report(console, report)
        if dry_run:
            render.planned_updates(console, report.planned)
            render.planned_tasks(console, report.planned_tasks)
            render.planned_flags(console, report.planned_flags)


def _progress(quiet: bool):
    """A live display on a terminal's stderr; piped, phase lines (none with --json). See connector/progress.py."""
    from connector.progress import for_command
    return for_command(None if quiet else (lambda m: console.print(f"[dim]… {m}[/dim]")))


@cli.group()
def ats():
    """The ATS side: what was pulled and how its stages map to phases."""


@ats.command("stages")
@click.pass_obj
def ats_stages(obj: Ctx):
    """List every ATS stage seen, the phase it maps to and what mapped it (native, override, keywords, unmapped)."""
    from connector.ats.stages import StageMapper, load_overrides
    from connector.state import ats_store
    mapper = StageMapper(load_overrides(obj.settings.ats_stage_map_path))
    with session_scope(obj.engine()) as session:
        render.ats_stages(console, ats_store.stages(session, mapper))


@cli.command()
@click.option("--force", is_flag=True, help="Remove the lease even though its heartbeat is fresh.")
@click.pass_obj
def unlock(obj: Ctx, force):
    """Remove a stale run lease (refused while its heartbeat is fresh, unless --force)."""
    from connector.safety_commands import unlock_lease
    console.print(term(unlock_lease(obj.engine(), force=force)))


@cli.command()
@click.argument("email")
@click.pass_obj
def forget(obj: Ctx, email):
    """Purge EMAIL's person from the local state (GDPR erasure); never deletes anything in HubSpot or the ATS."""
    from connector.safety_commands import forget_person
    console.print(term(forget_person(obj.engine(), email)))


def _now():
    from datetime import UTC, datetime
    return datetime.now(UTC)


def _demo_forms(sandbox) -> dict:
    """The seeded portal's application forms and its "Start application" step, as an admin would configure them."""
    forms = sandbox.seed_summary["forms"]["forms"]
    apply = tuple(g for name, g in forms.items() if name == "Apply" or name.startswith("Solliciteer"))
    return {"application_form_ids": apply, "start_application_form_ids": (forms["Start application"],)}


@cli.command()
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0), help="How many candidates to list.")
@click.option("--ats", "ats_kind", type=click.Choice(["recruitee", "greenhouse", "none"]), default="recruitee",
              show_default=True, help="Which ATS sandbox to pull applications from.")
@click.pass_obj
def demo(obj: Ctx, top, ats_kind):
    """Run setup and a sync against seeded in-process sandboxes (HubSpot and an ATS) and print the talent pool."""
    from connector.hubspot.client import HubSpotClient
    from connector.lookup import ranked_pool
    from connector.sandbox.hubspot import HubSpotSandbox
    from connector.sandbox.launch import start_ats
    from connector.setup import run_setup
    from connector.sync import Sync

    sandbox = HubSpotSandbox(seed=True, rate_limit=190, tier="enterprise").start()
    ats_server = None
    try:
        with tempfile.TemporaryDirectory(prefix="connector-demo-") as tmp:
            settings = replace(obj.settings, hubspot_access_token=sandbox.token, hubspot_base_url=sandbox.url,
                               database_url=f"sqlite:///{tmp}/demo.db", hubspot_tier="enterprise",
                               hubspot_rate_limit_per_10s=190, sync_lag_seconds=0, **_demo_forms(sandbox))
            ats_server, settings = start_ats(ats_kind, settings)
            for secret in settings.secrets():
                logs.add_secret(secret)
            engine = obj.engine(settings)
            console.print(f"[bold]Sandbox HubSpot[/bold] at {sandbox.url} (seeded talent pool)")
            if ats_server is not None:
                console.print(f"[bold]Sandbox {ats_kind}[/bold] at {ats_server.url} (the same people's applications)")
            client = HubSpotClient(settings)
            render.setup_report(console, run_setup(client, engine, settings=settings), dry_run=False)
            report = Sync(settings, engine, client, progress=_progress(False), notify=True).run()
            render.sync_report(console, report)
            with session_scope(engine) as session:
                render.pool(console, ranked_pool(session, _now(), top=top), title=f"Talent pool: top {top} by engagement")
                from connector.state.abandoned import current_flags
                from connector.state.tasks import outbox
                render.outbox(console, outbox(session, limit=top))
                render.abandoned(console, current_flags(session)[:top])
            engine.dispose()
    finally:
        sandbox.stop()
        if ats_server is not None:
            ats_server.stop()


@cli.command()
@click.option("--port", default=8765, show_default=True, help="Port on 127.0.0.1.")
@click.option("--no-seed", is_flag=True, help="Start with an empty portal.")
@click.option("--ats", "ats_kind", type=click.Choice(["recruitee", "greenhouse", "none"]), default="none",
              show_default=True, help="Also serve this ATS sandbox (on the next port).")
def sandbox(port, no_seed, ats_kind):
    """Serve the HubSpot sandbox (and optionally an ATS sandbox) on loopback until Ctrl-C (settings printed)."""
    import time

    from connector.sandbox.hubspot import serve
    try:
        server = serve(port=port, seed=not no_seed)
    except OSError as exc:
        raise ConfigError(f"cannot serve the sandbox on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    click.echo(f"HubSpot sandbox on {server.url}  HUBSPOT_BASE_URL={server.url}  HUBSPOT_ACCESS_TOKEN={server.token}")
    servers = [server]
    if ats_kind != "none":
        from connector.sandbox.launch import banner, start_ats
        ats_server, _ = start_ats(ats_kind, Settings(), port=port + 1, seed=not no_seed)
        servers.append(ats_server)
        click.echo(banner(ats_kind, ats_server))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        for s in servers:
            s.stop()


from connector.views.commands import COMMANDS  # noqa: E402 - the read side registers after the group exists

for _command in COMMANDS:
    cli.add_command(_command)

from connector.check import check  # noqa: E402 - `connector check` lives in its own module
from connector.runs.commands import RUN_COMMANDS  # noqa: E402 - backfill, reconcile, daemon

for _command in (check, *RUN_COMMANDS):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="connector")


if __name__ == "__main__":
    main()
