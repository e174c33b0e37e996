"""Custom object schemas: GET /crm-object-schemas/v3/schemas (the SDK's crm.schemas.core_api.get_all).

The sandbox's portal holds no custom objects, so the list is empty; the route exists so that a client probing
for custom objects meets HubSpot's scopes and tier rules rather than a 404.
"""

from __future__ import annotations

from .hs_errors import ApiError, error_body
from .hs_routes_events import ENTERPRISE_MESSAGE
from .hs_wire import Call, Route

# [V] docs "Get all schemas" (crm-schemas-v3 core): "This API requires one of the following scopes".
SCHEMA_READ_SCOPES = ("crm.objects.custom.highly_sensitive.read.v2", "crm.objects.custom.read",
                      "crm.objects.custom.sensitive.read.v2", "crm.schemas.custom.read")


def list_schemas(call: Call) -> tuple[int, dict]:
    """200 `{"results": []}`: no custom objects (archived ones neither).

    [V] "Supported products": Enterprise of any hub; other tiers get a 403 ([U] body, as the events API's).
    [V] The answer is CollectionResponseObjectSchemaNoPaging: `results` only, no `paging`.
    """
    if call.tier != "enterprise":
        raise ApiError(403, error_body(ENTERPRISE_MESSAGE, "FORBIDDEN", sub_category="PRODUCT_TIER_REQUIRED"))
    call.q_bool("archived")     # validated: a non-boolean is a 400
    return 200, {"results": []}


ROUTES = [
    Route("GET", "/crm-object-schemas/v3/schemas", "crm.schemas.core_api.get_all", ("archived",), list_schemas,
          SCHEMA_READ_SCOPES),
    # [C] the older docs and the brief's path: GET /crm/v3/schemas answers the same list
    Route("GET", "/crm/v3/schemas", None, ("archived",), list_schemas, SCHEMA_READ_SCOPES),
]
