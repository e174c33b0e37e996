"""Recruiter tasks in HubSpot: batch create with objectWriteTraceId, find a task again by its key, read its status."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubspot.crm.associations.v4.models import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects.tasks.models import (
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchReadInputSimplePublicObjectId,
    PublicAssociationsForObject,
    PublicObjectId,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
)

from connector.errors import FatalError
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient

TASKS = "tasks"
TASK_TO_CONTACT = 204                   # HUBSPOT_DEFINED task -> contact [V SDK AssociationType]
DONE_STATUSES = {"COMPLETED"}           # every other hs_task_status is an open task [U: options are portal-defined]
READ_PROPERTIES = ["hs_task_status", "hs_task_body", "hs_task_subject"]
MAX_ASSOCIATION_PAGES = 20              # per contact; a contact with more linked tasks than this is not searched further


@dataclass(frozen=True)
class TaskInput:
    key: str
    contact_id: str
    owner_id: str
    subject: str
    body: str
    due_ms: int
    priority: str
    task_type: str = "CALL"


@dataclass
class CreateResult:
    created: dict[str, str] = field(default_factory=dict)    # key -> HubSpot task id
    refused: dict[str, str] = field(default_factory=dict)    # key -> HubSpot's message
    requests: int = 0


def create_tasks(client: HubSpotClient, inputs: list[TaskInput]) -> CreateResult:
    """batch/create, 100 per request; every input carries its key as objectWriteTraceId, so HubSpot answers
    per input (207) and one refused owner id does not fail the others [V docs error-handling page]."""
    result = CreateResult()
    api = client.api("crm.objects.tasks.batch_api")
    for i in range(0, len(inputs), S.BATCH_SIZE):
        chunk = inputs[i:i + S.BATCH_SIZE]
        body = BatchInputSimplePublicObjectBatchInputForCreate(inputs=[_create_input(t) for t in chunk])
        result.requests += 1
        try:
            response = client.call("task batch create", api.create_with_http_info,
                                   batch_input_simple_public_object_batch_input_for_create=body)
        except FatalError as exc:
            if exc.status not in (400, 409):
                raise
            result.refused.update({t.key: str(exc) for t in chunk})
            continue
        by_key = {t.key for t in chunk}
        for task in response.results or []:
            if task.object_write_trace_id in by_key:
                result.created[task.object_write_trace_id] = str(task.id)
        for err in getattr(response, "errors", None) or []:
            for key in (err.context or {}).get("objectWriteTraceId") or []:
                if key in by_key and key not in result.created:
                    result.refused[key] = err.message or err.category or "refused"
    return result


def _create_input(t: TaskInput) -> SimplePublicObjectBatchInputForCreate:
    properties = {"hs_timestamp": str(t.due_ms), "hs_task_subject": t.subject, "hs_task_body": t.body,
                  "hs_task_status": "NOT_STARTED", "hs_task_priority": t.priority, "hs_task_type": t.task_type,
                  "hubspot_owner_id": t.owner_id}
    link = PublicAssociationsForObject(to=PublicObjectId(id=t.contact_id), types=[
        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=TASK_TO_CONTACT)])
    return SimplePublicObjectBatchInputForCreate(properties=properties, associations=[link],
                                                 object_write_trace_id=t.key)


def find_tasks_by_key(client: HubSpotClient, keys_by_contact: dict[str, set[str]], marker: str) -> dict[str, str]:
    """Tasks a crashed run created but never recorded: the contact's associated tasks whose body carries the key.

    Associations are read, not the search index: a task created seconds ago may not be searchable yet
    (search is eventually consistent, hubspot-api.md section 1.5), but its association is there at once [U].
    """
    linked = _associated_tasks(client, list(keys_by_contact))
    found: dict[str, str] = {}
    wanted = {key for keys in keys_by_contact.values() for key in keys}
    for task_id, props in read_tasks(client, sorted({t for ids in linked.values() for t in ids})).items():
        body = (props or {}).get("hs_task_body") or ""
        for key in wanted:
            if f"{marker}{key}" in body:
                found[key] = task_id
    return found


def task_open_states(client: HubSpotClient, task_ids: list[str]) -> dict[str, bool]:
    """task id -> still open; a task HubSpot no longer has (deleted) is not open."""
    props = read_tasks(client, task_ids)
    return {tid: tid in props and str((props[tid] or {}).get("hs_task_status") or "").upper() not in DONE_STATUSES
            for tid in task_ids}


def read_tasks(client: HubSpotClient, task_ids: list[str]) -> dict[str, dict]:
    """Properties of live tasks by id (batch read, 100 per request); missing ids are left out."""
    api = client.api("crm.objects.tasks.batch_api")
    out: dict[str, dict] = {}
    for i in range(0, len(task_ids), S.BATCH_SIZE):
        body = BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=t) for t in task_ids[i:i + S.BATCH_SIZE]], properties=READ_PROPERTIES,
            properties_with_history=[])
        response = client.call("task batch read", api.read_with_http_info,
                               batch_read_input_simple_public_object_id=body, archived=False)
        for task in response.results or []:
            out[str(task.id)] = dict(task.properties or {})
    return out


def _associated_tasks(client: HubSpotClient, contact_ids: list[str]) -> dict[str, set[str]]:
    api = client.api("crm.associations.v4.batch_api")
    out: dict[str, set[str]] = {}
    todo = [(cid, None) for cid in contact_ids]
    pages = 0
    while todo and pages < MAX_ASSOCIATION_PAGES * max(1, len(contact_ids)):
        chunk, todo = todo[:S.BATCH_SIZE], todo[S.BATCH_SIZE:]
        pages += 1
        body = BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=cid, after=after) for cid, after in chunk])
        response = client.call("contact task associations", api.get_page_with_http_info,
                               from_object_type=S.CONTACTS, to_object_type=TASKS,
                               batch_input_public_fetch_associations_batch_request=body)
        for item in response.results or []:
            cid = str(item._from.id)
            out.setdefault(cid, set()).update(str(link.to_object_id) for link in item.to or [])
            after = getattr(getattr(item.paging, "next", None), "after", None) if item.paging else None
            if after:
                todo.append((cid, after))
    return out
