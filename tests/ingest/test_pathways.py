"""edX programs become pathways linked to their courses; an unchanged re-sync
writes none of them, a changed one rewrites only what moved."""

from __future__ import annotations

import pytest

from app.db.models.pathways import Pathway, PathwayCourse
from app.ingest import run_sync
from tests.ingest.conftest import StartSimulator
from tests.ingest.test_incremental_connectors import _edx


async def _links() -> set[tuple[str, str, bool]]:
    rows = await PathwayCourse.all().values_list(
        "pathway__external_id", "course_ref", "course_id"
    )
    return {(p, ref, course is not None) for p, ref, course in rows}


@pytest.mark.asyncio
async def test_pathways_are_linked_and_an_unchanged_resync_writes_none(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=200, seed=5)
    first = await run_sync(_edx(sim.url))
    assert first.status == "succeeded", first.error
    pathways = await Pathway.filter(source="edx").count()
    links = await _links()
    assert pathways > 0 and links
    assert all(linked for _, _, linked in links)  # every course ref resolved
    stamps = set(await Pathway.all().values_list("id", "last_changed"))

    again = await run_sync(_edx(sim.url), full=True)
    assert again.status == "succeeded" and again.total.changed == 0
    assert set(await Pathway.all().values_list("id", "last_changed")) == stamps
    assert await _links() == links

    sim.control(generation=1, change=0.3)
    moved = await run_sync(_edx(sim.url), full=True)
    assert moved.status == "succeeded"
    retitled = await Pathway.filter(title__contains="generation 1").count()
    assert 0 < retitled < pathways
    assert await Pathway.filter(source="edx").count() == pathways
    assert await _links() == links  # the same courses, still linked
