"""`connector check`: a handful of calls that say whether the token, scopes, property headroom and ATS will do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import click

from connector.config import Settings
from connector.errors import ConnectorError, FatalError
from connector.hubspot import streams as S
from connector.hubspot.properties import PROPERTIES

# The limits tracking API reports each object's custom-property limit and usage [V: developers.hubspot.com,
# crm-limits-tracking-v3 guide, GET /crm/v3/limits/custom-properties].
LIMITS_PATH = "/crm/v3/limits/custom-properties"
CONTACT_OBJECT_TYPE_ID = "0-1"
# Used only when the limits API is unavailable: HubSpot's catalog figure, not found in its API docs [U].
FALLBACK_CUSTOM_PROPERTY_LIMIT = 1_000


@dataclass
class CheckLine:
    name: str
    ok: bool | None          # None: a warning (something optional is missing)
    message: str

    def text(self) -> str:
        return f"{'ok' if self.ok else 'warn' if self.ok is None else 'FAIL':<4}  {self.name}: {self.message}"


class CheckFailedError(ConnectorError):
    """One or more checks found something the connector needs missing."""


def check_token(client) -> CheckLine:
    """One cheap read: the token is accepted (a 401/403 here is the only answer that matters)."""
    contacts = client.api("crm.contacts.basic_api")
    client.call("token check (contacts)", contacts.get_page_with_http_info, limit=1)
    return CheckLine("token", True, "accepted by HubSpot")


def check_scopes(client) -> Iterator[CheckLine]:
    """A line per missing scope with the feature it switches off; required ones fail, optional ones warn."""
    try:
        granted = set(client.token_scopes())
    except FatalError as exc:
        if exc.status == 401:
            raise
        yield CheckLine("scopes", None, "unknown: HubSpot does not list this token's scopes (not a private app "
                                         "token?); `connector setup` probes each API instead")
        return
    missing = 0
    for scopes, ok in ((S.REQUIRED_SCOPES, False), (S.OPTIONAL_SCOPES, None)):
        for scope, feature in scopes.items():
            if scope not in granted:
                missing += 1
                yield CheckLine(f"scope {scope}", ok, f"missing: switches off {feature}")
    if not missing:
        yield CheckLine("scopes", True, f"all {len(S.REQUIRED_SCOPES) + len(S.OPTIONAL_SCOPES)} granted")


def check_property_headroom(client) -> CheckLine:
    """Room for the te_* properties not yet created, under HubSpot's custom-property limit for contacts."""
    core_api = client.api("crm.properties.core_api")
    existing = client.call("properties", core_api.get_all_with_http_info, object_type=S.CONTACTS).results or []
    names = {p.name for p in existing}
    to_create = sum(1 for spec in PROPERTIES if spec.name not in names)
    try:
        limits = client.get_json("custom property limits", LIMITS_PATH)
        row = next(r for r in limits.get("byObjectType") or [] if str(r.get("objectTypeId")) == CONTACT_OBJECT_TYPE_ID)
        limit, used, source = int(row["limit"]), int(row["usage"]), "HubSpot's limits API"
    except (FatalError, StopIteration, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, FatalError) and exc.status == 401:
            raise
        used = sum(1 for p in existing if not _hubspot_defined(p))
        limit, source = FALLBACK_CUSTOM_PROPERTY_LIMIT, "limit unverified: HubSpot's catalog figure"
    room = limit - used
    message = f"{used} of {limit} custom contact properties used ({source}); te_* needs {to_create} more"
    return CheckLine("property headroom", room >= to_create, message + ("" if room >= to_create else ": no room"))


def _hubspot_defined(prop) -> bool:
    return bool(getattr(prop, "hubspot_defined", False))     # custom properties carry no hubspotDefined


def check_ats(settings: Settings) -> CheckLine:
    """One cheap call with the ATS credentials (a file check for ATS_KIND=csv)."""
    from connector.ats.pull import make_adapter
    from connector.ats.stages import StageMapper
    name = f"ATS {settings.ats_kind}"
    settings.check_ats()
    adapter = make_adapter(settings, StageMapper())
    if settings.ats_kind == "recruitee":
        adapter.http.get("disqualify reasons", f"{adapter.base}/disqualify_reasons")
        return CheckLine(name, True, "RECRUITEE_API_TOKEN accepted")
    if settings.ats_kind == "greenhouse":
        adapter._fetch_token()      # the OAuth client-credentials exchange: exactly what a bad secret fails
        return CheckLine(name, True, "GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET accepted")
    return CheckLine(name, True, f"{len(adapter.files())} export file(s) at ATS_CSV_PATH")


def run_checks(settings: Settings, client, echo: Callable[[str], None]) -> list[CheckLine]:
    """Run every check, echoing one line each; a check that errors is a failed line, the others still run."""
    steps: list[tuple[str, Callable[[], object]]] = [("token", lambda: check_token(client))]
    steps += [("scopes", lambda: list(check_scopes(client))),
              ("property headroom", lambda: check_property_headroom(client))]
    if settings.ats_kind != "none":
        steps.append((f"ATS {settings.ats_kind}", lambda: check_ats(settings)))
    lines: list[CheckLine] = []
    for name, step in steps:
        try:
            got = step()
        except ConnectorError as exc:
            got = CheckLine(name, False, str(exc))
        for line in got if isinstance(got, list) else [got]:
            lines.append(line)
            echo(line.text())
        if name == "token" and lines[-1].ok is False:
            break                   # every later HubSpot call would be refused the same way
    return lines


@click.command("check")
@click.pass_obj
def check(obj):
    """Verify the token, scopes, custom-property headroom and ATS credentials; exit non-zero if one is missing."""
    from connector.hubspot.client import HubSpotClient
    from connector.views.safe_text import one_line
    settings = obj.settings
    client = HubSpotClient(settings)
    lines = run_checks(settings, client, lambda text: click.echo(one_line(text)))
    failed = [line.name for line in lines if line.ok is False]
    if failed:
        raise CheckFailedError(f"{len(failed)} check(s) failed: {', '.join(failed)}")
    click.echo(f"all checks passed ({client.stats.calls} HubSpot calls)")
