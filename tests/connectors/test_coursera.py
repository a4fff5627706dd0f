"""The Coursera connector over real HTTP, against the simulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from connectors.base import SourceConfig, SyncState
from connectors.coursera import CourseraConnector
from connectors.http import FetchFailed, HttpClient
from connectors.records import CourseRecord, Malformed, PageDone, Record
from connectors.simulator import Simulator
from connectors.workload import parse_workload
from tests.connectors.conftest import FAST, StartSimulator, of_type
from tests.connectors.faults import PAGED_REQUEST_FAULTS


@pytest.fixture
def coursera_samples(shared_samples: Path) -> Path:
    if not (shared_samples / "coursera_catalog").is_dir():
        pytest.skip("Coursera sample not found")
    return shared_samples


async def collect(
    sim: Simulator, http: HttpClient, state: SyncState | None = None, limit: int = 10
) -> list[Record]:
    config = SourceConfig("coursera", "coursera", sim.url, {"limit": limit})
    return [
        r async for r in CourseraConnector(config, http).records(state or SyncState())
    ]


@pytest.mark.asyncio
async def test_real_response_with_linked_partners_and_instructors(
    start_simulator: StartSimulator, http: HttpClient, coursera_samples: Path
) -> None:
    sim = await start_simulator(samples=coursera_samples)
    records = await collect(sim, http, limit=1)
    courses = {c.external_id: c for c in of_type(records, CourseRecord)}
    assert set(courses) == {"v1-228", "69Bku0KoEeWZtA4u62x6lQ"}
    assert len(of_type(records, PageDone)) == 2  # one course a page, next as string

    gamification = courses["69Bku0KoEeWZtA4u62x6lQ"]
    assert gamification.title == "Gamification"
    assert gamification.institute == "University of Pennsylvania"
    assert gamification.hours_per_week == 6.0  # "4-8 hours/week"
    assert gamification.workload_text is None  # parsed, so not kept as text
    assert gamification.has_certificate is True
    assert gamification.url == "https://www.coursera.org/learn/gamification"
    assert gamification.languages == ("en",)
    assert "Marketing" in gamification.subjects

    digital = courses["v1-228"]
    assert digital.institute == "University of London"
    assert digital.hours_per_week == 7.5
    # An empty fullName falls back to prefix + first + last.
    assert "Dr Marco Gillies" in digital.instructors
    assert "Dr Mathew Yee-King" in digital.instructors
    assert digital.has_certificate is False


@pytest.mark.asyncio
async def test_generated_catalogue_and_workload_shapes(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=55, seed=9)
    records = await collect(sim, http, limit=10)
    courses = of_type(records, CourseRecord)
    assert len({c.external_id for c in courses}) == len(courses) == 55
    pages = of_type(records, PageDone)
    assert len(pages) == 6 and pages[0].total == 55
    assert all(c.institute and c.instructors for c in courses)
    # Every fifth workload is "Self-paced": kept as text, nothing invented.
    unparsed = [c for c in courses if c.workload_text]
    assert len(unparsed) == 11
    assert all(
        c.workload_text == "Self-paced" and c.hours_per_week is None for c in unparsed
    )
    assert all(c.weeks for c in courses[3::5])  # "N weeks of study, …"
    assert all(c.notional_hours for c in courses[2::5])  # "Approx. N hours …"


def test_workload_text() -> None:
    assert parse_workload("4-8 hours/week").hours_per_week == 6.0
    assert parse_workload("90 minutes a week").hours_per_week == 1.5
    both = parse_workload("4 weeks of study, 1-2 hours/week")
    assert (both.weeks, both.hours_per_week) == (4, 1.5)
    assert parse_workload("Approx. 20 hours to complete").total_hours == 20.0
    assert not parse_workload("Self-paced").parsed


@pytest.mark.asyncio
async def test_resume_from_a_start_offset(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=30)
    first = await collect(sim, http, limit=10)
    cursor = of_type(first, PageDone)[0].cursor
    assert cursor == "10"
    rest = await collect(sim, http, SyncState(resume_cursor=cursor), limit=10)
    ids = [c.external_id for c in of_type(rest, CourseRecord)]
    assert ids == [c.external_id for c in of_type(first, CourseRecord)][10:]


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", PAGED_REQUEST_FAULTS)
async def test_request_faults_are_retried(
    start_simulator: StartSimulator, fault: str
) -> None:
    sim = await start_simulator(courses=40, faults=fault)
    async with HttpClient(replace(FAST, timeout_s=0.4)) as http:
        records = await collect(sim, http, limit=10)
    assert len(of_type(records, CourseRecord)) == 40
    assert sum(sim.state.plan.fired.values()) >= 1
    assert sim.state.hits["coursera"] > 4


@pytest.mark.asyncio
async def test_a_page_that_keeps_failing_ends_the_run_naming_it(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=40, faults="truncate:page=2")
    with pytest.raises(FetchFailed, match="page 2 \\(start 10\\)"):
        await collect(sim, http, limit=10)


@pytest.mark.asyncio
async def test_malformed_and_duplicated_courses(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=40, faults="malformed:every=8")
    records = await collect(sim, http)
    bad = of_type(records, Malformed)
    assert len(bad) == 5 and all(m.reason == "no name" and m.key for m in bad)
    assert len(of_type(records, CourseRecord)) == 35

    sim.control(faults="duplicate:p=0.25")
    again = await collect(sim, http)
    assert len(of_type(again, CourseRecord)) == 40
    assert sum(p.meta.get("duplicates", 0) for p in of_type(again, PageDone)) > 3
