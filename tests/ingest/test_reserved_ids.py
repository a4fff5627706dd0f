"""Ids a PostgreSQL sync draws ahead (app/ingest/ids.py): never one twice, a
small run draws only what it writes, and a large one leaves a bounded gap."""

from __future__ import annotations

import pytest

from app.ingest.backend import Tx, read_connection
from app.ingest.ids import RESERVE_MAX, ReservedIds


async def _last_drawn(tx: Tx) -> int:
    rows = await tx.fetch(
        "SELECT pg_sequence_last_value(pg_get_serial_sequence('course', 'id'))"
    )
    return rows[0][0] or 0


@pytest.mark.asyncio
async def test_ids_drawn_ahead_are_unique_and_few_go_unused(
    db: str, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite numbers rows as it inserts them: nothing is drawn ahead")
    async with read_connection() as tx:
        small = ReservedIds()
        assert await small.take(tx, "course", 3) == [1, 2, 3]
        assert await _last_drawn(tx) == 3  # one page's worth, no more

        large = ReservedIds()
        pages = [await large.take(tx, "course", 500) for _ in range(40)]
        ids = [pk for page in pages for pk in page]
        assert len(ids) == len(set(ids)) == 20_000
        assert min(ids) == 4
        unused = await _last_drawn(tx) - max(ids)
        assert 0 <= unused < RESERVE_MAX
        # the other tables draw on their own
        assert await large.take(tx, "offering", 2) == [1, 2]
