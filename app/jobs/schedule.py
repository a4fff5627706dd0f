"""The worker's schedule: `every = "6h"` on a source of CREDGRAPH_CONNECTORS_FILE.

    [sources.swayam]
    connector = "swayam"
    every = "6h"          # s, m, h or d

A source is due when it has no job waiting or started and its last job was
queued longer ago than its interval. The schedule only queues; running is
the same path as a job queued through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.db.models.sync import SyncRun
from app.ingest import sources
from app.jobs.queue import ACTIVE, connector_of, enqueue

SCHEDULER = "schedule"


class ScheduleError(sources.SourcesError):
    pass


@dataclass(frozen=True)
class Entry:
    source: str
    every: timedelta


def parse_every(value: object, where: str) -> timedelta:
    """The engine's validation of `every` (one rule for `sync --all` and here)."""
    try:
        return sources.parse_every(value, where)
    except sources.SourcesError as exc:
        raise ScheduleError(str(exc)) from exc


def load_schedule(path: Path) -> list[Entry]:
    """The sources of the file that have an `every`; none without a file."""
    try:
        tables = sources.read_tables(path)
    except sources.SourcesError as exc:
        raise ScheduleError(str(exc)) from exc
    return [
        Entry(name, parse_every(table["every"], f"{path}: source {name!r}"))
        for name, table in tables.items()
        if isinstance(table, dict) and "every" in table
    ]


async def queue_due(entries: list[Entry], connectors_file: Path) -> list[SyncRun]:
    now = datetime.now(UTC)
    queued = []
    for entry in entries:
        if await SyncRun.filter(source=entry.source, status__in=ACTIVE).exists():
            continue
        last = await SyncRun.filter(source=entry.source).order_by("-queued_at").first()
        if last is not None and now - last.queued_at < entry.every:
            continue
        connector = connector_of(entry.source, connectors_file)
        queued.append(await enqueue(entry.source, connector, SCHEDULER))
    return queued
