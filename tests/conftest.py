"""Shared fixtures: a scrubbed environment, a HubSpot sandbox per session (reset per test), the CLI runner."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from connector.cli import cli
from connector.sandbox.hubspot import HubSpotSandbox

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")
FAST_LIMITS = {"rate_limit": 100_000, "rate_window_s": 10.0, "search_rate_per_s": 10_000, "daily_limit": 10_000_000}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No real token, proxy or .env can reach a test; each test runs in its own folder."""
    for key in list(os.environ):
        if key.startswith(("HUBSPOT_", "ATS_", "DATABASE_", "SCORING_", "SYNC_", "VACANCY_", "CAREERS_", "CONNECTOR_",
                           "RUN_")) or \
                key.lower().endswith("_proxy"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def pytest_addoption(parser):
    parser.addoption("--db", choices=("both", *BACKENDS), default="both",
                     help="state databases for tests marked both_databases (default both; PostgreSQL on "
                          "TEST_POSTGRES_URL or 127.0.0.1:5432, skipped when absent unless CI is set)")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run with the state DB on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        chosen = metafunc.config.getoption("--db")
        metafunc.parametrize("db_backend", BACKENDS if chosen == "both" else (chosen,), indirect=True)


@pytest.fixture
def db_backend(request):
    """"sqlite", or each of BACKENDS for tests marked both_databases."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_admin():
    """An admin engine on the loopback PostgreSQL; a skip (a failure when CI is set) when there is none."""
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:          # noqa: BLE001 - any failure means no usable server here
        message = (f"no PostgreSQL at {sa.engine.make_url(PG_ADMIN_URL).render_as_string()} "
                   f"({type(exc).__name__}); start one or set TEST_POSTGRES_URL")
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI is set, so the PostgreSQL variants must run")
        pytest.skip(f"{message}: PostgreSQL variants skipped")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_database(pg_admin):
    """A URL factory: each call makes a throw-away PostgreSQL database, dropped after the test."""
    made = []

    def make() -> str:
        name = f"te_test_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'create database "{name}"'))
        made.append(name)
        return pg_admin.url.set(database=name).render_as_string(hide_password=False)
    yield make
    with pg_admin.connect() as conn:
        for name in made:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))


@pytest.fixture
def database_url(db_backend, tmp_path, request):
    """A URL factory for fresh state databases on the test's backend."""
    if db_backend == "postgresql":
        return request.getfixturevalue("pg_database")
    counter = iter(range(1000))
    return lambda: f"sqlite:///{tmp_path}/state-db{next(counter)}.db"


@pytest.fixture(scope="session")
def _sandbox_server():
    server = HubSpotSandbox(seed=False, **FAST_LIMITS).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(_sandbox_server):
    """The HubSpot sandbox, freshly seeded with the demo talent pool, with limits out of the way."""
    _sandbox_server.reset(seed=True)
    _sandbox_server.set_rate_limits(**FAST_LIMITS)
    return _sandbox_server


@pytest.fixture
def empty_sandbox(_sandbox_server):
    _sandbox_server.reset(seed=False)
    _sandbox_server.set_rate_limits(**FAST_LIMITS)
    return _sandbox_server


@dataclass
class Connector:
    """Runs the real `connector` CLI in-process against a sandbox, with its own state DB."""

    sandbox: HubSpotSandbox
    db_path: str
    env: dict = field(default_factory=dict)
    database_url: str | None = None          # None: the SQLite file at db_path

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.db_path}"

    def query(self, sql: str) -> list[tuple]:
        """Rows of one SQL statement on the state DB, whichever the backend."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(sql))]
        finally:
            engine.dispose()

    def environ(self, **extra) -> dict:
        base = {
            "HUBSPOT_ACCESS_TOKEN": self.sandbox.token,
            "HUBSPOT_BASE_URL": self.sandbox.url,
            "DATABASE_URL": self.url,
            "HUBSPOT_RATE_LIMIT_PER_10S": "100000",
            "HUBSPOT_SEARCH_RATE_PER_S": "10000",
            "SYNC_LAG_SECONDS": "0",
            "HUBSPOT_TIMEOUT_SECONDS": "5",
        }
        return {**base, **self.env, **{k: str(v) for k, v in extra.items()}}

    def run(self, *args, expect: int | None = 0, **env):
        result = CliRunner().invoke(cli, list(args), env=self.environ(**env), catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}"
        return result

    def sync_json(self, *flags, **env) -> dict:
        result = self.run("sync", "--json", *flags, **env)     # stderr (log lines) is mixed in: take the JSON line
        return json.loads([line for line in result.output.strip().splitlines() if line.startswith("{")][-1])


@pytest.fixture
def connector(sandbox, tmp_path, db_backend, database_url):
    return Connector(sandbox=sandbox, db_path=str(tmp_path / "state.db"),
                     database_url=database_url() if db_backend != "sqlite" else None)


@pytest.fixture
def make_connector(tmp_path, db_backend, database_url):
    counter = iter(range(1000))

    def make(server: HubSpotSandbox) -> Connector:
        return Connector(sandbox=server, db_path=str(tmp_path / f"state{next(counter)}.db"),
                         database_url=database_url() if db_backend != "sqlite" else None)
    return make


@pytest.fixture(scope="session")
def _recruitee_server():
    from connector.sandbox.recruitee import RecruiteeSandbox
    server = RecruiteeSandbox(seed=False, rate_limit=100_000).start()
    yield server
    server.stop()


@pytest.fixture
def recruitee(_recruitee_server):
    """The Recruitee sandbox, freshly seeded with the demo pool's applications, limits out of the way."""
    _recruitee_server.reset(seed=True)
    _recruitee_server.set_rate_limit(100_000, 60.0)
    return _recruitee_server


