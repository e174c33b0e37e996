"""The contacts stream: changed ids by CRM search in keyset windows, the records by batch/read, and the row
transform into our contact rows (merged ids, counters)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest

from connector.emails import normalize_email
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient, UndecodablePayloadError
from connector.hubspot.sanitize import first_text_problem
from connector.hubspot.timeparse import to_ms


class BadRecordError(ValueError):
    """A record we cannot take in: quarantined with its id and field, the run goes on."""

    def __init__(self, source: str, record_id: str, field: str, problem: str):
        super().__init__(f"{source} {record_id}: field {field} {problem}")
        self.source, self.record_id, self.field = source, record_id, field


@dataclass(frozen=True)
class ContactPage:
    rows: list[dict]
    bad: list[BadRecordError]
    checkpoint_ms: int          # every contact modified before this was seen (GTE restarts here)


def fetch_contact_pages(client: HubSpotClient, since_ms: int, until_ms: int) -> Iterator[ContactPage]:
    """Contacts with since <= lastmodifieddate < until, oldest first, in keyset pages.

    Search finds the ids only (it is capped, rate-limited to ~5/s and eventually consistent); batch/read then
    reads each page's records, 100 a call, properties in the body (Estuary's split, reference §1.5). Each page
    restarts the filter at the newest timestamp search gave (GTE) instead of paging with `after`: no query nears
    the 10,000-result cap, a contact modified mid-run cannot shift offsets, and ties (which come back in no
    stable order) cannot make us skip a neighbour. A full page that is all one millisecond (imports stamp
    thousands of contacts alike) is drained by hs_object_id before moving past it. The checkpoint comes from
    search's timestamps, never batch/read's: a record read newer than search knew it is read again next run.
    """
    reader = _Reader(client)
    low = max(since_ms, S.EPOCH_FLOOR_MS)
    while low < until_ms:
        hits = _search_ids(client, [
            Filter(property_name="lastmodifieddate", operator="GTE", value=str(low)),
            Filter(property_name="lastmodifieddate", operator="LT", value=str(until_ms)),
        ], "lastmodifieddate")
        rows, bad = reader.read(hits)
        # search GTE can return same-millisecond-earlier records (Estuary code [V]): they do not move the cursor
        stamps = [ms for _cid, ms in hits if ms is not None and ms >= low]
        if len(hits) < S.SEARCH_PAGE_SIZE:
            yield ContactPage(rows, bad, until_ms)
            return
        newest = max(stamps, default=low)
        if newest > low:
            yield ContactPage(rows, bad, newest)
            low = newest
            continue
        yield from _drain_millisecond(client, reader, low, rows, bad)
        low += 1


def _drain_millisecond(client, reader: _Reader, stamp_ms, first_rows, first_bad) -> Iterator[ContactPage]:
    """All contacts stamped exactly `stamp_ms`, by ascending hs_object_id (keyset again)."""
    yield ContactPage(first_rows, first_bad, stamp_ms)
    last_id = 0
    while True:
        hits = _search_ids(client, [
            Filter(property_name="lastmodifieddate", operator="EQ", value=str(stamp_ms)),
            Filter(property_name="hs_object_id", operator="GT", value=str(last_id)),
        ], "hs_object_id")
        rows, bad = reader.read(hits)
        ids = [int(cid) for cid, _ms in hits if cid.isdigit()]
        yield ContactPage(rows, bad, stamp_ms)
        if len(hits) < S.SEARCH_PAGE_SIZE or not ids:
            return
        last_id = max(ids)


def _search_ids(client: HubSpotClient, filters: list[Filter], sort: str) -> list[tuple[str, int | None]]:
    """(id, lastmodifieddate ms as search has it) per hit; search asks only for what paging needs."""
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=filters)], sorts=[f"{sort}"],
        properties=S.CONTACT_PAGING_PROPERTIES, limit=S.SEARCH_PAGE_SIZE)
    api = client.api("crm.contacts.search_api")
    try:
        body = client.call("contact search", _unmodelled(api.do_search_with_http_info),
                           public_object_search_request=request, search=True)
    except UndecodablePayloadError:     # bytes that are not UTF-8: re-read raw (see _read_batch)
        body = client.post_json("contact search", S.CONTACT_SEARCH_PATH,
                                api.api_client.sanitize_for_serialization(request), search=True)
    found = [(str(r.get("id")), r.get("properties") or {}) for r in body.get("results") or [] if isinstance(r, dict)]
    return [(cid, _stamp(props.get("lastmodifieddate"))) for cid, props in found]


def _unmodelled(method):
    """An SDK *_with_http_info method (its host, auth, body serialization and errors) answering plain JSON instead
    of models: the models parse createdAt/updatedAt of every record with dateutil, most of the time of a large
    pull, for fields we do not read. Strict UTF-8, as the SDK's own decoding (the caller re-reads raw on failure)."""
    def call(*args, **kwargs):
        response = method(*args, _preload_content=False, **kwargs)
        try:
            return json.loads(response.data.decode("utf-8")), response.status, response.headers
        finally:
            response.release_conn()
    return call


