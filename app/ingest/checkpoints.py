"""SQLite: WAL checkpoints off the writer's thread while a sync runs.

The connection whose COMMIT takes the WAL past `wal_autocheckpoint` pages
copies it back into the database file inside that COMMIT: during a sync, on
the writer's thread, a first sync's bottleneck. While a sync runs, a thread
with its own connection checkpoints every CHECKPOINT_EVERY_S as well
(PASSIVE: it never waits for the writer or for readers; the last one runs as
the sync ends), so the writer's own checkpoints find little left to copy.

They must still run: only a checkpoint that copies the whole WAL between two
write transactions lets the next one write the WAL from its start again, and
the background thread, racing a writer that commits every few milliseconds,
hardly ever gets there. With the writer's turned off during a sync (as
they once were), a first sync of 200,000 SWAYAM courses grew the WAL to
3.1 GB (50,000: ~500 MB), and its index, mapped into the process, took
peak RSS from 94 to 103 MB. With them (every 10,000 pages, app/settings.py)
the WAL peaked at 64 MB, and that sync ran 10.4k against 9.3k courses/s
(ad hoc, one run each); at 50,000 courses the two are within the noise
(13.4-15.2k courses/s, three runs each).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator

from tortoise.connection import get_connection

from app.ingest.backend import dialect_of

log = logging.getLogger(__name__)

CHECKPOINT_EVERY_S = 0.25


class _Checkpointer(threading.Thread):
    def __init__(self, path: str) -> None:
        super().__init__(name="sqlite-checkpoints", daemon=True)
        self.path = path
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error:
            log.warning("no checkpoint connection to %s", self.path, exc_info=True)
            return
        try:
            while True:
                last = self.stopping.wait(CHECKPOINT_EVERY_S)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # busy or locked: the next one will do
                    log.debug("checkpoint skipped", exc_info=True)
                if last:
                    return
        finally:
            conn.close()


# Runs going on per database file: runs that overlap in one process share
# one checkpointer, which the last to end stops.
_active: dict[str, tuple[int, _Checkpointer]] = {}


@contextlib.asynccontextmanager
async def checkpoints_in_background() -> AsyncIterator[None]:
    """Checkpoint the current SQLite database from another thread for the
    duration; on PostgreSQL, or an in-memory database, do nothing."""
    client = get_connection("default")
    path = getattr(client, "filename", ":memory:")
    if dialect_of(client) != "sqlite" or path == ":memory:":
        yield
        return
    if path in _active:
        runs, worker = _active[path]
        _active[path] = (runs + 1, worker)
    else:
        worker = _Checkpointer(path)
        worker.start()
        _active[path] = (1, worker)
    try:
        yield
    finally:
        runs, worker = _active.pop(path)
        if runs > 1:
            _active[path] = (runs - 1, worker)
        else:
            worker.stopping.set()
            await asyncio.to_thread(worker.join)
