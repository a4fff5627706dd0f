"""The per-source lease: a live run's lock holds, a killed run's is taken over."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from app.db.models.catalogue import Course
from app.db.models.sync import SyncLock, SyncRun
from app.ingest import locks, run_sync
from app.ingest.progress import NoProgress
from app.ingest.tally import Tally
from tests.ingest.conftest import StartSimulator, source


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()  # reaped: the pid now names no process
    return child.pid


async def _hold_lock(backend: str, url: str, owner: str, age_s: float = 0) -> object:
    """Take the lock as another run would; returns what keeps it held."""
    if backend == "sqlite":
        beat = datetime.now(UTC) - timedelta(seconds=age_s)
        await SyncLock.create(
            source="swayam", owner=owner, acquired_at=beat, heartbeat_at=beat
        )
        return None
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
    await conn.execute(
        "SELECT pg_advisory_lock($1, hashtext('swayam'))", locks.ADVISORY_CLASS
    )
    return conn


@pytest.mark.asyncio
async def test_a_live_lock_is_not_taken(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=50)
    # pid 1 always runs: a live holder on this host.
    holder = await _hold_lock(backend, migrated, f"{socket.gethostname()}:1:live")

    outcome = await run_sync(source(sim))

    assert outcome.status == "locked"
    assert "another sync of 'swayam' is running" in outcome.error
    assert await Course.all().count() == 0
    run = await SyncRun.get(id=outcome.run_id)
    assert run.status == "locked"
    if holder is not None:  # PostgreSQL: the holder's session ends (killed)
        await holder.close()
        after = await run_sync(source(sim))
        assert after.status == "succeeded"


# PostgreSQL frees an advisory lock with its session: these are SQLite leases.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.mark.asyncio
@SQLITE_ONLY
async def test_a_dead_owners_lock_is_taken_over_and_said(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=50)
    dead = f"{socket.gethostname()}:{_dead_pid()}:gone"
    await _hold_lock(backend, migrated, dead)  # a fresh heartbeat, a dead process

    outcome = await run_sync(source(sim))

    assert outcome.status == "succeeded"
    assert outcome.took_over == f"{dead} (its process is gone)"
    assert await SyncLock.all().count() == 0  # released at the end


@pytest.mark.asyncio
@SQLITE_ONLY
async def test_a_stale_heartbeat_from_another_host_is_taken_over(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=50)
    await _hold_lock(backend, migrated, "elsewhere:42:abc", age_s=600)

    outcome = await run_sync(source(sim))

    assert outcome.status == "succeeded"
    assert outcome.took_over.startswith("elsewhere:42:abc (no heartbeat for 600 s")


@pytest.mark.asyncio
@SQLITE_ONLY
async def test_a_fresh_heartbeat_from_another_host_holds(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=50)
    await _hold_lock(backend, migrated, "elsewhere:42:abc", age_s=5)
    assert (await run_sync(source(sim))).status == "locked"


@pytest.mark.asyncio
@SQLITE_ONLY
async def test_a_run_that_lost_its_lease_stops_writing(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=300, faults="slow:delay=0.5:page=2")
    steals: list[asyncio.Task[None]] = []

    class StealAfterFirstPage(NoProgress):
        def page(self, number: int, total: int | None, tally: Tally) -> None:
            if number == 1:  # page 2 is held 0.5 s by the simulator
                steals.append(asyncio.create_task(steal()))

    async def steal() -> None:
        await SyncLock.filter(source="swayam").update(owner="thief:1:x")

    outcome = await run_sync(source(sim), progress=StealAfterFirstPage())
    await asyncio.gather(*steals)
    assert outcome.status == "failed"
    assert "taken over by another run" in outcome.error
    assert outcome.pages == 1
