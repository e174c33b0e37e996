"""Timestamps in both precisions HubSpot writes: "…:17.883Z" and, when the milliseconds are 0, "…:17Z".

The sandbox writes them as HubSpot's Java serializer plausibly does [U]; the connector's parser takes both, to the
exact millisecond, and a sync over a portal whose every timestamp lacks a fraction converges like any other.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.hubspot.timeparse import ms_to_dt, ms_to_iso, to_ms
from connector.sandbox.hs_props import iso_ms
from connector.sandbox.hubspot import HubSpotSandbox
from tests.conftest import FAST_LIMITS

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")
MS = st.integers(min_value=-(10 ** 12), max_value=4_102_444_800_000)     # 1938 .. 2100


@given(MS)
def test_the_sandbox_writes_a_fraction_only_when_the_milliseconds_are_not_0(ms):
    text = iso_ms(ms)
    assert ISO.match(text) and ("." in text) == bool(ms % 1000)


@given(MS)
def test_the_parser_reads_both_precisions_to_the_exact_millisecond(ms):
    assert to_ms(iso_ms(ms)) == ms
    assert to_ms(ms_to_iso(ms)) == ms
    assert to_ms(ms_to_dt(ms)) == ms


@pytest.mark.parametrize("text,expected", [
    ("2026-03-01T08:00:00Z", 1_772_352_000_000),
    ("2026-03-01T08:00:00.000Z", 1_772_352_000_000),
    ("2026-03-01T08:00:00.1Z", 1_772_352_000_100),
    ("2026-03-01T08:00:00.883Z", 1_772_352_000_883),
    ("2026-03-01T08:00:00.883456Z", 1_772_352_000_883),
    ("2026-03-01T09:00:00+01:00", 1_772_352_000_000),
    ("2026-03-01T08:00:00", 1_772_352_000_000),
    ("1772352000000", 1_772_352_000_000),
    (1_772_352_000_000, 1_772_352_000_000),
    ("", None),
])
def test_the_parser_takes_every_form_hubspot_sends(text, expected):
    assert to_ms(text) == expected


def test_records_carry_both_forms_and_the_sdk_reads_them():
    from hubspot import HubSpot
    box = HubSpotSandbox(now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), **FAST_LIMITS).start()
    try:
        contact = box.contacts()[0]["id"]
        api = HubSpot(access_token=box.token, host=box.url).crm.contacts.basic_api
        seeded = api.get_by_id(contact, properties=["createdate", "lastmodifieddate"])
        raw = api.get_by_id(contact, properties=["createdate"], _preload_content=False).json()
        box.create_contact({"email": "ms@example.org"})
        fresh = next(c for c in box.contacts() if c["properties"].get("email") == "ms@example.org")
    finally:
        box.stop()
    assert re.fullmatch(r".*T\d{2}:\d{2}:\d{2}Z", raw["createdAt"]) and "." not in raw["properties"]["createdate"]
    assert seeded.created_at == datetime.fromtimestamp(to_ms(raw["createdAt"]) / 1000, UTC)
    assert ISO.match(fresh["properties"]["createdate"])          # the clock has moved on: most likely with a fraction


def test_a_sync_over_timestamps_without_fraction_reads_every_one_exactly(make_connector):
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    box = HubSpotSandbox(now=now, **FAST_LIMITS).start()
    try:
        seeded = {c["id"]: c["properties"]["lastmodifieddate"] for c in box.contacts()}
        conn = make_connector(box)
        conn.run("setup")
        assert conn.sync_json()["status"] == "ok"
        again = conn.sync_json()
        latest = {c["id"]: c["properties"]["lastmodifieddate"] for c in box.contacts()}
    finally:
        box.stop()
    assert all("." not in text for text in seeded.values())
    pulled = dict(conn.query("select id, modified_ms from contact"))
    assert set(pulled) == set(seeded) and again["status"] == "ok"
    # each pulled value is one HubSpot sent (the seeded one, or the one after our own write), to the millisecond
    wrong = {i: (pulled[i], seeded[i], latest[i]) for i in seeded if pulled[i] not in (to_ms(seeded[i]), to_ms(latest[i]))}
    assert not wrong, list(wrong.items())[:5]
    assert any(pulled[i] == to_ms(seeded[i]) for i in seeded)
    assert conn.query("select count(*) from quarantine")[0][0] == 0
