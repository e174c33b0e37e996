"""Incremental reads find exactly what is new: after a first sync, 50 new events of each email kind that counts,
50 page views and 50 form submissions make the next sync take in exactly those (counts from `sync --json` and
the state DB), although its re-read overlap reads the first sync's last hour again; a sync after that adds none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

EMAIL = "kim.visser@example.org"
VACANCY = "https://careers.example.com/vacancies/data-engineer"
OTHER_PAGE = "https://careers.example.com/over-ons"
N = 50
COUNTING = ("OPEN", "CLICK", "PRINT", "FORWARD")        # the email engagement types (touchpoints.ENGAGEMENT)


def _ago(**delta) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _kinds(conn) -> dict[str, int]:
    return dict(conn.query("select kind, count(*) from touchpoint group by kind"))


@pytest.mark.both_databases
def test_next_sync_finds_exactly_fifty_new_per_kind(empty_sandbox, make_connector):
    sandbox = empty_sandbox
    contact = sandbox.create_contact({"email": EMAIL, "firstname": "Kim"})
    form = sandbox.add_form("Nieuwsbrief", ["email", "firstname"])
    # Activity before the first sync, inside the next sync's re-read overlap: read twice, stored once.
    for k, type_ in enumerate(COUNTING):
        sandbox.add_email_event(type=type_, recipient=EMAIL, created=_ms(_ago(minutes=40, seconds=k)),
                                emailCampaignId=7_000, url=OTHER_PAGE)
    sandbox.add_web_event(contact, url=VACANCY, occurred_at=_ago(minutes=40), title="Data Engineer | Careers")
    sandbox.add_form_submission(form, {"email": EMAIL}, page_url=OTHER_PAGE, submitted_at=_ago(minutes=40))
    conn = make_connector(sandbox)
    conn.run("setup")
    first = conn.sync_json()
    assert first["status"] == "ok" and first["touchpoints_new"] == len(COUNTING) + 2
    before = _kinds(conn)

    for i in range(N):
        at = _ago(minutes=30, seconds=-20 * i)
        for k, type_ in enumerate(COUNTING):
            sandbox.add_email_event(type=type_, recipient=EMAIL, created=_ms(at) + k, emailCampaignId=7_001 + i,
                                    url=OTHER_PAGE)
        for type_ in ("SENT", "PROCESSED", "DELIVERED"):       # read, not engagement: nothing stored
            sandbox.add_email_event(type=type_, recipient=EMAIL, created=_ms(at) - 1, emailCampaignId=7_001 + i)
        sandbox.add_web_event(contact, url=f"{VACANCY}?ref={i}", occurred_at=at, title="Data Engineer | Careers")
        sandbox.add_form_submission(form, {"email": EMAIL}, page_url=OTHER_PAGE, submitted_at=at.replace(microsecond=0))
    second = conn.sync_json()
    assert second["status"] == "ok" and second.get("quarantined", 0) == 0
    assert {t: second.get(f"email_new_{t.lower()}", 0) for t in COUNTING} == dict.fromkeys(COUNTING, N)
    assert second["email_events_read"] >= len(COUNTING) * N + 3 * N + len(COUNTING)    # the overlap read again
    assert second["touchpoints_new"] == len(COUNTING) * N + N + N
    after = _kinds(conn)
    grown = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    assert grown == {"email_open": 2 * N, "email_click": 2 * N, "vacancy_view": N, "form_submission": N}
    assert conn.query("select count(distinct source_id) from touchpoint where source = 'email_event'") == [
        ((N + 1) * len(COUNTING),)]

    third = conn.sync_json()
    assert third["touchpoints_new"] == 0 and _kinds(conn) == after
