"""The worker's schedule: `every = "6h"` on a source of CREDGRAPH_CONNECTORS_FILE.

    [sources.swayam]
    connector = "swayam"
    every = "6h"          # s, m, h or d

A source is due when it has no job waiting or started and its last job was
queued longer ago than its interval. The schedule only queues; running is
the same path as a job queued through the API.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.db.models.sync import SyncRun
from app.jobs.queue import ACTIVE, connector_of, enqueue

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SCHEDULER = "schedule"


class ScheduleError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    source: str
    every: timedelta


def parse_every(value: object, where: str) -> timedelta:
    match = _EVERY.match(value) if isinstance(value, str) else None
    if match is None:
        raise ScheduleError(f"{where}: every must look like 30m, 6h or 1d")
    seconds = float(match[1]) * _UNITS[match[2]]
    if seconds < 60:
        raise ScheduleError(f"{where}: every must be at least a minute")
    return timedelta(seconds=seconds)


def load_schedule(path: Path) -> list[Entry]:
    """The sources of the file that have an `every`; none without a file."""
    if not path.is_file():
        return []
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path}: not valid TOML: {exc}") from exc
    entries = []
    for name, table in (doc.get("sources") or {}).items():
        if isinstance(table, dict) and "every" in table:
            entries.append(
                Entry(name, parse_every(table["every"], f"{path}: source {name!r}"))
            )
    return entries


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
