"""The id reconcile's HubSpot side: every contact id HubSpot has (live and archived), and contacts read by id.

A deleted contact leaves no trace in the search stream, and a contact stamped with an old lastmodifieddate
(an import, a restore) never enters it past the cursor; only a scan of the ids finds them. The list endpoint
(`GET /crm/v3/objects/contacts`, id order, `after` paging) has no 10,000-result cap, unlike search (reference
§0.2); it is asked for two short properties only, so no property list goes into a URL (§3.4, 414s).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId, SimplePublicObjectId

from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
from connector.hubspot.pull import BadRecordError, contact_row
from connector.hubspot.timeparse import to_ms

ID_PROPERTIES = ["hs_object_id", "lastmodifieddate"]


@dataclass(frozen=True)
class ReadBatch:
    rows: list[dict]                # contacts found (a merged-away id answers with its survivor)
    bad: list[BadRecordError]
    missing: list[str]              # ids HubSpot reported OBJECT_NOT_FOUND


def fetch_contact_id_pages(client: HubSpotClient, *, archived: bool) -> Iterator[dict[str, int | None]]:
    """Per list page, {contact id: lastmodifieddate ms}: live contacts, or only archived ones with archived=True."""
    api = client.api("crm.contacts.basic_api")
    after = None
    while True:
        kwargs = {"after": after} if after else {}
        page = client.call("contact id list", api.get_page_with_http_info, limit=S.LIST_PAGE_SIZE,
                           properties=ID_PROPERTIES, archived=archived, **kwargs)
        ids = {}
        for obj in page.results or []:
            try:
                ids[str(obj.id)] = to_ms((obj.properties or {}).get("lastmodifieddate"))
            except (TypeError, ValueError):
                ids[str(obj.id)] = None
        yield ids
        nxt = page.paging.next if page.paging else None
        if not nxt or not nxt.after:
            return
        after = nxt.after


def fetch_contacts_by_id(client: HubSpotClient, contact_ids: list[str], *,
                         archived: bool = False) -> Iterator[ReadBatch]:
    """batch/read of the given ids, 100 per request, every property the pull reads (in the body)."""
    api = client.api("crm.contacts.batch_api")
    for i in range(0, len(contact_ids), S.BATCH_SIZE):
        chunk = contact_ids[i:i + S.BATCH_SIZE]
        body = BatchReadInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=c) for c in chunk],
                                                  properties=S.CONTACT_PROPERTIES, properties_with_history=[])
        response = client.call("contact read by id", api.read_with_http_info,
                               batch_read_input_simple_public_object_id=body, archived=archived)
        rows, bad = [], []
        for obj in getattr(response, "results", None) or []:
            try:
                rows.append(contact_row(str(obj.id), obj.properties or {}, bool(obj.archived)))
            except BadRecordError as err:
                bad.append(err)
        wanted = set(chunk)
        missing = [str(x) for err in getattr(response, "errors", None) or []
                   if getattr(err, "category", None) in (None, "OBJECT_NOT_FOUND")
                   for x in ((err.context or {}).get("ids") or []) if str(x) in wanted]
        yield ReadBatch(rows, bad, sorted(set(missing)))
