"""The engine's side of `SyncState.known`: stored offerings, looked up by key.

A connector that can fingerprint a payload before parsing it (SWAYAM) asks,
a page at a time, which of the page's offerings are stored and current and
from which fingerprint; a node with the same fingerprint is then not parsed
again (`connectors.records.Unchanged`). On an unchanged re-sync that is most
of the main thread's work.

Reads go to committed rows only, while the writer may be in the middle of
the page before: on a SQLite file through a connection of their own (the
run's writer holds the main one), so the lookup never waits for a commit;
in memory, and on PostgreSQL, through the usual connection or pool.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson
from tortoise.connection import get_connection

from app.ingest.backend import dialect_of, read_connection
from connectors.base import Known

Key = tuple[str, str]  # (provider slug, offering key as stored)

_COLUMNS = (
    'p."slug", o."external_id", o."raw_digest", o."provider_id", o."id", '
    'o."course_id", c."external_id"'
)
_JOINS = (
    'JOIN "offering" AS o ON o."provider_id" = p."id" '
    'JOIN "course" AS c ON c."id" = o."course_id"'
)
# Only current rows: a withdrawn offering or course seen again is parsed and
# written, which reinstates it.
_CURRENT = 'o."raw_digest" IS NOT NULL AND NOT o."withdrawn" AND NOT c."withdrawn"'


# The keys as one JSON array of pairs, each probed once (two IN lists would
# probe every slug with every key); the matches as one packed row, not a row
# per match (see upsert._stored).
_SQLITE_SQL = (
    f"SELECT json_group_array(json_array({_COLUMNS})) FROM json_each(?) AS k "
    f'JOIN "provider" AS p ON p."slug" = k.value ->> 0 {_JOINS} '
    f'AND o."external_id" = k.value ->> 1 WHERE {_CURRENT}'
)


_POSTGRES_SQL = (
    f"SELECT {_COLUMNS} FROM unnest(?::text[], ?::text[]) AS k(s, e) "
    f'JOIN "provider" AS p ON p."slug" = k.s {_JOINS} '
    f'AND o."external_id" = k.e WHERE {_CURRENT}'
)


class StoredOfferings:
    """`SyncState.known` for one run; `close()` when the run ends.

    `Known.ref` is `(provider_id, offering_id, course_id, course_key)`."""

    def __init__(self) -> None:
        client = get_connection("default")
        self.dialect = dialect_of(client)
        path = getattr(client, "filename", ":memory:")
        self._own: sqlite3.Connection | None = None
        if self.dialect == "sqlite" and path != ":memory:":
            self._path: str | None = path
        else:
            self._path = None

    async def __call__(self, keys: Sequence[Key]) -> dict[Key, Known]:
        if not keys:
            return {}
        if self.dialect == "postgres":
            async with read_connection() as tx:
                rows = await tx.fetch(
                    _POSTGRES_SQL, [[s for s, _ in keys], [e for _, e in keys]]
                )
        else:
            params = [orjson.dumps(keys).decode()]
            if self._path is not None:
                packed = await asyncio.to_thread(self._read, _SQLITE_SQL, params)
            else:
                async with read_connection() as tx:
                    ((packed,),) = await tx.fetch(_SQLITE_SQL, params)
            rows = orjson.loads(packed)
        return {
            (slug, key): Known(digest, ckey, (provider_id, pk, course_id, ckey))
            for slug, key, digest, provider_id, pk, course_id, ckey in rows
        }

    def _read(self, sql: str, params: list[Any]) -> str:
        # Runs in a worker thread, one lookup at a time (the producer awaits
        # each page's before the next).
        if self._own is None:
            assert self._path is not None
            self._own = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False
            )
        ((packed,),) = self._own.execute(sql, params).fetchall()
        return packed

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None
