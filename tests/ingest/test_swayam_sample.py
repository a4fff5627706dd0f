"""The real SWAYAM sample, served page by page by the simulator, through the engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.db.models.catalogue import Course, Offering, Provider
from app.db.models.sync import SyncRun
from app.ingest import run_sync
from tests.ingest.conftest import StartSimulator, source


@pytest.mark.asyncio
async def test_real_sample_gives_641_offerings_and_640_courses(
    migrated: str, start_simulator: StartSimulator, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    outcome = await run_sync(source(sim))

    assert outcome.status == "succeeded", outcome.error
    assert (outcome.pages, outcome.quarantined) == (7, 0)  # 641 in pages of 100
    assert outcome.courses.created == 640
    assert outcome.offerings.created == 641
    assert await Course.all().count() == 640
    assert await Offering.all().count() == 641
    assert await Provider.filter(swayam=True).count() == 9

    ma39 = await Offering.get(external_id="noc20_ma39").prefetch_related(
        "course", "provider"
    )
    course = ma39.course
    assert ma39.provider.slug == "nptel"
    assert (course.title, course.institute, course.coordinator) == (
        "A basic course in number theory",
        "IIT Bombay",
        "NPTEL",
    )
    assert (course.weeks, course.credits, course.credit_source) == (12, 3.0, "stated")
    assert (ma39.start, ma39.end, ma39.exam_date, ma39.enrolment_end) == (
        date(2020, 9, 14),
        date(2020, 12, 4),
        date(2020, 12, 20),
        date(2020, 9, 21),
    )
    assert ma39.url == "https://onlinecourses.nptel.ac.in/nd1_noc20_ma39/preview"
    # Provenance on every row; the course's latest run start is denormalised.
    assert course.source == "swayam" and course.content_hash
    assert course.raw_payload["ncCode"] == "NPTEL"
    assert ma39.raw_payload["title"].strip() == "A basic course in number theory"
    assert course.next_start == date(2020, 9, 14)

    beta = await Offering.get(external_id="beta_testcourse10").prefetch_related(
        "course"
    )
    assert beta.course.coordinator == "UGC" and beta.exam_date is None
    ed03 = await Offering.get(external_id="nou20_ed03").prefetch_related("course")
    assert ed03.course.title == "BES 123: Learning and Teaching"
    assert (ed03.start, ed03.end) == (date(2020, 7, 1), None)
    # Two runs of one course.
    hs21 = await Offering.get(external_id="cec20_hs21")
    cm02 = await Offering.get(external_id="cec20_cm02")
    assert hs21.course_id == cm02.course_id

    run = await SyncRun.get(id=outcome.run_id)
    assert (run.status, run.complete, run.pages, run.seen) == (
        "succeeded",
        True,
        7,
        1281,
    )
    assert run.cursor is None and run.validators  # an ETag for the next run


@pytest.mark.asyncio
async def test_second_run_is_a_conditional_get_and_full_walks_unchanged_pages(
    migrated: str, start_simulator: StartSimulator, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    await run_sync(source(sim))

    again = await run_sync(source(sim))
    assert again.status == "succeeded" and again.not_modified
    assert (again.pages, again.total.seen) == (1, 0)

    full = await run_sync(source(sim), full=True)
    assert full.status == "succeeded" and not full.not_modified
    assert full.total.unchanged == full.total.seen == 1281
    assert full.total.changed == 0