def _stamp(value) -> int | None:
    try:
        return to_ms(value)
    except (TypeError, ValueError):
        return None         # batch/read reads the record again and quarantines it with its field


class _Reader:
    """batch/read of search hits, skipping a hit already read at the same timestamp in this walk (a GTE restart
    re-finds the boundary millisecond's records); only the boundary millisecond's ids are remembered."""

    def __init__(self, client: HubSpotClient):
        self.client = client
        self.boundary_ms: int | None = None
        self.boundary_ids: set[str] = set()

    def read(self, hits: list[tuple[str, int | None]]) -> tuple[list[dict], list[BadRecordError]]:
        todo = list(dict.fromkeys(cid for cid, ms in hits
                                  if not (ms == self.boundary_ms and cid in self.boundary_ids)))
        newest = max((ms for _cid, ms in hits if ms is not None), default=None)
        if newest is not None and newest != self.boundary_ms:
            self.boundary_ms, self.boundary_ids = newest, set()
        self.boundary_ids.update(cid for cid, ms in hits if ms == self.boundary_ms)
        rows, bad = [], []
        for start in range(0, len(todo), S.BATCH_SIZE):
            chunk_rows, chunk_bad = read_contacts(self.client, todo[start:start + S.BATCH_SIZE])
            rows.extend(chunk_rows)
            bad.extend(chunk_bad)
        return rows, bad


def read_contacts(client: HubSpotClient, ids: list[str]) -> tuple[list[dict], list[BadRecordError]]:
    """Rows of up to 100 contacts by id (batch/read). A merged-away id answers with its survivor: the asked id
    joins the survivor's merged_ids. Ids HubSpot reports missing (deleted since search saw them) are skipped."""
    records, missing = _read_batch(client, ids)
    rows, bad = _transform(records)
    by_id = {r["id"]: r for r in rows}
    claimed = {m for r in rows for m in r["merged_ids"]} | {b.record_id for b in bad}
    unmatched = [i for i in ids if i not in by_id and i not in missing and i not in claimed]
    strangers = [r for r in rows if r["id"] not in ids]
    if len(unmatched) == 1 and len(strangers) == 1:
        _alias(strangers[0], unmatched[0])
    elif unmatched:     # several merged ids in one batch: read each alone, so each answer names its asker
        for asked in unmatched:
            alone, alone_missing = _read_batch(client, [asked])
            alone_rows, alone_bad = _transform(alone)
            bad.extend(b for b in alone_bad if b.record_id not in {x.record_id for x in bad})
            for row in alone_rows:
                row = by_id.setdefault(row["id"], row)
                if row["id"] != asked and asked not in alone_missing:
                    _alias(row, asked)
    return list(by_id.values()), bad


def _alias(row: dict, asked_id: str) -> None:
    row["merged_ids"] = sorted({*row["merged_ids"], asked_id})


