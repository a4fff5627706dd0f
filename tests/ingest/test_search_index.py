"""Synced courses are searchable at once, on either backend: on SQLite the
engine indexes the rows it inserts itself (the insert trigger leaves them to
it), and the triggers still cover every other writer."""

from __future__ import annotations

import pytest
from tortoise import connections

from app.db.models.catalogue import Course, Provider
from app.ingest import run_sync
from app.search import search_terms, text_search
from tests.ingest.conftest import StartSimulator, source


async def _found(text: str) -> set[int]:
    hits = text_search(Course.all(), search_terms(text))
    return set(await hits.values_list("id", flat=True))


async def _index_matches_table() -> None:
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        # FTS5 compares its index with the content table and raises on drift.
        await client.execute_script(
            "INSERT INTO course_search(course_search) VALUES ('integrity-check')"
        )


@pytest.mark.asyncio
async def test_synced_changed_and_hand_written_courses_are_searchable(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=120, seed=3, change=0.5)
    await run_sync(source(sim))
    courses = await Course.all().order_by("id")
    assert len(courses) == 120
    for course in courses[::17]:
        assert course.id in await _found(course.title)
    await _index_matches_table()

    sim.control(generation=1)  # half the descriptions are revised
    await run_sync(source(sim))
    revised = await Course.filter(description__contains="revised, generation 1")
    assert revised
    assert {c.id for c in revised} <= await _found("revised generation")
    await _index_matches_table()

    provider = await Provider.first()
    assert provider is not None
    by_hand = await Course.create(
        provider=provider,
        external_id="by-hand-1",
        title="Quaternion choreography",
        subjects=[],
        languages=[],
        instructors=[],
        identifiers=[],
        mode="online",
        first_seen=courses[0].first_seen,
        last_changed=courses[0].last_changed,
    )
    assert await _found("quaternion") == {by_hand.id}
    await _index_matches_table()
