"""After a sync that changed data, SQLite has planner statistics, so a
catalogue page walks the title index instead of sorting every course."""

from __future__ import annotations

import pytest
from tortoise import connections

from app.ingest import run_sync
from tests.ingest.conftest import StartSimulator, source

PAGE = 'SELECT "id" FROM "course" WHERE "withdrawn" = 0 ORDER BY "title", "id" LIMIT 20'


async def _plan() -> str:
    conn = connections.get("default")
    _, rows = await conn.execute_query(f"EXPLAIN QUERY PLAN {PAGE}")
    return " | ".join(str(row[-1]) for row in rows)


@pytest.mark.asyncio
async def test_a_sync_that_changed_data_leaves_statistics(
    migrated: str, backend: str, start_simulator: StartSimulator
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL analyses during the run and by autovacuum")
    sim = await start_simulator(courses=300)
    outcome = await run_sync(source(sim))
    assert outcome.status == "succeeded" and outcome.total.changed

    conn = connections.get("default")
    _, stats = await conn.execute_query('SELECT "tbl" FROM "sqlite_stat1"')
    assert "course" in {row[0] for row in stats}
    assert "TEMP B-TREE" not in await _plan()  # no sort of the whole table