@pytest.fixture
def recruitee_connector(sandbox, recruitee, tmp_path):
    """The CLI against the HubSpot sandbox with ATS_KIND=recruitee against the Recruitee sandbox."""
    return Connector(sandbox=sandbox, db_path=str(tmp_path / "state.db"), env={
        "ATS_KIND": "recruitee", "RECRUITEE_API_TOKEN": recruitee.token, "RECRUITEE_COMPANY_ID": recruitee.company_id,
        "RECRUITEE_BASE_URL": recruitee.url, "ATS_TIMEOUT_SECONDS": "5"})


@pytest.fixture(scope="session")
def _greenhouse_server():
    from connector.sandbox.greenhouse import GreenhouseSandbox
    server = GreenhouseSandbox(seed=False, rate_limit=100_000).start()
    yield server
    server.stop()


@pytest.fixture
def greenhouse(_greenhouse_server):
    """The Greenhouse sandbox, freshly seeded with the demo pool's applications, limits out of the way."""
    _greenhouse_server.reset(seed=True)
    _greenhouse_server.set_rate_limit(100_000, 10.0)
    _greenhouse_server.token_ttl_s = 3600
    return _greenhouse_server


@pytest.fixture
def greenhouse_connector(sandbox, greenhouse, tmp_path):
    """The CLI against the HubSpot sandbox with ATS_KIND=greenhouse against the Greenhouse sandbox."""
    return Connector(sandbox=sandbox, db_path=str(tmp_path / "state.db"), env={
        "ATS_KIND": "greenhouse", "GREENHOUSE_CLIENT_ID": greenhouse.client_id,
        "GREENHOUSE_CLIENT_SECRET": greenhouse.client_secret, "GREENHOUSE_BASE_URL": greenhouse.url,
        "GREENHOUSE_AUTH_URL": greenhouse.url, "GREENHOUSE_BOARDS_URL": greenhouse.url,
        "GREENHOUSE_BOARD_TOKEN": greenhouse.board_token, "ATS_TIMEOUT_SECONDS": "5"})
