"""Row ids a PostgreSQL sync draws from each table's sequence ahead of need.

A page guessed new is written by COPY, its rows' ids drawn first
(upsert._insert_new): one round trip a page and table, which waits for the
event loop like any other. A run draws ahead instead, from one page's worth
doubling up to RESERVE_MAX, so a small run draws only what it writes and a
large one about one draw in ten pages. Ids a run draws and does not use are a
gap in the ids, as any rolled-back insert leaves: fewer than RESERVE_MAX a
table and run.
"""

from __future__ import annotations

from app.ingest.backend import Tx

# The largest draw: ten pages of 500 (a SWAYAM page). PostgreSQL 50k first
# syncs draw 13 times a table instead of 100.
RESERVE_MAX = 5_000

# The sequence named once (a cast outside the subquery is made again for
# every id), the ids as one array, not a row each: 5,000 ids, ad hoc, 2.6 ->
# 1.4 ms in the server, and one value for the client to decode.
_DRAW = (
    "SELECT array_agg(nextval((SELECT pg_get_serial_sequence(?, 'id')::regclass))) "
    "FROM generate_series(1, ?)"
)


async def draw_ids(tx: Tx, table: str, count: int) -> list[int]:
    """`count` new ids of `table`, from its sequence."""
    ((ids,),) = await tx.fetch(_DRAW, [table, count])
    return ids or []  # array_agg of no rows is NULL


class ReservedIds:
    """One run's ids drawn ahead, per table."""

    def __init__(self) -> None:
        self._ids: dict[str, list[int]] = {}
        self._next_draw: dict[str, int] = {}

    async def take(self, tx: Tx, table: str, count: int) -> list[int]:
        ids = self._ids.setdefault(table, [])
        if len(ids) < count:
            draw = max(count - len(ids), self._next_draw.get(table, 0))
            self._next_draw[table] = min(2 * draw, RESERVE_MAX)
            ids.extend(await draw_ids(tx, table, draw))
        taken = ids[:count]
        del ids[:count]
        return taken
