"""The `sync_run` rows around a run: interrupted runs, the resume point, the
validators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.db.models.sync import SyncPage, SyncRun
from app.ingest.backend import read_connection


@dataclass
class Plan:
    """Where a new run starts, decided from the runs before it."""

    resume_cursor: str | None = None
    resumed_from: int | None = None
    # Runs of the same pass (this one resumes the last of them): their
    # committed pages count as seen when the pass ends.
    chain: list[int] = field(default_factory=list)
    validators: dict[str, str] = field(default_factory=dict)
    pass_started: datetime | None = None  # when the resumed pass began
    # Start of the last successful complete run: where an incremental
    # connector's change feed picks up.
    since: datetime | None = None


async def close_interrupted(source: str, by_owner: str) -> int:
    """Runs left 'running' are dead: we hold the lock. Mark them failed."""
    now = datetime.now(UTC)
    return await SyncRun.filter(source=source, status="running").update(
        status="failed",
        finished_at=now,
        error=f"interrupted: the process stopped without finishing "
        f"(found by {by_owner}); committed pages are kept and the next run resumes",
    )


def _is_job(run: SyncRun) -> bool:
    """A worker's job row (app/jobs/queue.py), not an engine run: it records a
    request and its outcome, never a cursor, validators or a pass start."""
    return bool((run.options or {}).get("job"))


async def _last_engine_run(source: str, **filters: object) -> SyncRun | None:
    """The newest engine run matching `filters`. A job that failed before the
    engine ran (a bad sources file, a crash) is newer than the last real run
    and would otherwise stand in for it, so job rows are skipped."""
    query = SyncRun.filter(source=source, **filters).order_by("-id")
    offset = 0
    while True:
        rows = await query.offset(offset).limit(_SCAN)
        for run in rows:
            if not _is_job(run):
                return run
        if len(rows) < _SCAN:
            return None
        offset += _SCAN


_SCAN = 20


async def plan_run(source: str, full: bool) -> Plan:
    plan = Plan()
    if full:
        return plan
    last_ok = await _last_engine_run(source, status="succeeded")
    if last_ok is not None:
        plan.validators = dict(last_ok.validators or {})
    last_complete = await _last_engine_run(source, status="succeeded", complete=True)
    if last_complete is not None:
        plan.since = last_complete.started_at
    last = await _last_engine_run(source, status__in=("failed", "succeeded"))
    if last is None or last.status != "failed" or not last.cursor:
        return plan
    plan.resume_cursor = last.cursor
    plan.resumed_from = last.id
    plan.chain = [last.id, *((last.options or {}).get("chain") or [])]
    root = await SyncRun.get_or_none(id=plan.chain[-1])
    plan.pass_started = root.started_at if root is not None else None
    return plan


async def forget_pages(source: str) -> None:
    """Page logs serve only to resume; a finished pass drops its source's."""
    run_ids = await SyncRun.filter(source=source).values_list("id", flat=True)
    await SyncPage.filter(run_id__in=list(run_ids)).delete()


async def optimize_sqlite() -> None:
    """After a sync that changed data, let SQLite refresh its statistics.

    Without sqlite_stat1 the planner guesses, and a catalogue page sorted by
    title reads and sorts the whole course table instead of walking an index.
    The tables a sync writes are analysed by name: `PRAGMA optimize` alone
    analyses only the tables this connection happened to query (a first
    sync into an empty database queries none of course's indexes); it then
    takes care of the rest. `analysis_limit` bounds each to a sample: ~3 ms
    for both on 50,000 courses. PostgreSQL gets ANALYZE during the run
    (runner._analyze_as_tables_grow) and autovacuum after it.
    """
    async with read_connection() as tx:
        if tx.dialect == "sqlite":
            await tx.execute("PRAGMA analysis_limit = 1000")
            await tx.execute('ANALYZE "course"')
            await tx.execute('ANALYZE "offering"')
            await tx.execute("PRAGMA optimize")
