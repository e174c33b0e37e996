"""Creating HubSpot contacts for ATS candidates (opt-in, ATS_CREATE_CONTACTS): one create per candidate."""

from __future__ import annotations

import re

from hubspot.crm.contacts import SimplePublicObjectInputForCreate

from connector.errors import FatalError
from connector.hubspot.client import HubSpotClient

EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")


def push_new_contact(client: HubSpotClient, properties: dict[str, str]) -> str:
    """The id of the contact created with `properties`; when HubSpot already has the email (409), that contact's id.

    HubSpot refuses a second contact with the same email, so a re-run after a crash cannot create a duplicate.
    """
    api = client.api("crm.contacts.basic_api")
    try:
        created = client.call("create contact", api.create_with_http_info,
                              simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                                  properties=properties, associations=[]))
    except FatalError as exc:
        found = EXISTING_ID.search(str((exc.body or {}).get("message", ""))) if exc.status == 409 else None
        if found:
            return found.group(1)
        raise
    return str(created.id)
