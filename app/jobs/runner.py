"""Running one claimed job through the sync engine and recording the outcome."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from app.db.models.sync import SyncRun
from app.ingest import SyncOutcome, run_sync
from app.ingest.sources import SourcesError
from app.jobs.queue import HEARTBEAT_S, heartbeat, requeue
from app.jobs.sources import find_source

log = logging.getLogger("credgraph.worker")


async def _beat(job: SyncRun) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        await heartbeat(job)


async def _finish(job: SyncRun, status: str, **values: object) -> None:
    await SyncRun.filter(id=job.id).update(
        status=status, finished_at=datetime.now(UTC), **values
    )


def _counts(outcome: SyncOutcome) -> dict[str, object]:
    total = outcome.total
    return {
        "pages": outcome.pages,
        "seen": total.seen,
        "created": total.created,
        "updated": total.updated,
        "unchanged": total.unchanged,
        "withdrawn": total.withdrawn,
        "quarantined": outcome.quarantined,
        "complete": outcome.complete,
    }


async def execute(job: SyncRun, connectors_file: Path) -> str:
    """Run the job; returns its final status ("queued" again when the source
    was locked by a run outside the queue, e.g. `credgraph sync`)."""
    try:
        config = find_source(job.source, connectors_file)
    except SourcesError as exc:
        await _finish(job, "failed", error=str(exc))
        return "failed"
    beating = asyncio.create_task(_beat(job))
    try:
        outcome = await run_sync(config, full=job.full)
    except Exception as exc:  # a job must end with a status, whatever failed
        log.exception("job %d (%s) crashed", job.id, job.source)
        await _finish(job, "failed", error=f"{type(exc).__name__}: {exc}")
        return "failed"
    finally:
        beating.cancel()
    if outcome.status == "locked":
        await requeue(job, outcome.error or "source locked by another run")
        return "queued"
    options = {**(job.options or {}), "run": outcome.run_id}
    await _finish(
        job, outcome.status, error=outcome.error, options=options, **_counts(outcome)
    )
    log.info("job %d (%s): %s", job.id, job.source, outcome.status)
    return outcome.status
