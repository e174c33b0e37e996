"""Wire helpers shared by the routes: the parsed request, query parsing, record serialization, paging."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

from .hs_errors import missing_scopes, validation
from .hs_prop_defs import OBJECT_META
from .hs_props import iso_ms
from .hs_store import Portal, Record

# [V] HubSpot's object definitions: contacts are 0-1 ("crm/v3/objects/0-1" in the CRM overview); tasks 0-27 [C].
# Names are matched case-insensitively [C: HubSpot/hubspot-api-python#334 shows /crm/v3/objects/CONTACTS].
OBJECT_ALIASES = {"contacts": "contacts", "contact": "contacts", "0-1": "contacts",
                  "tasks": "tasks", "task": "tasks", "0-27": "tasks"}
SINGULAR = {"contacts": "contact", "tasks": "task"}
TYPE_IDS = {"contacts": "0-1", "tasks": "0-27"}


@dataclass
class Call:
    """One routed request as the route handlers see it."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: object
    portal: Portal
    base_url: str
    tier: str = "enterprise"
    token: str = ""
    scopes: frozenset[str] = field(default_factory=frozenset)
    usage: dict = field(default_factory=dict)  # daily budget figures, for the usage endpoint

    def require(self, *scopes: str) -> None:
        """403 MISSING_SCOPES unless the token holds one of `scopes`."""
        if scopes and not self.scopes.intersection(scopes):
            raise missing_scopes(list(scopes))

    def q(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def q_list(self, name: str) -> list[str] | None:
        """A list parameter sent either repeated (the SDK's "multi") or comma-separated (HubSpot's docs)."""
        if name not in self.query:
            return None
        return [p.strip() for v in self.query[name] for p in v.split(",") if p.strip()]

    def q_bool(self, name: str) -> bool:
        value = self.q(name)
        if value is None:
            return False
        if value.lower() not in ("true", "false"):
            raise validation(f"Invalid value for {name}: {value} is not a boolean", context={name: [value]})
        return value.lower() == "true"

    def q_int(self, name: str, default: int, maximum: int, minimum: int = 1) -> int:
        value = self.q(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise validation(f"Invalid value for {name}: {value} is not an integer") from None
        if not minimum <= number <= maximum:
            raise validation(f"{name} must be between {minimum} and {maximum}, was {number}",
                             context={name: [value]})
        return number

    def body_dict(self) -> dict:
        if not isinstance(self.body, dict):
            raise validation("Invalid input JSON: the request body must be a JSON object")
        return self.body


class Route(NamedTuple):
    """One served endpoint: its SDK twin (dotted path from `hubspot.HubSpot()`), query names and scopes."""

    method: str
    path: str
    sdk: str | None
    query: tuple[str, ...]
    handler: Callable[[Call], tuple[int, object]]
    scopes: tuple[str, ...] = ()  # any one of them is enough; empty: no scope needed
    search: bool = False  # counted against the search limit, answered without rate-limit headers
    type_scopes: dict[str, tuple[str, ...]] | None = None  # scopes per {objectType} (properties API)

    def required_scopes(self, params: dict[str, str]) -> tuple[str, ...]:
        """The scopes this request needs (any one is enough); 400 for an object type the sandbox lacks."""
        if self.type_scopes is None:
            return self.scopes
        return self.type_scopes[object_type_of(params.get("objectType", ""))]


def object_type_of(raw: str) -> str:
    """Normalise an object type path segment; 400 for types the sandbox does not hold."""
    found = OBJECT_ALIASES.get(raw.lower())
    if found is None:
        raise validation(f"Unable to infer object type from: {raw}", context={"objectType": [raw]})
    return found


def encode_cursor(position: str) -> str:
    """An opaque `after` token, shaped like HubSpot's (base64 of the next position)."""
    return base64.b64encode(f"{position}\n".encode()).decode()


def decode_cursor(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise validation(f"Invalid after token: {token}", context={"after": [token]}) from None
    if not text.endswith("\n") or not text.strip():
        raise validation(f"Invalid after token: {token}", context={"after": [token]})
    return text.strip()


def paging(call: Call, after: str | None, *, link: bool = True) -> dict:
    """`paging` envelope; absent when there is no next page."""
    if after is None:
        return {}
    nxt = {"after": after}
    if link:
        nxt["link"] = f"{call.base_url}{call.path}?after={quote(after, safe='')}"
    return {"paging": {"next": nxt}}


def chosen_properties(object_type: str, requested: list[str] | None, portal: Portal) -> list[str]:
    """Properties a read returns: the defaults when none asked, else the known asked ones plus the fixed three.

    Unknown names are ignored [V SDK docstring: "If any of the specified properties are not present on the
    requested object(s), they will be ignored"].
    """
    _, _, fixed, defaults = OBJECT_META[object_type]
    if not requested:
        return list(defaults)
    defs = portal.defs[object_type]
    names = [p for p in requested if p in defs]
    return names + [f for f in fixed if f not in names]


def serialize(rec: Record, props: list[str], *, history: list[str] | None = None,
              associations: dict[str, list[str]] | None = None, trace_id: str | None = None) -> dict:
    """SimplePublicObject(WithAssociations) for a record."""
    out: dict = {
        "id": rec.id,
        "properties": {p: rec.props.get(p) for p in props},
        "createdAt": iso_ms(rec.created_ms),
        "updatedAt": iso_ms(rec.updated_ms),
        "archived": rec.archived,
    }
    if rec.archived and rec.archived_ms is not None:
        out["archivedAt"] = iso_ms(rec.archived_ms)
    if history:
        out["propertiesWithHistory"] = {
            p: [{"value": v, "timestamp": iso_ms(ts), "sourceType": src}
                for v, ts, src in reversed(rec.history.get(p, []))]
            for p in history if p in rec.history or p in rec.props
        }
    if associations:
        out["associations"] = {
            kind: {"results": [{"id": i, "type": f"{SINGULAR[rec.object_type]}_to_{SINGULAR[kind]}"}
                               for i in sorted(ids, key=int)]}
            for kind, ids in associations.items() if ids
        }
    if trace_id:
        out["objectWriteTraceId"] = trace_id
    return out


def associations_of(rec: Record, kinds: list[str] | None) -> dict[str, list[str]] | None:
    """Associated ids per requested kind (contacts <-> tasks are the only links the sandbox keeps)."""
    if not kinds:
        return None
    out = {}
    for kind in kinds:
        target = OBJECT_ALIASES.get(kind.lower())
        if target and target != rec.object_type:
            out[target] = sorted(rec.assoc, key=int)
    return out


def batch_envelope(results: list[dict], started_ms: int, finished_ms: int, errors: list[dict] | None = None
                   ) -> tuple[int, dict]:
    """BatchResponse*: 200 when clean, 207 with `errors`/`numErrors` when some inputs failed."""
    body: dict = {"status": "COMPLETE", "results": results, "startedAt": iso_ms(started_ms),
                  "completedAt": iso_ms(finished_ms)}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return 207, body
    return 200, body
