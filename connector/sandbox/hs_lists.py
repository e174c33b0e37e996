"""Contact lists (segments): the list model, membership rules, list wire shape and the test-side list API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from .hs_props import iso_ms
from .hs_store import Portal

CONTACT_LISTS = "0-1"  # [V] SDK docstring: "`0-1` for a `CONTACT` list"
PROCESSING_TYPES = ("MANUAL", "DYNAMIC", "SNAPSHOT")  # [V] lists guide
LIST_AUTHOR_ID = "9100201"  # the userId of the seed's first recruiter: who "created" lists in the UI [U]


@dataclass
class ContactList:
    """One list definition and its stored memberships (contact id -> epoch ms it joined).

    Facts marked [V] come from the SDK's docstrings or HubSpot's documentation, [C] from public third-party
    material, [U] are decided here (unverified).

    - Only contact lists (objectTypeId `0-1`) exist; processingType MANUAL, DYNAMIC or SNAPSHOT [V lists guide].
    - The sandbox does not process list filters [U]: a DYNAMIC list holds the members it was given, as a
      snapshot of what HubSpot's processing decided; its filterBranch is description only.
    - Membership is computed on read [U]: a merged-away id is never a member; in MANUAL and SNAPSHOT lists the
      survivor takes the membership over (static memberships "combined from both records" [C koalify.io on
      HubSpot merges]), with the earlier timestamp [U]; DYNAMIC lists would re-evaluate the survivor, which the
      sandbox cannot, so they just drop the merged id [U]. Archived contacts are not members [U] (HubSpot keeps
      deleted records out of segments; a restore is not modelled).
    """

    list_id: str
    name: str
    processing_type: str
    created_ms: int
    members: dict[str, int] = field(default_factory=dict)
    filter_branch: dict | None = None
    version: int = 1


def default_filter_branch() -> dict:
    """The filterBranch of a DYNAMIC/SNAPSHOT list created without one: an OR root over one empty AND branch.

    [V] the root of every list filter is an OR branch whose children are AND branches (list filters guide);
    [U] what HubSpot stores for a list whose filters were never edited.
    """
    return {"filterBranchType": "OR", "filterBranchOperator": "OR", "filters": [],
            "filterBranches": [{"filterBranchType": "AND", "filterBranchOperator": "AND", "filters": [],
                                "filterBranches": []}]}


def create(portal: Portal, name: str, processing_type: str, at_ms: int, members: dict[str, int],
           filter_branch: dict | None = None) -> ContactList:
    """Store a new contact list; ValueError for a bad name or type, KeyError for an unknown contact id."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a list needs a name")
    if any(lst.name.lower() == name.lower() for lst in portal.lists.values()):
        # [V] SDK update_name: "The name must be globally unique relative to all other public lists".
        raise ValueError(f"a list named {name!r} already exists")
    if processing_type not in PROCESSING_TYPES:
        raise ValueError(f"processing_type must be one of {PROCESSING_TYPES}, not {processing_type!r}")
    unknown = [i for i in members if i not in portal.records["contacts"]]
    if unknown:
        raise KeyError(f"no contact with id {unknown[0]}")
    if filter_branch is None and processing_type != "MANUAL":
        filter_branch = default_filter_branch()
    list_id = str(max((int(i) for i in portal.lists), default=0) + 1)  # ILS ids are small integers [V docs]
    lst = ContactList(list_id, name, processing_type, at_ms, dict(members), copy.deepcopy(filter_branch))
    portal.lists[list_id] = lst
    return lst


def current_members(portal: Portal, lst: ContactList) -> dict[str, int]:
    """Members as HubSpot would answer now (see ContactList for merges and archives)."""
    contacts, out = portal.records["contacts"], {}
    for record_id, joined_ms in lst.members.items():
        rec = contacts.get(record_id)
        while rec is not None and rec.merged_into is not None:
            rec = None if lst.processing_type == "DYNAMIC" else contacts.get(rec.merged_into)
        if rec is None or rec.archived:
            continue
        out[rec.id] = min(joined_ms, out.get(rec.id, joined_ms))
    return out


def definition(portal: Portal, lst: ContactList, include_filters: bool) -> dict:
    """PublicObjectList [V docs example of GET /crm/v3/lists/{listId}].

    The docs' example also shows `size`. Newer API versions add listPermissions and membershipSettings
    (a real body in HubSpot/hubspot-api-php#486); SDK 12.0.0's model lacks them, so they are not sent.
    [U] a MANUAL list has no filterBranch even with includeFilters=true.
    """
    stamp = iso_ms(lst.created_ms)
    body = {"listId": lst.list_id, "listVersion": lst.version, "name": lst.name, "objectTypeId": CONTACT_LISTS,
            "processingStatus": "COMPLETE", "processingType": lst.processing_type, "createdAt": stamp,
            "updatedAt": stamp, "filtersUpdatedAt": stamp, "createdById": LIST_AUTHOR_ID,
            "updatedById": LIST_AUTHOR_ID, "size": len(current_members(portal, lst))}
    if include_filters and lst.filter_branch is not None:
        body["filterBranch"] = copy.deepcopy(lst.filter_branch)
    return body


class SandboxListsMixin:
    """The test-side ("HubSpot UI") API for lists, mixed into HubSpotSandbox."""

    portal: Portal
    now_ms: Callable[[], int]

    def create_list(self, name: str, contact_ids: list[str], *, processing_type: str = "MANUAL",
                    filter_branch: dict | None = None, at_ms: int | None = None) -> str:
        """Create a contact list holding `contact_ids` (all joined now, or at `at_ms`); returns its id.

        A DYNAMIC list is not processed: it holds these members (see ContactList).
        """
        with self.portal.lock:
            stamp = at_ms or self.now_ms()
            members = {str(i): stamp for i in contact_ids}
            return create(self.portal, name, processing_type, stamp, members, filter_branch).list_id

    def list_members(self, list_id: str) -> list[str]:
        """Current member ids of a list in id order, as the memberships endpoint answers them."""
        with self.portal.lock:
            lst = self.portal.lists.get(str(list_id))
            if lst is None:
                raise KeyError(list_id)
            return sorted(current_members(self.portal, lst), key=int)
