"""One run per source at a time, as a lease a killed run cannot keep.

- PostgreSQL: a session advisory lock taken on a connection held for the
  whole run. The server drops it with the connection, so a run killed with
  SIGKILL frees it as soon as its socket closes.
- SQLite: a `sync_lock` row with the owner and a heartbeat the run refreshes.
  A new run takes it over when the heartbeat is stale, or at once when the
  owner ran on this host and its process is gone, and says so.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.connection import get_connection

from app.ingest.backend import HeldConnection, dialect_of, write_transaction

log = logging.getLogger(__name__)

# Namespace of credgraph's advisory locks (the first key of the two-key form).
ADVISORY_CLASS = 7_004_242
HEARTBEAT_S = 5.0
STALE_AFTER_S = 60.0


class LockBusy(Exception):
    """Another live run holds the source's lock."""

    def __init__(self, source: str, holder: str | None) -> None:
        self.source = source
        self.holder = holder
        super().__init__(
            f"another sync of {source!r} is running"
            + (f" (lock held by {holder})" if holder else "")
        )


class LeaseLost(Exception):
    """Our lock row was taken over: this run must stop writing."""


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _process_gone(owner: str) -> bool:
    """True when the owner ran on this host and its process no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child not yet reaped still answers kill(0)
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Lease:
    source: str
    owner: str
    dialect: str
    taken_over: str | None = None  # whose stale lock this run took, and why
    _pg: Any = None  # (pool wrapper, connection) on PostgreSQL
    _reader: HeldConnection | None = None

    def reader(self) -> HeldConnection | None:
        """PostgreSQL: the connection that holds the lock, for the run's
        reads meanwhile (it is otherwise idle, and a pooled one would cost a
        reset round trip each time it went back); None on SQLite."""
        if self._pg is not None and self._reader is None:
            self._reader = HeldConnection(self._pg[1])
        return self._reader


async def acquire(
    source: str, owner: str | None = None, *, stale_after_s: float = STALE_AFTER_S
) -> Lease:
    """The source's lease, or `LockBusy`."""
    owner = owner or new_owner()
    client = get_connection("default")
    if dialect_of(client) == "postgres":
        wrapper = client.acquire_connection()
        conn = await wrapper.__aenter__()
        try:
            got = await conn.fetchval(
                "SELECT pg_try_advisory_lock($1, hashtext($2))", ADVISORY_CLASS, source
            )
        except BaseException:
            await wrapper.__aexit__(None, None, None)
            raise
        if not got:
            await wrapper.__aexit__(None, None, None)
            raise LockBusy(source, "a PostgreSQL advisory lock of a live session")
        return Lease(source, owner, "postgres", _pg=(wrapper, conn))
    now = datetime.now(UTC)
    async with write_transaction(client) as tx:
        rows = await tx.fetch(
            'SELECT "owner", "heartbeat_at" FROM "sync_lock" WHERE "source" = ?',
            [source],
        )
        taken_over = None
        if rows:
            holder, beat = rows[0][0], _as_datetime(rows[0][1])
            age = (now - beat).total_seconds()
            if holder != owner:
                if _process_gone(holder):
                    taken_over = f"{holder} (its process is gone)"
                elif age > stale_after_s:
                    taken_over = f"{holder} (no heartbeat for {age:.0f} s)"
                else:
                    raise LockBusy(source, f"{holder}, heartbeat {age:.0f} s ago")
            await tx.execute(
                'UPDATE "sync_lock" SET "owner" = ?, "acquired_at" = ?, '
                '"heartbeat_at" = ?, "run_id" = NULL WHERE "source" = ?',
                [owner, now, now, source],
            )
        else:
            await tx.execute(
                'INSERT INTO "sync_lock" ("source", "owner", "acquired_at", '
                '"heartbeat_at") VALUES (?, ?, ?, ?)',
                [source, owner, now, now],
            )
    if taken_over:
        log.warning("sync %s: took over the stale lock of %s", source, taken_over)
    return Lease(source, owner, "sqlite", taken_over=taken_over)


async def heartbeat(lease: Lease, run_id: int | None = None) -> None:
    """Refresh the lease (SQLite); `LeaseLost` if another run took it."""
    if lease.dialect != "sqlite":
        return
    count, _ = await get_connection("default").execute_query(
        'UPDATE "sync_lock" SET "heartbeat_at" = ?, "run_id" = ? '
        'WHERE "source" = ? AND "owner" = ?',
        [datetime.now(UTC), run_id, lease.source, lease.owner],
    )
    if not count:
        raise LeaseLost(f"the lock of {lease.source!r} was taken over by another run")


async def release(lease: Lease) -> None:
    if lease.dialect == "postgres":
        wrapper, conn = lease._pg
        try:
            await conn.execute(
                "SELECT pg_advisory_unlock($1, hashtext($2))",
                ADVISORY_CLASS,
                lease.source,
            )
        finally:
            await wrapper.__aexit__(None, None, None)
        return
    await get_connection("default").execute_query(
        'DELETE FROM "sync_lock" WHERE "source" = ? AND "owner" = ?',
        [lease.source, lease.owner],
    )
