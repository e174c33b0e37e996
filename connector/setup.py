"""`connector setup`: check the token, learn what the portal's tier and scopes allow, create the te_* schema."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from connector import state
from connector.capabilities import fact_value, probe, probe_email_events, probe_web_analytics
from connector.config import Settings
from connector.db import session_scope
from connector.errors import FatalError
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
from connector.hubspot.forms import Form, fetch_forms
from connector.hubspot.push import SchemaReport, push_schema
from connector.hubspot.touchpoints import sample_page_view_hosts
from connector.outbox import FACT_TIME_ZONE
from connector.state.forms import form_kind
from connector.sync import FACT_EMAIL_EVENTS, FACT_FORMS, FACT_SETUP_AT, FACT_WEB_EVENTS

ACCOUNT_DETAILS_PATH = "/account-info/v3/details"


@dataclass
class SetupReport:
    capabilities: dict[str, str] = field(default_factory=dict)      # name → "yes" | "no: why" | "unknown: why"
    scopes: list[str] | None = None                                  # granted to the token; None when unknown
    missing_scopes: dict[str, str] = field(default_factory=dict)     # scope → what it is needed for
    schema: SchemaReport = field(default_factory=SchemaReport)
    time_zone: str | None = None                                     # the portal's, for task due dates
    page_hosts: dict[str, int] = field(default_factory=dict)        # host → page views in a sample of contacts
    forms: list[Form] = field(default_factory=list)                  # the portal's forms, for picking the ids
    form_kinds: dict[str, str] = field(default_factory=dict)         # guid → touchpoint kind of its submissions
    unknown_forms: dict[str, list[str]] = field(default_factory=dict)  # setting → configured guids not in the portal

    @property
    def changed(self) -> bool:
        return self.schema.changed


HOST_SAMPLE_CONTACTS = 20


def probe_capabilities(client: HubSpotClient, sample: list[str] | None = None) -> dict[str, str]:
    contacts = client.api("crm.contacts.basic_api")
    page = client.call("token check (contacts)", contacts.get_page_with_http_info, limit=HOST_SAMPLE_CONTACTS)
    if sample is not None:
        sample.extend(str(c.id) for c in page.results or [])
    caps = {"contacts": "yes"}
    owners = client.api("crm.owners.owners_api")
    caps["owners"] = probe(lambda: client.call("owners", owners.get_page_with_http_info, limit=1))
    caps["email_events"] = probe_email_events(client)
    first = (page.results or [None])[0]
    caps["web_analytics"] = probe_web_analytics(client, str(first.id) if first is not None else None)
    return caps


def run_setup(client: HubSpotClient, engine: Engine, *, dry_run: bool = False,
              settings: Settings | None = None) -> SetupReport:
    """Idempotent: a second run finds everything in place and changes nothing in HubSpot."""
    report, sample = SetupReport(), []
    report.capabilities = probe_capabilities(client, sample)
    if report.capabilities["web_analytics"] == "yes":   # which hosts to name in CAREERS_HOSTS
        report.page_hosts = sample_page_view_hosts(client, sample)
    report.capabilities["forms"] = probe(lambda: report.forms.extend(fetch_forms(client)))
    _form_roles(report, settings)
    try:
        report.scopes = client.token_scopes()
        report.missing_scopes = {s: why for s, why in {**S.REQUIRED_SCOPES, **S.OPTIONAL_SCOPES}.items()
                                 if s not in report.scopes}
    except FatalError as exc:       # not a private app token (or an older portal): probes above still tell
        if exc.status == 401:
            raise
        report.scopes = None
    report.schema = push_schema(client, dry_run=dry_run)
    report.time_zone = portal_time_zone(client)
    if not dry_run:
        with session_scope(engine) as session:
            if report.time_zone:
                state.set_fact(session, FACT_TIME_ZONE, report.time_zone)
            # an unknown answer is kept as such: each sync re-probes it (connector/capabilities.py)
            state.set_fact(session, FACT_EMAIL_EVENTS, fact_value(report.capabilities["email_events"]))
            state.set_fact(session, FACT_WEB_EVENTS, fact_value(report.capabilities["web_analytics"]))
            state.set_fact(session, FACT_FORMS, fact_value(report.capabilities["forms"]))
            state.set_fact(session, FACT_SETUP_AT, state.utcnow().isoformat())
    return report


def _form_roles(report: SetupReport, settings: Settings | None) -> None:
    """What the sync will make of each form's submissions, and configured guids the portal has no form for."""
    apps = settings.application_form_ids if settings else ()
    starts = settings.start_application_form_ids if settings else ()
    report.form_kinds = {f.guid: form_kind(f.guid, apps, starts) for f in report.forms}
    if report.capabilities["forms"] == "yes":
        for name, ids in (("APPLICATION_FORM_IDS", apps), ("START_APPLICATION_FORM_IDS", starts)):
            missing = [g for g in ids if g not in report.form_kinds]
            if missing:
                report.unknown_forms[name] = missing


def portal_time_zone(client: HubSpotClient) -> str | None:
    """The account's time zone (account info API), so tasks fall due on the portal's next working day."""
    try:
        details = client.get_json("account details", ACCOUNT_DETAILS_PATH)
    except FatalError as exc:
        if exc.status == 401:
            raise
        return None
    zone = details.get("timeZone")
    return zone if isinstance(zone, str) and zone else None

