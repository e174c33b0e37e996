"""The periodic id reconcile: which locally known contacts HubSpot no longer has (deleted, GDPR-deleted).

A deleted contact leaves no trace in the search stream and, if none of its values change, never meets a
batch update either; a batch read of the known ids (100 per request, only hs_object_id) answers the missing
ones in its OBJECT_NOT_FOUND error [V public fixtures], so they can be purged.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId, SimplePublicObjectId

from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient


def fetch_missing_contact_ids(client: HubSpotClient, contact_ids: list[str]) -> Iterator[list[str]]:
    """Per batch of known ids, those HubSpot does not have (archived ones count as missing)."""
    api = client.api("crm.contacts.batch_api")
    for i in range(0, len(contact_ids), S.BATCH_SIZE):
        chunk = contact_ids[i:i + S.BATCH_SIZE]
        body = BatchReadInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=c) for c in chunk],
                                                  properties=["hs_object_id"], properties_with_history=[])
        response = client.call("contact id reconcile", api.read_with_http_info,
                               batch_read_input_simple_public_object_id=body, archived=False)
        found = {str(r.id) for r in getattr(response, "results", None) or []}
        merged = {str(m) for r in getattr(response, "results", None) or []
                  for m in ((r.properties or {}).get("hs_object_id"),) if m}
        yield [c for c in chunk if c not in found and c not in merged and _reported_missing(response, c)]


def _reported_missing(response, contact_id: str) -> bool:
    for err in getattr(response, "errors", None) or []:
        if contact_id in [str(x) for x in ((err.context or {}).get("ids") or [])]:
            return True
    return False
