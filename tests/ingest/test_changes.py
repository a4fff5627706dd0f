"""Records that stay, change, vanish and come back between runs."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.db.models.catalogue import Course, Offering
from app.db.models.sync import CatalogueGeneration
from app.ingest import run_sync
from connectors.keys import storage_key
from connectors.records import OfferingRecord
from connectors.simulator import data
from tests.ingest.conftest import StartSimulator, sent_records, source

COURSES = 400
SEED = 0


async def _snapshot() -> dict[tuple[str, int], tuple[str | None, datetime, bool]]:
    rows = {}
    for kind, model in (("c", Course), ("o", Offering)):
        for pk, digest, changed, withdrawn in await model.all().values_list(
            "id", "content_hash", "last_changed", "withdrawn"
        ):
            rows[(kind, pk)] = (digest, changed, withdrawn)
    return rows


async def _generation() -> int:
    row = await CatalogueGeneration.get_or_none(id=1)
    return row.generation if row else 0


@pytest.mark.asyncio
async def test_unchanged_resync_writes_no_row(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=COURSES, seed=SEED)
    first = await run_sync(source(sim))
    assert first.total.created == 2 * COURSES
    generation = await _generation()
    assert generation == 1
    before = await _snapshot()

    again = await run_sync(source(sim), full=True)  # no 304 shortcut

    assert again.total.unchanged == again.total.seen == 2 * COURSES
    assert (again.total.created, again.total.updated, again.total.withdrawn) == (
        0,
        0,
        0,
    )
    assert await _snapshot() == before  # not one last_changed moved
    assert await _generation() == generation  # caches stay valid


@pytest.mark.asyncio
async def test_new_records_beside_stored_ones_in_a_page_are_created_once(
    migrated: str, start_simulator: StartSimulator
) -> None:
    # The first page of the second run holds 50 stored courses, some of
    # them revised, and 50 new ones: the engine writes such a page as new
    # first and takes the stored rows the usual way (upsert_courses's
    # `optimistic`).
    stored = 50
    small = await start_simulator(courses=stored, seed=SEED, change=0.3, drop=0.0)
    assert (await run_sync(source(small))).total.created == 2 * stored
    before = await _snapshot()
    revised = [data.fate(SEED, i, 1, 0.3, 0.0) for i in range(stored)].count("change")
    assert revised

    large = await start_simulator(courses=COURSES, seed=SEED, change=0.3, drop=0.0)
    large.control(generation=1)
    outcome = await run_sync(source(large))

    assert outcome.status == "succeeded"
    new = COURSES - stored
    assert (outcome.courses.created, outcome.offerings.created) == (new, new)
    assert (outcome.courses.updated, outcome.offerings.updated) == (revised, revised)
    assert outcome.total.unchanged == 2 * (stored - revised)
    after = await _snapshot()
    assert sum(after[k] != v for k, v in before.items()) == 2 * revised
    assert await Course.all().count() == await Offering.all().count() == COURSES
    # Each run is filed under the course the provider named for it.
    named = {
        storage_key(r.external_id): storage_key(r.course_external_id)
        for r in await sent_records(source(large))
        if isinstance(r, OfferingRecord)
    }
    filed = await Offering.all().values_list("external_id", "course__external_id")
    assert dict(filed) == named


@pytest.mark.asyncio
async def test_changed_and_vanished_records_are_updated_and_withdrawn(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=COURSES, seed=SEED, change=0.1, drop=0.05)
    await run_sync(source(sim))
    fates = [data.fate(SEED, i, 1, 0.1, 0.05) for i in range(COURSES)]
    dropped, changed = fates.count("drop"), fates.count("change")
    assert dropped and changed

    sim.control(generation=1)
    outcome = await run_sync(source(sim))

    assert outcome.status == "succeeded"
    assert outcome.courses.updated == changed  # the summary moved
    assert outcome.offerings.updated == changed  # the status moved
    assert outcome.courses.withdrawn == outcome.offerings.withdrawn == dropped
    # Never deleted: marked, with the time.
    assert await Course.all().count() == COURSES
    gone = await Course.filter(withdrawn=True)
    assert len(gone) == dropped and all(c.withdrawn_at for c in gone)
    revised = await Course.filter(description__contains="revised, generation 1")
    assert len(revised) == changed
    assert await _generation() == 2

    # A run that fails part-way proves nothing about what it did not reach:
    # it withdraws nothing (what its first page saw again is reinstated).
    withdrawn_before = {c.id for c in gone}
    sim.control(generation=2, faults="error500:page=2")
    failed = await run_sync(source(sim))
    assert failed.status == "failed"
    withdrawn_after = set(
        await Course.filter(withdrawn=True).values_list("id", flat=True)
    )
    assert withdrawn_after <= withdrawn_before

    # Back to the original catalogue: everything is reinstated.
    sim.control(generation=0, faults=None)
    back = await run_sync(source(sim), full=True)
    assert back.status == "succeeded"
    assert await Course.filter(withdrawn=True).count() == 0
    assert await Offering.filter(withdrawn=True).count() == 0
    assert await Course.filter(withdrawn_at__isnull=False).count() == 0


@pytest.mark.asyncio
async def test_after_run_hook_is_told_what_changed(
    migrated: str, start_simulator: StartSimulator
) -> None:
    from app.ingest import hooks

    seen: list[tuple[hooks.RunChanges, list[int]]] = []

    async def hook(changes: hooks.RunChanges) -> None:
        seen.append((changes, await changes.changed_course_ids()))

    async def broken(changes: hooks.RunChanges) -> None:
        raise RuntimeError("a failing hook never fails the run")

    hooks.after_run(hook)
    hooks.after_run(broken)
    try:
        sim = await start_simulator(courses=50, seed=SEED)
        first = await run_sync(source(sim))
        again = await run_sync(source(sim), full=True)
    finally:
        hooks.remove(hook)
        hooks.remove(broken)

    assert first.status == again.status == "succeeded"
    (one, one_ids), (two, two_ids) = seen
    assert (one.run_id, one.changed_courses, len(one_ids)) == (first.run_id, 50, 50)
    assert (two.changed_courses, two_ids) == (0, [])


@pytest.mark.asyncio
async def test_an_incremental_connector_gets_since_and_withdraws_nothing(
    migrated: str, start_simulator: StartSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import registry
    from connectors.base import SourceConfig
    from tests.ingest import incremental_connector as feed

    monkeypatch.setitem(
        registry.CONNECTORS, "swayam-feed", "tests.ingest.incremental_connector"
    )
    monkeypatch.setattr(feed, "STATES", [])
    sim = await start_simulator(courses=300, seed=SEED, change=0.0, drop=0.1)
    config = SourceConfig("feed", "swayam-feed", sim.url, source(sim).options)

    first = await run_sync(config)  # nothing complete yet: a full pass
    sim.control(generation=1)
    changes = await run_sync(config)  # a change feed cannot see absences
    full = await run_sync(config, full=True)

    assert [(s.full, s.since is not None) for s in feed.STATES] == [
        (True, False),
        (False, True),
        (True, False),
    ]
    assert first.complete and not changes.complete and full.complete
    assert changes.pages == 1 and changes.courses.withdrawn == 0
    assert full.courses.withdrawn > 0
