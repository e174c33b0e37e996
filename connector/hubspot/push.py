"""Writes to HubSpot: the te_* property schema (idempotent), and diffed contact property updates in batches."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput, SimplePublicObjectBatchInput
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate

from connector.errors import FatalError
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
from connector.hubspot.properties import GROUP_LABEL, GROUP_NAME, PROPERTIES, PropertySpec, option_label


@dataclass
class SchemaReport:
    group_created: bool = False
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)      # exists with another type: reported, never clobbered

    @property
    def changed(self) -> bool:
        return self.group_created or bool(self.created)


def push_schema(client: HubSpotClient, *, dry_run: bool = False) -> SchemaReport:
    """Create the talent_engagement group and every missing te_* property; a second run changes nothing."""
    report = SchemaReport()
    groups_api = client.api("crm.properties.groups_api")
    core_api = client.api("crm.properties.core_api")
    groups = client.call("property groups", groups_api.get_all_with_http_info, object_type=S.CONTACTS)
    if GROUP_NAME not in {g.name for g in groups.results or []}:
        report.group_created = True
        if not dry_run:
            client.call("create property group", groups_api.create_with_http_info, object_type=S.CONTACTS,
                        property_group_create=PropertyGroupCreate(name=GROUP_NAME, label=GROUP_LABEL, display_order=-1))
    existing = {p.name: p for p in client.call("properties", core_api.get_all_with_http_info,
                                               object_type=S.CONTACTS).results or []}
    for order, spec in enumerate(PROPERTIES):
        have = existing.get(spec.name)
        if have is None:
            report.created.append(spec.name)
            if not dry_run:
                client.call(f"create property {spec.name}", core_api.create_with_http_info, object_type=S.CONTACTS,
                            property_create=_property_create(spec, order))
        elif have.type != spec.type:
            report.drift.append(f"{spec.name} is a {have.type} property in HubSpot, expected {spec.type}")
        else:
            report.unchanged.append(spec.name)
    return report


def _property_create(spec: PropertySpec, order: int) -> PropertyCreate:
    options = [OptionInput(label=option_label(v), value=v, display_order=i, hidden=False)
               for i, v in enumerate(spec.options)] or None
    return PropertyCreate(name=spec.name, label=spec.label, type=spec.type, field_type=spec.field_type,
                          group_name=GROUP_NAME, description=spec.description, options=options,
                          display_order=order, has_unique_value=False, hidden=False, form_field=False)


NOT_FOUND_CATEGORY = "OBJECT_NOT_FOUND"
PUSH_CONCURRENCY = 3        # batches in flight at once; Airbyte's HubSpot source defaults to 3 workers too


@dataclass
class PushResult:
    written: dict[str, dict[str, str]] = field(default_factory=dict)
    failed: list[tuple[str, str | None, str]] = field(default_factory=list)   # (contact id, property, error)
    gone: set[str] = field(default_factory=set)        # ids HubSpot no longer knows (archived or deleted)
    requests: int = 0


def push_contact_updates(client: HubSpotClient, updates: dict[str, dict[str, str]], on_batch=None) -> PushResult:
    """batch/update in chunks of 100, a few at a time (the limiter keeps them within the rate limit);
    per-input errors are mapped back to their contacts and the rest goes on.

    `on_batch(written)` is called after each successful batch so the caller can commit what HubSpot took.
    """
    result = PushResult()
    items = list(updates.items())
    batches = [items[i:i + S.BATCH_SIZE] for i in range(0, len(items), S.BATCH_SIZE)]
    lock = threading.Lock()

    def one(batch):
        partial = PushResult()
        written = _push_batch(client, batch, partial)
        with lock:
            result.written.update(written)
            result.failed.extend(partial.failed)
            result.gone.update(partial.gone)
            result.requests += partial.requests
            if on_batch and written:
                on_batch(written)

    with ThreadPoolExecutor(max_workers=PUSH_CONCURRENCY) as pool:
        for future in [pool.submit(one, b) for b in batches]:
            future.result()          # re-raises the first fatal error after the others finished
    return result


def _push_batch(client, batch, result: PushResult) -> dict[str, dict[str, str]]:
    api = client.api("crm.contacts.batch_api")
    body = BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id=cid, properties=props) for cid, props in batch])
    result.requests += 1
    try:
        response = client.call("contact batch update", api.update_with_http_info,
                               batch_input_simple_public_object_batch_input=body)
    except FatalError as exc:
        if exc.status != 400 or len(batch) == 1:
            if exc.status not in (400, 404, 409):
                raise
            result.failed.extend((cid, _named_property(str(exc)), str(exc)) for cid, _ in batch)
            return {}
        # A 400 fails the whole batch for one bad input: bisect to find it (as Hightouch's split retries do).
        half = len(batch) // 2
        return {**_push_batch(client, batch[:half], result), **_push_batch(client, batch[half:], result)}
    failed_ids = set()
    for err in getattr(response, "errors", None) or []:
        ids = [str(x) for x in ((err.context or {}).get("ids") or [])]
        for cid in ids:
            failed_ids.add(cid)
            if (err.category or "") == NOT_FOUND_CATEGORY:
                result.gone.add(cid)
            result.failed.append((cid, _named_property(err.message or ""), err.message or err.category or "error"))
    return {cid: props for cid, props in batch if cid not in failed_ids}


def _named_property(message: str) -> str | None:
    found = re.search(r"\b(te_[a-z0-9_]+)", message)
    return found.group(1) if found else None
