"""Task creation routes: POST a task or a batch of tasks, with their task->contact associations."""

from __future__ import annotations

from .hs_errors import ApiError, invalid_properties, standard_error, validation
from .hs_routes_crm import BATCH_LIMIT, WRITE_SCOPES, batch_inputs
from .hs_store import TASK_TO_CONTACT, Record
from .hs_wire import Call, Route, batch_envelope, chosen_properties, serialize


def _task_links(call: Call, associations: object) -> set[str]:
    """Validate create-time associations: task->contact (HUBSPOT_DEFINED 204) to existing contacts."""
    if associations is None:
        return set()
    if not isinstance(associations, list):
        raise validation("associations must be a list")
    linked = set()
    for assoc in associations:
        to_id = str((assoc.get("to") or {}).get("id", "")) if isinstance(assoc, dict) else ""
        types = assoc.get("types") if isinstance(assoc, dict) else None
        if not to_id or not isinstance(types, list) or not types:
            raise validation("Each association needs to.id and types")
        for spec in types:
            kind = (spec.get("associationCategory"), spec.get("associationTypeId")) if isinstance(spec, dict) else None
            if kind != ("HUBSPOT_DEFINED", TASK_TO_CONTACT):
                raise validation(f"{kind} is not a valid association type between tasks and contacts",
                                 sub_category="crm.associations.INVALID_ASSOCIATION_TYPE")
        contact = call.portal.resolve("contacts", to_id) if to_id.isdigit() else None
        if contact is None:
            raise validation(f"No contact with ID {to_id} exists", context={"ids": [to_id]},
                             sub_category="crm.associations.INVALID_OBJECT_IDS")  # [U] wording
        linked.add(contact.id)
    return linked


def _prepare_task(call: Call, item: object) -> tuple[dict[str, str], set[str]]:
    if not isinstance(item, dict):
        raise validation("Each input must be an object with properties")
    values = call.portal.validate_write("tasks", item.get("properties"))
    if not values.get("hs_timestamp"):
        raise invalid_properties([{"name": "hs_timestamp", "error": "REQUIRED_PROPERTY",
                                   "message": "hs_timestamp is required"}])  # [V] required; [U] wording
    return values, _task_links(call, item.get("associations"))


def _store_task(call: Call, values: dict[str, str], links: set[str]) -> Record:
    portal = call.portal
    task = portal.create("tasks", values, portal.clock(), source="INTEGRATION")
    for contact_id in links:
        task.assoc.add(contact_id)
        portal.records["contacts"][contact_id].assoc.add(task.id)
    return task


def create_task(call: Call) -> tuple[int, dict]:
    """POST /crm/v3/objects/tasks -> 201."""
    values, links = _prepare_task(call, call.body_dict())
    task = _store_task(call, values, links)
    return 201, serialize(task, chosen_properties("tasks", list(values), call.portal))


def batch_create_tasks(call: Call) -> tuple[int, dict]:
    """POST /crm/v3/objects/tasks/batch/create: 201; with objectWriteTraceId on every input, 207 per input.

    [V] error-handling page: multi-status for batch create is enabled by a unique objectWriteTraceId per
    input. Without it one bad input fails the whole batch. [U] that every input must carry one.
    """
    inputs = batch_inputs(call, BATCH_LIMIT)
    traces = [i.get("objectWriteTraceId") if isinstance(i, dict) else None for i in inputs]
    multi = bool(inputs) and all(isinstance(t, str) and t for t in traces)
    if multi and len(set(traces)) != len(traces):
        raise validation("objectWriteTraceId values must be unique within a batch")
    started, prepared, errors = call.portal.clock(), [], []
    for item, trace in zip(inputs, traces, strict=True):
        try:
            prepared.append((trace, *_prepare_task(call, item)))
        except ApiError as exc:
            if not multi:
                raise
            errors.append(standard_error(exc.body.get("category", "VALIDATION_ERROR"), exc.body["message"],
                                         {"objectWriteTraceId": [trace]}))
    results = []
    for trace, values, links in prepared:
        task = _store_task(call, values, links)
        task.trace_id = trace
        results.append(serialize(task, chosen_properties("tasks", list(values), call.portal), trace_id=trace))
    status, body = batch_envelope(results, started, call.portal.clock(), errors)
    return (201 if status == 200 else status), body


ROUTES = [
    Route("POST", "/crm/v3/objects/tasks", "crm.objects.tasks.basic_api.create", (), create_task, WRITE_SCOPES),
    Route("POST", "/crm/v3/objects/tasks/batch/create", "crm.objects.tasks.batch_api.create", (),
          batch_create_tasks, WRITE_SCOPES),
]
