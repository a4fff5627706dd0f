"""Short write transactions on the raw driver connection, for either backend.

The ingest path bypasses model objects (about 48 µs a course to build) and
talks to the driver under Tortoise's connection:

- SQLite: the one aiosqlite connection Tortoise serialises with its lock; each
  write transaction opens with `BEGIN IMMEDIATE`, so it takes the write lock
  (waiting for `busy_timeout`) before it reads: a deferred transaction that
  reads and then writes fails at once when another process holds the lock
  (TECH-NOTES §2.7).
- PostgreSQL: a pooled asyncpg connection per transaction.

SQL is written once with `?` placeholders and numbered for asyncpg.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

_PLACEHOLDER = re.compile(r"\?")


def numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2…` (our SQL has no `?` literals)."""
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


class Tx(Protocol):
    dialect: str

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class _SqliteTx:
    dialect = "sqlite"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        cursor = await self._conn.execute(sql, params)
        await cursor.close()

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            await self._conn.executemany(sql, rows)


class _PostgresTx:
    dialect = "postgres"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._conn.fetch(numbered(sql), *params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self._conn.execute(numbered(sql), *params)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            await self._conn.executemany(numbered(sql), rows)


def dialect_of(client: BaseDBAsyncClient | None = None) -> str:
    client = client or get_connection("default")
    return "sqlite" if client.capabilities.dialect == "sqlite" else "postgres"


@asynccontextmanager
async def write_transaction(
    client: BaseDBAsyncClient | None = None,
) -> AsyncIterator[Tx]:
    """One short write transaction; commits on exit, rolls back on error.

    Never await the network inside it: on SQLite it holds the process's only
    connection and the database's write lock.
    """
    client = client or get_connection("default")
    if dialect_of(client) == "sqlite":
        async with client.acquire_connection() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(conn)
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()
    else:
        async with client.acquire_connection() as conn, conn.transaction():
            yield _PostgresTx(conn)


@asynccontextmanager
async def read_connection(
    client: BaseDBAsyncClient | None = None,
) -> AsyncIterator[Tx]:
    """Autocommit reads (and single-statement writes) on the raw connection."""
    client = client or get_connection("default")
    async with client.acquire_connection() as conn:
        if dialect_of(client) == "sqlite":
            yield _SqliteTx(conn)
        else:
            yield _PostgresTx(conn)
