"""On SQLite a sync checkpoints the WAL from a thread of its own, and leaves
nothing behind: the app's connection checkpoints again as configured, the
thread is gone, and the database is whole. PostgreSQL starts no thread."""

from __future__ import annotations

import threading

import pytest
from tortoise import connections

from app.db.models.catalogue import Course
from app.ingest import run_sync
from app.ingest.checkpoints import checkpoints_in_background
from app.settings import SQLITE_PRAGMAS
from tests.ingest.conftest import StartSimulator, source


@pytest.mark.asyncio
async def test_a_sync_checkpoints_in_the_background_and_restores_the_connection(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    client = connections.get("default")
    sim = await start_simulator(courses=400, seed=2)
    seen: set[str] = set()

    class WatchThreads:  # a progress sink that notes the threads as pages commit
        def page(self, *args: object) -> None:
            seen.update(t.name for t in threading.enumerate())

        def close(self) -> None:
            pass

    outcome = await run_sync(source(sim), progress=WatchThreads())  # type: ignore[arg-type]
    assert outcome.status == "succeeded" and await Course.all().count() == 400
    if backend != "sqlite":
        assert "sqlite-checkpoints" not in seen
        return
    assert "sqlite-checkpoints" in seen
    assert "sqlite-checkpoints" not in {t.name for t in threading.enumerate()}
    _, rows = await client.execute_query("PRAGMA wal_autocheckpoint")
    assert rows[0][0] == int(SQLITE_PRAGMAS["wal_autocheckpoint"])
    _, rows = await client.execute_query("PRAGMA integrity_check")
    assert rows[0][0] == "ok"


@pytest.mark.asyncio
async def test_overlapping_runs_share_one_checkpointer_and_restore_once(
    migrated: str, backend: str
) -> None:
    client = connections.get("default")

    async def autocheckpoint() -> int:
        _, rows = await client.execute_query("PRAGMA wal_autocheckpoint")
        return rows[0][0]

    def checkpointers() -> int:
        return sum(t.name == "sqlite-checkpoints" for t in threading.enumerate())

    if backend != "sqlite":  # nothing to move: no thread at all
        async with checkpoints_in_background(), checkpoints_in_background():
            assert checkpointers() == 0
        return
    first = checkpoints_in_background()
    await first.__aenter__()
    async with checkpoints_in_background():
        assert checkpointers() == 1 and await autocheckpoint() == 0
        await first.__aexit__(None, None, None)  # the first run ends first
        assert checkpointers() == 1 and await autocheckpoint() == 0
    assert checkpointers() == 0
    assert await autocheckpoint() == int(SQLITE_PRAGMAS["wal_autocheckpoint"])
