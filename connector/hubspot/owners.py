"""HubSpot owners (owners v3): id and email, so ATS recruiters can be mapped to the owner who gets the task."""

from __future__ import annotations

from collections.abc import Iterator

from connector.emails import normalize_email
from connector.hubspot.client import HubSpotClient

OWNERS_PAGE = 100


def fetch_owners(client: HubSpotClient) -> Iterator[tuple[str, str | None]]:
    """(owner id, normalised email) of every active owner."""
    api = client.api("crm.owners.owners_api")
    after = None
    while True:
        page = client.call("owners", api.get_page_with_http_info, limit=OWNERS_PAGE, after=after, archived=False)
        for owner in page.results or []:
            yield str(owner.id), normalize_email(owner.email)
        nxt = page.paging.next if page.paging else None
        if not nxt or not nxt.after:
            return
        after = nxt.after
