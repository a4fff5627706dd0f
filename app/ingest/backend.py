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

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

_PLACEHOLDER = re.compile(r"\?")


# Keys bound to SQLite as one JSON array of pairs: in `FROM json_each(?) AS
# k`, this (formatted with 0 or 1) is an item of the row's pair, so a join
# probes an index once a pair. json_extract, not ->>: SQLite before 3.38 too.
SQLITE_PAIR_ITEM = "json_extract(k.value, '$[{}]')"


def numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2…` (our SQL has no `?` literals)."""
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


class Tx(Protocol):
    dialect: str

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def execute_changing(
        self, sql: str, params: Sequence[Any], error: Exception
    ) -> None:
        """`execute`, raising `error` if the statement changed no row."""

    async def copy_new(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> bool:
        """PostgreSQL: COPY the rows in (binary), all or none: False, and
        nothing written, when a row's unique key is taken."""


# A statement waiting for its trip: SQL, parameters (rows if `many`), and
# what to raise should it change no row.
_Queued = tuple[str, Any, bool, Exception | None]


class _SqliteTx:
    """Statements on the aiosqlite connection, run on its thread.

    In a write transaction (`deferred`) a statement whose result nobody
    reads is queued and sent with the next one that returns rows, or with
    the COMMIT: each trip to the driver's thread and back costs the writer a
    wait for the event loop, which is busy parsing the next page (a sync
    page took ~16 trips, now 5). A trip is one function (`_run`) put on
    aiosqlite's queue with `_execute`, the private method its public ones
    are built on (aiosqlite 0.17 to 0.22), so statements keep their order
    with everything else on the connection; a failure surfaces at the trip
    and rolls the transaction back."""

    dialect = "sqlite"

    def __init__(self, conn: Any, deferred: bool = False) -> None:
        self._conn = conn
        self._deferred = deferred
        self._queued: list[_Queued] = []

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return await self._trip(sql, params)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self._queue((sql, params, False, None))

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            await self._queue((sql, rows, True, None))

    async def execute_changing(
        self, sql: str, params: Sequence[Any], error: Exception
    ) -> None:
        await self._queue((sql, params, False, error))

    async def copy_new(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> bool:
        raise NotImplementedError("COPY is PostgreSQL's")

    async def _queue(self, statement: _Queued) -> None:
        self._queued.append(statement)
        if not self._deferred:
            await self._trip(None, False)

    async def commit(self) -> None:
        """What is queued, then COMMIT, in one trip."""
        await self._trip(None, True)

    async def _trip(self, sql: str | None, params: Any) -> Any:
        queued, self._queued = self._queued, []
        done = _Trip()
        _TRIPS.add(done)
        try:
            return await self._conn._execute(
                _run, self._conn._conn, queued, sql, params, done
            )
        finally:
            _TRIPS.discard(done)


class _Trip:
    """One function on the driver's thread; `done` once it has returned."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = False


# Trips under way. Only the event loop's thread adds and removes; the
# driver's thread only sets `done` (one attribute store: atomic).
_TRIPS: set[_Trip] = set()


def results_waiting() -> bool:
    """Whether a SQLite statement has finished and its coroutine has not yet
    resumed: a sync's parser then yields the event loop at once, since until
    the writer takes its result and sends the next statement the database
    has nothing to do (the writer's thread is a first sync's bottleneck)."""
    for trip in _TRIPS:  # a loop, not any(): this runs once a record
        if trip.done:
            return True
    return False


def _run(
    db: sqlite3.Connection,
    queued: list[_Queued],
    sql: str | None,
    params: Any,
    trip: _Trip,
) -> Any:
    """On the driver's thread: the queued statements, then `sql`'s rows (or,
    without `sql`, a COMMIT when `params` is true)."""
    try:
        for text, values, many, error in queued:
            if many:
                db.executemany(text, values)
            elif db.execute(text, values).rowcount == 0 and error is not None:
                raise error
        if sql is None:
            if params:
                db.commit()
            return None
        return db.execute(sql, params).fetchall()
    finally:
        trip.done = True


class _Sent:
    """PostgreSQL statements sent whose result has not been taken yet."""

    count = 0


def statements_waiting() -> bool:
    """Whether a PostgreSQL statement is under way: its result reaches the
    driver only when the event loop polls the socket, so a sync's parser
    then yields more often (runner.YIELD_WAITING)."""
    return _Sent.count > 0


async def _sent(awaitable: Awaitable[Any]) -> Any:
    _Sent.count += 1
    try:
        return await awaitable
    finally:
        _Sent.count -= 1


class _PostgresTx:
    dialect = "postgres"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await _sent(self._conn.fetch(numbered(sql), *params)))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await _sent(self._conn.execute(numbered(sql), *params))

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            await _sent(self._conn.executemany(numbered(sql), rows))

    async def execute_changing(
        self, sql: str, params: Sequence[Any], error: Exception
    ) -> None:
        status = await _sent(self._conn.execute(numbered(sql), *params))
        if status.rsplit(" ", 1)[-1] == "0":  # "UPDATE 0"
            raise error

    async def copy_new(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> bool:
        from asyncpg.exceptions import UniqueViolationError

        # asyncpg encodes COPY rows a tuple at a time: a third of the
        # client's cost of the same rows as arrays for unnest, where it
        # inspects every element for nested arrays (ad hoc, 50k course rows:
        # 0.37 -> 0.13 s), and the server's cost falls by a sixth.
        copy = self._conn.copy_records_to_table(
            table, records=rows, columns=list(columns)
        )
        try:
            if self._conn.is_in_transaction():
                # a savepoint: a taken key undoes the COPY, not the transaction
                async with self._conn.transaction():
                    await _sent(copy)
            else:
                await _sent(copy)
        except UniqueViolationError:
            return False
        return True


def dialect_of(client: BaseDBAsyncClient | None = None) -> str:
    client = client or get_connection("default")
    return "sqlite" if client.capabilities.dialect == "sqlite" else "postgres"


@asynccontextmanager
async def write_transaction(
    client: BaseDBAsyncClient | None = None, *, on: HeldConnection | None = None
) -> AsyncIterator[Tx]:
    """One short write transaction; commits on exit, rolls back on error.
    `on`: a connection the caller holds (`held_connections`), not the pool's.

    Never await the network inside it: on SQLite it holds the process's only
    connection and the database's write lock.
    """
    if on is not None:
        async with on.transaction() as tx:
            yield tx
        return
    client = client or get_connection("default")
    if dialect_of(client) == "sqlite":
        async with client.acquire_connection() as conn:
            tx = _SqliteTx(conn, deferred=True)
            await tx.execute("BEGIN IMMEDIATE")
            try:
                yield tx
                await tx.commit()
            except BaseException:
                await conn.rollback()
                raise
    else:
        async with client.acquire_connection() as conn, conn.transaction():
            yield _PostgresTx(conn)


@asynccontextmanager
async def read_connection(
    client: BaseDBAsyncClient | None = None, *, on: HeldConnection | None = None
) -> AsyncIterator[Tx]:
    """Autocommit reads (and single-statement writes) on the raw connection;
    `on`: as for `write_transaction`."""
    if on is not None:
        async with on.autocommit() as tx:
            yield tx
        return
    client = client or get_connection("default")
    async with client.acquire_connection() as conn:
        if dialect_of(client) == "sqlite":
            yield _SqliteTx(conn)
        else:
            yield _PostgresTx(conn)


class HeldConnection:
    """A PostgreSQL connection a sync keeps for its run (`held_connections`),
    used by one statement sequence at a time."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Tx]:
        async with self._lock:
            yield _PostgresTx(self._conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock, self._conn.transaction():
            yield _PostgresTx(self._conn)


class _Holding:
    """Whether a run of this process holds connections (`held_connections`)."""

    active = False


@asynccontextmanager
async def held_connections(count: int) -> AsyncIterator[list[HeldConnection] | None]:
    """`count` pooled PostgreSQL connections kept for a sync's whole run: a
    page then takes none from the pool, and returns none with its reset
    query, each a round trip the event loop must answer (PostgreSQL 50k
    first syncs, nine interleaved pairs: about 4% faster, the machine's
    speed drifting more than that from run to run).

    None while another run of this process holds some: the pool (Tortoise's
    default, five) must keep room for the runs' leases and lookups, which
    come and go.

    Their commits do not wait for the WAL to reach the disk (`synchronous_
    commit = off`): a page's few commits each waited for an fsync, long when
    the disk is busy (50k first syncs right after dropping a database, the
    setting database-wide, three interleaved pairs: 17.9k -> 19.8k
    courses/s; on a quiet machine, five pairs: no difference). A server
    crash can lose the last ~0.6 s of pages (3 x wal_writer_delay), a
    prefix-consistent state like that of a killed run, which the next run
    resumes; the run's closing commit, on the pool, is synchronous and so
    makes every page before it durable. The pool's reset (RESET ALL)
    restores the setting."""
    if _Holding.active:
        yield None
        return
    _Holding.active = True
    try:
        async with AsyncExitStack() as stack:
            client = get_connection("default")
            held = []
            for _ in range(count):
                conn = await stack.enter_async_context(client.acquire_connection())
                await conn.execute("SET synchronous_commit = off")
                held.append(HeldConnection(conn))
            yield held
    finally:
        _Holding.active = False
