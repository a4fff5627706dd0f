"""PostgreSQL: the connections a run holds commit without waiting for the WAL
to reach the disk, and go back to the pool with the server's setting, so
no other write of the process (the API's, a later run's closing commit)
loses its durability."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from tortoise.connection import get_connection

from app.ingest import run_sync
from app.ingest.backend import held_connections
from tests.ingest.conftest import StartSimulator, source

POOL = 5  # Tortoise's default pool size on PostgreSQL


async def _settings() -> list[str]:
    """synchronous_commit on every pooled connection."""
    client = get_connection("default")
    async with AsyncExitStack() as stack:
        conns = [
            await stack.enter_async_context(client.acquire_connection())
            for _ in range(POOL)
        ]
        return [await c.fetchval("SHOW synchronous_commit") for c in conns]


@pytest.mark.asyncio
async def test_held_connections_commit_asynchronously_then_go_back_as_they_came(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    if backend != "postgres":
        pytest.skip("synchronous_commit is PostgreSQL's")
    before = await _settings()
    assert set(before) == {"on"}  # the server's default, as CI runs it
    async with held_connections(2) as held:
        assert held is not None
        for connection in held:
            async with connection.autocommit() as tx:
                assert await tx.fetch("SHOW synchronous_commit") == [("off",)]
    assert await _settings() == before

    sim = await start_simulator(courses=1200)
    outcome = await run_sync(source(sim))
    assert outcome.status == "succeeded"
    assert await _settings() == before
