"""Fixtures every test package shares: a database on each backend, an
in-process GraphQL client, and the shared samples.

Every database test runs on SQLite and on PostgreSQL. PostgreSQL comes from
TEST_POSTGRES_URL, or a cluster the suite starts itself; without one the
PostgreSQL half is skipped, unless CREDGRAPH_REQUIRE_POSTGRES=1 makes that a
failure (CI sets it).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tortoise.connection import get_connection
from tortoise.context import tortoise_test_context

from app.settings import MODEL_MODULES, Settings
from tests.postgres import PostgresServer, server_from_env, start_cluster

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REQUIRE_POSTGRES = os.environ.get("CREDGRAPH_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    server = server_from_env() or start_cluster()
    try:
        yield server
    finally:
        if server is not None:
            server.stop()


def _need_postgres(server: PostgresServer | None) -> PostgresServer:
    if server is None:
        message = (
            "PostgreSQL not available: set TEST_POSTGRES_URL or install the server "
            "(Debian package postgresql)"
        )
        if REQUIRE_POSTGRES:
            pytest.fail(message + " (CREDGRAPH_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return server


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(autouse=True)
def _fresh_sql_cache() -> None:
    """Tortoise caches INSERT/UPDATE SQL per connection *name*, whatever the
    dialect; one process only ever uses one, but the suite switches between
    SQLite and PostgreSQL, so each test starts with an empty cache."""
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()


@pytest.fixture
def db_url(
    backend: str, postgres_server: PostgresServer | None, tmp_path: Path
) -> Iterator[str]:
    """A URL of an empty database on the backend, for code that opens its own
    connections (CLI commands, subprocesses, a real server)."""
    if backend == "sqlite":
        yield f"sqlite://{tmp_path / 'credgraph.db'}"
        return
    server = _need_postgres(postgres_server)
    name = f"credgraph_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(server.url, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.url}/{name}"
    finally:
        asyncio.run(drop_database(server.url, name))


DROP_WAITS = 40  # half a second apart


async def drop_database(server_url: str, name: str) -> None:
    """Drop a test database, forcing out whoever is still connected. An
    autovacuum worker can only be forced out by a role in pg_signal_backend
    (.ci/run grants it); without that, wait for the worker to finish."""
    import asyncpg

    try:
        await _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    except asyncpg.InsufficientPrivilegeError:
        pass
    for _ in range(DROP_WAITS):
        try:
            await _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
            return
        except asyncpg.ObjectInUseError:
            await asyncio.sleep(0.5)
    await _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')


async def _pg_admin(server_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(
        server_url.replace("postgres://", "postgresql://") + "/postgres"
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest_asyncio.fixture
async def db(
    backend: str, postgres_server: PostgresServer | None
) -> AsyncIterator[str]:
    """A fresh database with every table, active in this test's context.
    Yields the backend name."""
    if backend == "sqlite":
        async with tortoise_test_context(
            MODEL_MODULES, db_url="sqlite://:memory:", app_label="credgraph"
        ):
            yield backend
        return
    server = _need_postgres(postgres_server)
    url = f"{server.url}/credgraph_test_{{}}"
    async with tortoise_test_context(MODEL_MODULES, db_url=url, app_label="credgraph"):
        # Tortoise creates the database ({} becomes a random name) but only
        # closes its connections at the end: drop it, or every run leaves
        # a database per PostgreSQL test behind.
        name = get_connection("default").database
        yield backend
    await drop_database(server.url, name)


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite://:memory:")


@pytest_asyncio.fixture
async def client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client of the app, on the test's database."""
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://:memory:"), register_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def shared_samples() -> Path:
    """../shared/samples, beside the clone; tests that need it skip without it."""
    samples = SHARED / "samples"
    if not samples.is_dir():
        pytest.skip(
            f"shared samples not found at {samples} (they live beside the clone)"
        )
    return samples


class SqlCounter:
    """Counts the SQL statements Tortoise sends (its db_client debug log)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_counter() -> Iterator[SqlCounter]:
    import logging

    counter = SqlCounter()

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage().lstrip().upper()
            if text.startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                counter.statements.append(record.getMessage())

    logger = logging.getLogger("tortoise.db_client")
    handler = Handler(level=logging.DEBUG)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield counter
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict | None = None
) -> dict:
    """POST a query; returns the JSON body."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}
    )
    return response.json()
