"""Queueing and claiming sync jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.db.models.sync import SyncRun
from app.ingest.sources import SourcesError
from app.jobs.sources import find_source

QUEUED = "queued"
STARTED = "started"
ACTIVE = (QUEUED, STARTED)


class UnknownSource(Exception):
    pass


def connector_of(source: str, connectors_file: Path) -> str:
    """The connector a source runs, or UnknownSource (the message says why)."""
    try:
        return find_source(source, connectors_file).connector
    except SourcesError as exc:
        raise UnknownSource(str(exc)) from exc


async def enqueue(
    source: str, connector: str, requested_by: str, *, full: bool = False
) -> SyncRun:
    """A queued job; a source that already has one waiting gets that one back
    (queueing twice does not run twice)."""
    waiting = await SyncRun.filter(source=source, status=QUEUED).order_by("id").first()
    if waiting is not None:
        return waiting
    return await SyncRun.create(
        source=source,
        connector=connector,
        status=QUEUED,
        full=full,
        requested_by=requested_by,
        options={"job": True},
    )


# A started job's worker refreshes heartbeat_at every HEARTBEAT_S; a job
# silent for STALE_AFTER_S lost its worker (killed, machine gone).
HEARTBEAT_S = 30.0
STALE_AFTER_S = 300.0


async def fail_stale(now: datetime | None = None) -> int:
    """Started jobs whose worker stopped beating: failed, so their source can
    be claimed again (the sync engine resumes from the last committed page)."""
    now = now or datetime.now(UTC)
    return await SyncRun.filter(
        status=STARTED, heartbeat_at__lt=now - timedelta(seconds=STALE_AFTER_S)
    ).update(status="failed", finished_at=now, error="the worker stopped")


async def heartbeat(job: SyncRun) -> None:
    await SyncRun.filter(id=job.id, status=STARTED).update(
        heartbeat_at=datetime.now(UTC)
    )


async def claim_next(worker: str) -> SyncRun | None:
    """The oldest queued job of a source no other job is running, now ours.

    The claim is one conditional UPDATE: of two workers racing for a job,
    exactly one sees a row updated."""
    await fail_stale()
    busy = set(await SyncRun.filter(status=STARTED).values_list("source", flat=True))
    candidates = await SyncRun.filter(status=QUEUED).order_by("id").limit(20)
    for job in candidates:
        if job.source in busy:
            continue
        taken = await SyncRun.filter(id=job.id, status=QUEUED).update(
            status=STARTED,
            worker=worker,
            started_at=datetime.now(UTC),
            heartbeat_at=datetime.now(UTC),
        )
        if taken == 1:
            await job.refresh_from_db()
            return job
    return None


async def requeue(job: SyncRun, reason: str) -> None:
    await SyncRun.filter(id=job.id).update(
        status=QUEUED, worker=None, started_at=None, error=reason
    )
