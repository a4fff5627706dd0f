"""The worker loop: queue what the schedule says is due, claim, run, repeat."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from pathlib import Path

from app.ingest import hooks
from app.jobs.queue import claim_next
from app.jobs.runner import execute
from app.jobs.schedule import load_schedule, queue_due

log = logging.getLogger("credgraph.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def work(
    connectors_file: Path,
    *,
    once: bool = False,
    poll_s: float = 5.0,
    name: str | None = None,
) -> int:
    """Run jobs until stopped; with `once`, until the queue is empty. Returns
    the number of jobs run."""
    name = name or worker_name()
    # The same after-run hooks as `credgraph sync` (equivalence re-matching).
    hooks.install_defaults()
    schedule = load_schedule(connectors_file)
    ran = 0
    while True:
        if schedule:
            await queue_due(schedule, connectors_file)
        job = await claim_next(name)
        if job is None:
            if once:
                return ran
            await asyncio.sleep(poll_s)
            continue
        log.info("job %d: %s claimed by %s", job.id, job.source, name)
        status = await execute(job, connectors_file)
        ran += 1
        if once and status == "queued":
            return ran  # locked elsewhere: leave it for a later pass
