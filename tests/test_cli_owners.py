"""`connector owners` and the owner names, phones and `--owner EMAIL` of `connector pool`, against the sandbox."""

import csv

import pytest


@pytest.fixture
def synced(connector):
    connector.run("setup")
    connector.run("sync", "--notify")
    return connector


def _pool_csv(connector, *args) -> list[dict]:
    connector.run("pool", "--top", "0", "--csv", "pool.csv", *args)
    with open("pool.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _owner_rows(output: str) -> dict[str, list[str]]:
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in output.splitlines() if line.startswith("│")]
    return {c[0]: c[1:] for c in cells}


def _expected(sandbox, owner_id: str) -> tuple[str, str]:
    contacts = sum(1 for c in sandbox.contacts() if c["properties"].get("hubspot_owner_id") == owner_id)
    tasks = sum(1 for t in sandbox.tasks() if t["properties"].get("hubspot_owner_id") == owner_id
                and t["properties"].get("hs_task_status") != "COMPLETED")
    return str(contacts), str(tasks)


def test_owners_lists_every_owner_with_contacts_and_open_tasks(synced, sandbox):
    rows = _owner_rows(synced.run("owners").output)
    assert set(rows) == {o["id"] for o in sandbox.owners()}
    for owner in sandbox.owners():
        name, email, contacts, tasks = rows[owner["id"]]
        assert (name, email) == (f"{owner['firstName']} {owner['lastName']}", owner["email"])
        assert (contacts, tasks) == _expected(sandbox, owner["id"])
    assert sum(int(r[3]) for r in rows.values()) > 0, "the seeded fans get tasks"


def test_owners_counts_a_task_completed_in_hubspot_as_closed(synced, sandbox):
    task = sandbox.tasks()[0]
    owner_id = task["properties"]["hubspot_owner_id"]
    before = _owner_rows(synced.run("owners").output)[owner_id][3]
    sandbox.complete_task(task["id"])
    after = _owner_rows(synced.run("owners").output)[owner_id][3]
    assert int(after) == int(before) - 1


def test_pool_shows_owner_names_and_phones(synced, sandbox):
    synced.run("owners")
    rows = _pool_csv(synced)
    names = {o["id"]: f"{o['firstName']} {o['lastName']}" for o in sandbox.owners()}
    owned = [r for r in rows if r["owner_id"]]
    assert owned and all(r["owner_name"] == names[r["owner_id"]] for r in owned)
    phones = {c["id"]: c["properties"].get("phone") or "" for c in sandbox.contacts()}
    assert any(r["phone"] for r in rows) and all(r["phone"].removeprefix("'") == phones[r["contact_id"]] for r in rows)
    phone = next(r for r in rows if r["phone"])
    assert phone["phone"].removeprefix("'") in synced.run("pool", "--top", "0").output


def test_pool_shows_the_owner_id_when_the_owner_is_not_cached(synced):
    rows = _pool_csv(synced)
    assert all(r["owner_name"] == "" for r in rows)
    assert rows[0]["owner_id"] and rows[0]["owner_id"] in synced.run("pool", "--top", "3").output


def test_pool_owner_takes_an_id_or_an_email(synced, sandbox):
    owner = sandbox.owners()[0]
    by_id = _pool_csv(synced, "--owner", owner["id"])
    by_email = _pool_csv(synced, "--owner", owner["email"].upper())    # not cached yet: fetched on the miss
    assert by_id and [r["contact_id"] for r in by_id] == [r["contact_id"] for r in by_email]
    assert {r["owner_id"] for r in by_email} == {owner["id"]}


def test_pool_owner_with_an_unknown_email_is_one_error_line(synced):
    result = synced.run("pool", "--owner", "nobody@example.com", expect=1)
    assert result.output.strip().splitlines() == ["error: no HubSpot owner has that email (`connector owners` lists them)"]
