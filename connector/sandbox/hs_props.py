"""PropertyDef and the type rules property writes must obey; the standard definitions are in hs_prop_defs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

# type -> allowed fieldTypes. [C] docs' property table; fieldTypes limited to the SDK's PropertyCreate enum.
FIELD_TYPES = {
    "string": {"text", "textarea", "file"},
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
    "bool": {"booleancheckbox"},
}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$")
DAY_MS = 86_400_000
EPOCH_ISO = "1970-01-01T00:00:00.000Z"


def epoch_ms(moment: datetime) -> int:
    """A datetime -> epoch milliseconds (truncated)."""
    return int(moment.timestamp() * 1000)


def iso_ms(ms: int) -> str:
    """Epoch ms -> ISO-8601 UTC as HubSpot v3 writes datetimes: milliseconds, except when they are 0.

    [U] HubSpot's JSON comes from Java, whose ISO_INSTANT form (Instant.toString, Jackson's default) prints the
    fraction only when non-zero: "2019-10-30T03:30:17.883Z" but "2019-10-30T03:30:17Z". The docs' examples show
    both forms (".390Z" in the schemas example, "05:31:56Z" in generated references); a client must take both.
    """
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    fraction = f".{ms % 1000:03d}" if ms % 1000 else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def parse_datetime_ms(value: object) -> int | None:
    """Epoch ms (int or digit string) or an ISO-8601 string -> epoch ms; None when neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if not ISO_RE.match(text):
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(round(dt.timestamp() * 1000))


@dataclass
class PropertyDef:
    """One property of an object type, as the properties API describes it."""

    name: str
    label: str
    type: str
    field_type: str
    group: str
    options: list[dict] = field(default_factory=list)
    read_only: bool = False
    calculated: bool = False
    hubspot_defined: bool = True
    external_options: bool = False
    description: str = ""
    display_order: int = -1
    has_unique_value: bool = False
    created_ms: int = 0

    def to_wire(self) -> dict:
        """The property as GET /crm/v3/properties returns it (ModelProperty)."""
        wire = {
            "name": self.name, "label": self.label, "type": self.type, "fieldType": self.field_type,
            "description": self.description, "groupName": self.group, "options": self.options,
            "displayOrder": self.display_order, "calculated": self.calculated,
            "externalOptions": self.external_options, "hasUniqueValue": self.has_unique_value,
            "hidden": False, "formField": not self.read_only, "archived": False,
            "createdAt": iso_ms(self.created_ms), "updatedAt": iso_ms(self.created_ms),
            "modificationMetadata": {"archivable": not self.hubspot_defined,
                                     "readOnlyDefinition": self.hubspot_defined,
                                     "readOnlyValue": self.read_only},
        }
        if self.hubspot_defined:
            wire["hubspotDefined"] = True
        return wire


def _err(name: str, code: str, message: str) -> dict:
    return {"name": name, "error": code, "message": message}


def _number_text(raw: object) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        raw = repr(raw)
    if not isinstance(raw, str):
        return None
    try:
        number = float(raw.strip())
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return str(int(number)) if number.is_integer() and "e" not in raw.lower() else raw.strip()


def normalize_value(defn: PropertyDef, raw: object, owner_ids: set[str]) -> tuple[str, dict | None]:
    """Validate one written value against its definition; return (wire value, error item or None).

    The empty string clears a value [V docs: "Property values can be cleared by passing an empty string"].
    Error codes: PROPERTY_DOESNT_EXIST / INVALID_OPTION / INVALID_INTEGER [V real bodies]; INVALID_FLOAT,
    INVALID_DATE, INVALID_BOOLEAN, READ_ONLY_VALUE [U].
    """
    name = defn.name
    if raw is None or raw == "":
        return "", None
    if isinstance(raw, dict | list):
        return "", _err(name, "INVALID_VALUE", f"{name} must be a string, number or boolean")
    if defn.type == "number":
        text = _number_text(raw)
        if text is None:
            return "", _err(name, "INVALID_FLOAT", f"{raw!r} was not a valid number.".replace("'", '"'))
        return text, None
    if defn.type in ("datetime", "date"):
        ms = parse_datetime_ms(raw)
        if ms is None:
            return "", _err(name, "INVALID_DATE", f'"{raw}" was not a valid date: use epoch milliseconds or '
                                                  "an ISO-8601 string")
        if defn.type == "date":
            if ms % DAY_MS:
                left = ms % DAY_MS
                return "", _err(name, "INVALID_DATE",
                                f"{raw} is at {left // 3_600_000}:{left // 60_000 % 60}:{left // 1000 % 60}."
                                f"{left % 1000} UTC, not midnight!")
            return iso_ms(ms)[:10], None
        return iso_ms(ms), None
    text = raw if isinstance(raw, str) else (str(raw).lower() if isinstance(raw, bool) else str(raw))
    if defn.type == "bool":
        if text.lower() not in ("true", "false"):
            return "", _err(name, "INVALID_BOOLEAN", f"{text} was not a valid boolean (true or false).")
        return text.lower(), None
    if defn.name == "hubspot_owner_id":
        if not re.fullmatch(r"\d+", text):
            return "", _err(name, "INVALID_INTEGER", f"{text} was not a valid integer (for owner ID).")
        if text not in owner_ids:
            return "", _err(name, "INVALID_OWNER_ID", f"{text} is not a valid owner id.")  # [U]
        return text, None
    if defn.type == "enumeration":
        allowed = [o["value"] for o in defn.options]
        chosen = text.split(";") if defn.field_type == "checkbox" else [text]
        bad = [c for c in chosen if c not in allowed]
        if bad:
            return "", _err(name, "INVALID_OPTION",
                            f"{bad[0]} was not one of the allowed options: [{', '.join(allowed)}]")
        return text, None
    return text, None


def sort_key_of(defn: PropertyDef | None, value: str | None) -> float | str | None:
    """Comparable form of a stored value: numbers and dates as numbers, text case-folded."""
    if value is None or value == "":
        return None
    if defn is not None and defn.type in ("number", "datetime", "date"):
        if defn.type == "number":
            try:
                return float(value)
            except ValueError:
                return None
        return parse_datetime_ms(value)
    return value.casefold()


def validate_definition(body: dict, groups: set[str]) -> list[str]:
    """Problems with a property-create body: required fields, type/fieldType pairs, group, options."""
    problems = [f"{k} is required" for k in ("name", "label", "type", "fieldType", "groupName")
                if not isinstance(body.get(k), str) or not body.get(k)]
    if problems:
        return problems
    if not NAME_RE.match(body["name"]):
        problems.append("name must start with a lowercase letter and hold only a-z, 0-9 and _")
    typ, ftype = body["type"], body["fieldType"]
    if typ not in FIELD_TYPES:
        problems.append(f"{typ} is not a valid property type")
    elif ftype not in FIELD_TYPES[typ]:
        problems.append(f"fieldType {ftype} is not valid for type {typ}")
    if body["groupName"] not in groups:
        problems.append(f"group {body['groupName']} does not exist")
    options = body.get("options") or []
    if typ == "enumeration" and ftype != "booleancheckbox" and not options:
        problems.append("enumeration properties need options")  # [U]
    for opt in options:
        if not isinstance(opt, dict) or not opt.get("label") or not isinstance(opt.get("value"), str):
            problems.append("every option needs a label and a value")
            break
    return problems