def _read_batch(client: HubSpotClient, ids: list[str]) -> tuple[list[tuple[str, dict, bool]], set[str]]:
    """(id, properties, archived) per record batch/read answered, and the ids it reported not found."""
    # the body as plain JSON: the SDK sends a dict as it is, and one model per id costs a Configuration each
    request = {"inputs": [{"id": i} for i in ids], "properties": S.CONTACT_PROPERTIES, "propertiesWithHistory": []}
    api = client.api("crm.contacts.batch_api")
    try:
        body = client.call("contact batch read", _unmodelled(api.read_with_http_info),
                           batch_read_input_simple_public_object_id=request, archived=False)
    except UndecodablePayloadError:
        # One record's raw non-UTF-8 bytes fail the whole answer: re-read it raw, with each bad byte kept as a
        # lone surrogate, so the record and field that hold it are quarantined and the rest is taken in.
        body = client.post_json("contact batch read", S.CONTACT_BATCH_READ_PATH,
                                request)
    records = [(str(r.get("id")), r.get("properties") or {}, bool(r.get("archived")))
               for r in body.get("results") or [] if isinstance(r, dict)]
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    missing = {str(i) for e in errors if e.get("category") == "OBJECT_NOT_FOUND"
               for i in (e.get("context") or {}).get("ids") or []}
    return records, missing


def _transform(records) -> tuple[list[dict], list[BadRecordError]]:
    rows, bad = [], []
    for cid, props, archived in records:
        try:
            rows.append(contact_row(cid, props, archived))
        except BadRecordError as err:
            bad.append(err)
    return rows, bad


def contact_row(contact_id: str, props: dict, archived: bool = False) -> dict:
    """A HubSpot contact → our contact row; raises BadRecordError naming the field."""
    unstorable = first_text_problem(props)
    if unstorable:
        raise BadRecordError("contact", contact_id, *unstorable)
    modified = _ms_field("contact", contact_id, "lastmodifieddate", props.get("lastmodifieddate"))
    if modified is None:
        raise BadRecordError("contact", contact_id, "lastmodifieddate", "is missing")
    email = normalize_email(props.get("email"))
    if props.get("email") and email is None:
        raise BadRecordError("contact", contact_id, "email", f"is not an email address: {props.get('email')[:80]!r}")
    extra = [e for e in (normalize_email(x) for x in (props.get("hs_additional_emails") or "").split(";")) if e]
    merged = {m.strip() for key in ("hs_merged_object_ids", "hs_calculated_merged_vids")
              for m in (props.get(key) or "").split(";") if m.strip() and m.strip() != contact_id}
    return {
        "id": str(contact_id), "email": email, "additional_emails": ";".join(extra) or None,
        "first_name": props.get("firstname") or None, "last_name": props.get("lastname") or None,
        "owner_id": props.get("hubspot_owner_id") or None, "phone": (props.get("phone") or "").strip() or None,
        "modified_ms": modified,
        "web_last_ms": _ms_field("contact", contact_id, "hs_analytics_last_timestamp",
                                 props.get("hs_analytics_last_timestamp")),
        # HubSpot's lifetime web counters (every tier); counters.py turns their rises into touchpoints
        "web_visits": _count_field(contact_id, "hs_analytics_num_visits", props.get("hs_analytics_num_visits")),
        "web_page_views": _count_field(contact_id, "hs_analytics_num_page_views",
                                       props.get("hs_analytics_num_page_views")),
        "web_last_visit_ms": _ms_field("contact", contact_id, "hs_analytics_last_visit_timestamp",
                                       props.get("hs_analytics_last_visit_timestamp")),
        "archived": archived, "merged_ids": sorted(merged),
        **_email_state(props),
    }


def _email_state(props: dict) -> dict:
    """The contact's current email state: opted out of all email, and a hard bounce on the address (None: unknown)."""
    bounce_keys = {"hs_email_hard_bounce_reason_enum", "hs_email_bad_address"}
    return {
        "email_optout": {"true": True, "false": False}.get(str(props.get("hs_email_optout") or "").lower()),
        "email_bounced": (bool(props.get("hs_email_hard_bounce_reason_enum"))
                          or str(props.get("hs_email_bad_address")).lower() == "true") if bounce_keys & set(props)
        else None,
    }


def _ms_field(source, record_id, field, value) -> int | None:
    try:
        return to_ms(value)
    except (TypeError, ValueError):
        raise BadRecordError(source, record_id, field, f"is not a timestamp: {str(value)[:40]!r}") from None


def _count_field(record_id: str, field: str, value) -> int | None:
    """A number property holding a count: "" or absent is None; "12" and "12.0" are 12."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number >= 0 or number != int(number) or number > S.COUNTER_MAX:
        raise BadRecordError("contact", record_id, field, f"is not a count: {str(value)[:40]!r}")
    return int(number)
