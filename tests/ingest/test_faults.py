"""Each simulator fault through the engine: retried, quarantined, or failing
the run cleanly so the next run resumes and converges."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.db.models.catalogue import Course, Offering
from app.db.models.sync import QuarantinedRecord, SyncPage, SyncRun
from app.ingest import backend, run_sync
from connectors.simulator.swayam import cursor
from tests.ingest.conftest import StartSimulator, source

COURSES = 500  # five pages of 100


async def _keys() -> set[tuple[str, str | None]]:
    courses = await Course.all().values_list("external_id", "content_hash")
    offerings = await Offering.all().values_list("external_id", "content_hash")
    return {("c", *row) for row in courses} | {("o", *row) for row in offerings}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "faults",
    [
        "error500:p=0.3",
        "rate429:every=2:retry_after=1",
        "html200:page=2:times=2",
        "truncate:page=1:times=1",
        "reset:every=4",
        "slow:delay=0.2:every=3",
    ],
)
async def test_transient_faults_are_retried(
    migrated: str, start_simulator: StartSimulator, faults: str
) -> None:
    sim = await start_simulator(courses=COURSES, faults=faults)
    outcome = await run_sync(source(sim))
    assert outcome.status == "succeeded", outcome.error
    assert sum(sim.state.plan.fired.values()) > 0, "the fault never fired"
    assert (outcome.courses.created, outcome.offerings.created) == (COURSES, COURSES)
    assert await Course.all().count() == COURSES


@pytest.mark.asyncio
async def test_malformed_records_are_quarantined_and_the_run_succeeds(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=COURSES, faults="malformed:every=50")
    outcome = await run_sync(source(sim))

    assert outcome.status == "succeeded"
    assert outcome.quarantined == 10
    assert await Course.all().count() == COURSES - 10
    records = await QuarantinedRecord.filter(run_id=outcome.run_id)
    assert len(records) == 10
    for record in records:
        assert record.source == "swayam"
        assert "title" in record.reason or "ncCode" in record.reason
        # the whole record as received, readable as JSON
        assert json.loads(record.raw_text)["ncCode"] == 42
        assert record.record_key and record.source_url
    run = await SyncRun.get(id=outcome.run_id)
    assert (run.status, run.quarantined) == ("succeeded", 10)


@pytest.mark.asyncio
async def test_duplicates_make_no_duplicate_rows(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=COURSES, faults="duplicate:p=0.05")
    outcome = await run_sync(source(sim))
    assert outcome.status == "succeeded"
    assert await Course.all().count() == COURSES
    assert await Offering.all().count() == COURSES


@pytest.mark.asyncio
async def test_persistent_failure_fails_keeps_pages_and_next_run_resumes(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=COURSES, faults="error500:page=3")
    failed = await run_sync(source(sim))

    assert failed.status == "failed"
    assert "page 3" in failed.error and "HTTP 500" in failed.error
    assert "2 page(s) committed" in failed.error
    assert failed.pages == 2
    assert await Course.all().count() == 200  # the committed pages stay
    run = await SyncRun.get(id=failed.run_id)
    assert run.status == "failed" and run.cursor and "page 3" in run.error
    assert await SyncPage.filter(run_id=run.id).count() == 2

    sim.control(faults=None)
    resumed = await run_sync(source(sim))
    assert resumed.status == "succeeded", resumed.error
    assert resumed.resumed_from == failed.run_id
    assert resumed.pages == 3  # pages 3, 4 and 5 only
    assert await Course.all().count() == COURSES
    assert await SyncPage.all().count() == 0  # the finished pass forgets them
    resumed_state = await _keys()

    # Converged: a full run changes nothing.
    check = await run_sync(source(sim), full=True)
    assert check.total.changed == 0 and check.total.unchanged == 2 * COURSES
    assert await _keys() == resumed_state


@pytest.mark.asyncio
async def test_a_job_that_failed_before_the_engine_ran_does_not_stop_the_resume(
    migrated: str, start_simulator: StartSimulator
) -> None:
    from app.jobs.queue import enqueue

    sim = await start_simulator(courses=COURSES, faults="error500:page=3")
    failed = await run_sync(source(sim))
    assert failed.status == "failed" and failed.pages == 2
    # A worker job for the source then fails before any engine run (e.g. the
    # sources file was broken): a newer row, failed, with no cursor.
    job = await enqueue("swayam", "swayam", "schedule")
    await SyncRun.filter(id=job.id).update(status="failed", error="bad file")

    sim.control(faults=None)
    resumed = await run_sync(source(sim))
    assert resumed.status == "succeeded", resumed.error
    assert resumed.resumed_from == failed.run_id
    assert resumed.pages == 3  # pages 3, 4 and 5 only, not a restart
    assert await Course.all().count() == COURSES


@pytest.mark.asyncio
async def test_a_failed_commit_leaves_the_resume_point_at_the_last_commit(
    migrated: str, start_simulator: StartSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts and cursor move while a page's statements run; a page whose
    commit then fails must put them back, or the next run would resume after
    a page that was never written. On SQLite the COMMIT fails once every
    statement ran; on PostgreSQL the statement logging the page, which
    commits alone."""
    execute, commit = backend._SqliteTx.execute, backend._SqliteTx.commit
    logged: set[int] = set()

    def logs_page_3(sql: str, params: Any) -> bool:
        return 'INSERT INTO "sync_page"' in sql and params[1] == 3

    async def watching(self: Any, sql: str, params: Any = ()) -> None:
        if logs_page_3(sql, params):
            logged.add(id(self))
        await execute(self, sql, params)

    async def failing_commit(self: Any) -> None:
        if id(self) in logged:  # every statement ran; now the COMMIT "fails"
            raise OSError("disk I/O error")
        await commit(self)

    pg_execute = backend._PostgresTx.execute

    async def failing_log(self: Any, sql: str, params: Any = ()) -> None:
        if logs_page_3(sql, params):
            raise OSError("disk I/O error")
        await pg_execute(self, sql, params)

    monkeypatch.setattr(backend._SqliteTx, "execute", watching)
    monkeypatch.setattr(backend._SqliteTx, "commit", failing_commit)
    monkeypatch.setattr(backend._PostgresTx, "execute", failing_log)
    sim = await start_simulator(courses=COURSES)
    failed = await run_sync(source(sim))
    assert failed.status == "failed" and "disk I/O error" in failed.error
    assert failed.pages == 2 and "2 page(s) committed" in failed.error
    # The resume point is page 2's end (PostgreSQL may have committed page
    # 3's courses and offerings before its log: the resume replays them).
    run = await SyncRun.get(id=failed.run_id)
    assert run.cursor == cursor(199)

    monkeypatch.undo()
    resumed = await run_sync(source(sim))
    assert resumed.status == "succeeded", resumed.error
    assert resumed.resumed_from == failed.run_id
    assert resumed.pages == 3  # pages 3, 4 and 5: page 3 was never written
    assert await Course.all().count() == COURSES
    assert await Offering.all().count() == COURSES
