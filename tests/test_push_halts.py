"""A 401 or a DAILY 429 stops every later call of the run; bursts of 429 are waited out within a time budget
that is separate from the 5xx/timeout retries."""

import pytest

BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update"
SEARCH = "/crm/v3/objects/contacts/search"
PUSH_CONCURRENCY = 3


@pytest.mark.parametrize("status,policy,code", [(401, None, 3), (429, "DAILY", 75)])
def test_first_revoked_token_or_daily_limit_in_the_push_stops_every_later_call(connector, sandbox, status, policy,
                                                                               code):
    sandbox.bulk_create_contacts(600)       # 9 batches: 3 in flight, 6 that must never be sent
    connector.run("setup")
    sandbox.add_fault(kind="status", status=status, policy=policy, path_prefix=BATCH_UPDATE, count=1000)
    sandbox.requests.clear()
    connector.run("sync", expect=code)
    pushes = [r for r in sandbox.requests if r.path == BATCH_UPDATE]
    assert 1 <= len(pushes) <= PUSH_CONCURRENCY
    first = next(i for i, r in enumerate(sandbox.requests) if r.status == status)
    assert len(sandbox.requests) - first <= PUSH_CONCURRENCY


def test_429_burst_longer_than_the_retry_count_is_waited_out(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="status", status=429, policy="SECONDLY", path_prefix=SEARCH, count=4)
    counts = connector.sync_json(HUBSPOT_MAX_RETRIES=1)
    assert counts["status"] == "ok" and counts["contacts_updated"] >= 200


def test_429s_beyond_the_wait_budget_fail_the_run_in_one_line(connector, sandbox):
    connector.run("setup")
    sandbox.add_fault(kind="status", status=429, policy="SECONDLY", path_prefix=SEARCH, count=50)
    result = connector.run("sync", expect=1, HUBSPOT_RATE_LIMIT_WAIT_BUDGET_SECONDS=2)
    assert result.output.strip().splitlines()[-1].startswith("error: ")
    assert "HUBSPOT_RATE_LIMIT_WAIT_BUDGET_SECONDS" in result.output
