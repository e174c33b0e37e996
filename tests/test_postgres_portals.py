"""Agencies: two workers on two portals share one PostgreSQL database, each portal's state in its own schema."""

import json
import os
import subprocess
import sys

import pytest

from connector.sandbox.hubspot import HubSpotSandbox
from tests.conftest import FAST_LIMITS, Connector


@pytest.fixture
def second_portal():
    server = HubSpotSandbox(seed=False, **FAST_LIMITS).start()
    yield server
    server.stop()


def _spawn(conn, *args):
    return subprocess.Popen([sys.executable, "-m", "connector", *args], env={**os.environ, **conn.environ()},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_portals_sync_at_once_into_one_database(empty_sandbox, second_portal, pg_database, tmp_path):
    url = pg_database()
    empty_sandbox.bulk_create_contacts(30)
    second_portal.bulk_create_contacts(20)
    portals = [Connector(sandbox=server, db_path=str(tmp_path / f"unused{i}.db"),
                         database_url=f"{url}?options=-csearch_path%3Dportal_{name}")
               for i, (server, name) in enumerate([(empty_sandbox, "a"), (second_portal, "b")])]
    for conn in portals:
        conn.run("setup")
    procs = [_spawn(conn, "sync", "--json") for conn in portals]     # both hold their portal's lease at once
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in outputs]
    assert [json.loads(out.strip().splitlines()[-1])["contacts_updated"] for out, _ in outputs] == [30, 20]
    assert [conn.query("select count(*) from contact") for conn in portals] == [[(30,)], [(20,)]]
    assert [conn.query("select current_schema()") for conn in portals] == [[("portal_a",)], [("portal_b",)]]
