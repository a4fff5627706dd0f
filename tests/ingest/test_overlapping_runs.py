"""Runs of two sources overlapping in one process (a job worker, a script
driving `run_sync`) both complete: on PostgreSQL one of them holds its
writers' connections for the run, the other writes through the pool."""

from __future__ import annotations

import asyncio

import pytest

from app.db.models.catalogue import Course, Offering
from app.ingest import run_sync
from tests.ingest.conftest import StartSimulator, source
from tests.ingest.test_incremental_connectors import _edx

SWAYAM_COURSES = 450  # five pages of 100


@pytest.mark.asyncio
async def test_two_sources_synced_at_once_both_complete(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=SWAYAM_COURSES)
    swayam, edx = await asyncio.wait_for(
        asyncio.gather(run_sync(source(sim)), run_sync(_edx(sim.url))), 60
    )
    assert (swayam.status, edx.status) == ("succeeded", "succeeded"), (
        swayam.error,
        edx.error,
    )
    assert swayam.offerings.created == SWAYAM_COURSES
    assert edx.courses.created > 0
    by_source = {
        name: await Course.filter(source=name).count() for name in ("swayam", "edx")
    }
    assert by_source == {
        "swayam": swayam.courses.created,
        "edx": edx.courses.created,
    }
    assert await Offering.filter(source="swayam").count() == SWAYAM_COURSES
