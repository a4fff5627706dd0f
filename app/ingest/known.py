"""The engine's side of `SyncState.known`: stored offerings, looked up by key.

A connector that can fingerprint a payload before parsing it (SWAYAM) asks,
a page at a time, which of the page's offerings are stored and current and
from which fingerprint; a node with the same fingerprint is then not parsed
again (`connectors.records.Unchanged`). On an unchanged re-sync that is most
of the main thread's work.

Reads go to committed rows only, while the writer may be in the middle of
the page before: on a SQLite file through a connection of their own (the
run's writer holds the main one), so the lookup never waits for a commit;
in memory through the usual connection; on PostgreSQL on the connection that
holds the run's lock (`locks.Lease.reader`). A run into an empty offering
table makes no lookup at all (runner._pages).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

import orjson
from tortoise.connection import get_connection

from app.ingest.backend import (
    SQLITE_PAIR_ITEM,
    HeldConnection,
    dialect_of,
    read_connection,
)
from connectors.base import Known

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (provider slug, offering key as stored)
# A WAL reader is never blocked by the writer; a database in another journal
# mode can be, for as long as a page's commit takes.
READER_BUSY_TIMEOUT_S = 5.0

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
    f'JOIN "provider" AS p ON p."slug" = {SQLITE_PAIR_ITEM.format(0)} {_JOINS} '
    f'AND o."external_id" = {SQLITE_PAIR_ITEM.format(1)} WHERE {_CURRENT}'
)


_POSTGRES_SQL = (
    f"SELECT {_COLUMNS} FROM unnest(?::text[], ?::text[]) AS k(s, e) "
    f'JOIN "provider" AS p ON p."slug" = k.s {_JOINS} '
    f'AND o."external_id" = k.e WHERE {_CURRENT}'
)


class StoredOfferings:
    """`SyncState.known` for one run; `close()` when the run ends.

    `Known.ref` is `(provider_id, offering_id, course_id, course_key)`. A
    lookup that fails reports nothing (the page is parsed, as without one):
    it is an optimisation, never a reason for a run to fail."""

    def __init__(self, on: HeldConnection | None = None) -> None:
        """`on`: a PostgreSQL connection the run holds, else the pool's."""
        self._on = on
        client = get_connection("default")
        self.dialect = dialect_of(client)
        path = getattr(client, "filename", ":memory:")
        is_file = self.dialect == "sqlite" and path != ":memory:"
        self._path: str | None = path if is_file else None
        self._own: sqlite3.Connection | None = None
        self._closed = False
        self._failed = False
        # A cancelled run may close while a read still runs in its thread.
        self._lock = threading.Lock()

    async def __call__(self, keys: Sequence[Key]) -> dict[Key, Known]:
        if not keys or self._failed:
            return {}
        try:
            rows = await self._rows(keys)
        except Exception:
            # Once a run: what failed once (an old SQLite, a lost reader)
            # would fail and log again for every page.
            self._failed = True
            log.warning(
                "stored offerings lookup failed: every node is parsed this run",
                exc_info=True,
            )
            return {}
        return {
            (slug, key): Known(digest, ckey, (provider_id, pk, course_id, ckey))
            for slug, key, digest, provider_id, pk, course_id, ckey in rows
        }

    async def _rows(self, keys: Sequence[Key]) -> list[Any]:
        if self.dialect == "postgres":
            async with read_connection(on=self._on) as tx:
                return await tx.fetch(
                    _POSTGRES_SQL, [[s for s, _ in keys], [e for _, e in keys]]
                )
        params = [orjson.dumps(keys).decode()]
        if self._path is not None:
            packed = await asyncio.to_thread(self._read, params)
        else:
            async with read_connection() as tx:
                ((packed,),) = await tx.fetch(_SQLITE_SQL, params)
        return orjson.loads(packed)

    def _read(self, params: list[Any]) -> str:
        with self._lock:
            if self._closed:
                return "[]"
            if self._own is None:
                assert self._path is not None
                self._own = sqlite3.connect(
                    self._path,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=READER_BUSY_TIMEOUT_S,
                )
            ((packed,),) = self._own.execute(_SQLITE_SQL, params).fetchall()
            return packed

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._own is not None:
                self._own.close()
                self._own = None
