"""On SQLite a sync checkpoints the WAL from a thread of its own as well as
from its connection, keeps the WAL bounded, and leaves nothing behind: the
connection's setting is as configured, the thread is gone, and the database
is whole. PostgreSQL starts no thread."""

from __future__ import annotations

import os
import threading

import pytest
from tortoise import connections

from app.db.connection import open_database
from app.db.models.catalogue import Course
from app.ingest import run_sync
from app.ingest.checkpoints import checkpoints_in_background
from app.settings import SQLITE_PRAGMAS
from tests.ingest.conftest import StartSimulator, source


@pytest.mark.asyncio
async def test_a_sync_checkpoints_in_the_background_and_leaves_the_setting_as_is(
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
async def test_overlapping_runs_share_one_checkpointer(
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
    configured = int(SQLITE_PRAGMAS["wal_autocheckpoint"])
    first = checkpoints_in_background()
    await first.__aenter__()
    async with checkpoints_in_background():
        assert checkpointers() == 1 and await autocheckpoint() == configured
        await first.__aexit__(None, None, None)  # the first run ends first
        assert checkpointers() == 1
    assert checkpointers() == 0
    assert await autocheckpoint() == configured


class _LargestFile(threading.Thread):
    """The largest size a file reaches while this runs (polled)."""

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True)
        self.path, self.largest = path, 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.002):
            try:
                self.largest = max(self.largest, os.path.getsize(self.path))
            except OSError:
                pass


# The writer checkpoints every this many pages of WAL here (4 KiB each): small,
# so that a small sync shows whether the WAL starts over.
AUTOCHECKPOINT_PAGES = 200


@pytest.mark.asyncio
async def test_the_wal_stays_bounded_during_a_long_sync(
    migrated_url: str, backend: str, start_simulator: StartSimulator
) -> None:
    """Every page commits, and the background thread's checkpoints alone
    never let the WAL start over: without the writer's own, it grew with
    everything the run wrote (24 MB here; 3.1 GB for 200,000 courses)."""
    if backend != "sqlite":  # PostgreSQL's WAL is the server's business
        return
    path = migrated_url.removeprefix("sqlite://")
    sim = await start_simulator(courses=3000, seed=4)
    watch = _LargestFile(path + "-wal")
    url = f"{migrated_url}?wal_autocheckpoint={AUTOCHECKPOINT_PAGES}"
    async with open_database(url):
        watch.start()
        try:
            outcome = await run_sync(source(sim))
        finally:
            watch.stopping.set()
            watch.join()
    assert outcome.status == "succeeded" and outcome.courses.created == 3000
    # The checkpoint threshold, plus what one page's transaction adds.
    assert watch.largest < 8 * 2**20, f"WAL reached {watch.largest / 2**20:.1f} MB"
