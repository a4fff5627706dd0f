"""The edX course-discovery connector over real HTTP, against the simulator."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.credits.requirements import parse_tree
from connectors.base import SourceConfig, SyncState
from connectors.edx import EdxConnector
from connectors.http import FetchFailed, HttpClient
from connectors.oauth import TokenError
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    PathwayRecord,
    Record,
    Withdrawal,
)
from connectors.simulator import Simulator
from connectors.simulator.edx import AUTH, CLIENT_ID, CLIENT_SECRET, TOKEN_PATH
from tests.connectors.conftest import FAST, StartSimulator, of_type
from tests.connectors.faults import PAGED_REQUEST_FAULTS


@pytest.fixture
def edx_samples(shared_samples: Path) -> Path:
    if not (shared_samples / "openedx_course_discovery").is_dir():
        pytest.skip("edX course-discovery samples not found")
    return shared_samples


def connector(
    sim: Simulator, http: HttpClient, page_size: int = 10, secret: str = CLIENT_SECRET
) -> EdxConnector:
    config = SourceConfig(
        "edx",
        "edx",
        sim.url,
        {
            "token_url": sim.url + TOKEN_PATH,
            "client_id": CLIENT_ID,
            "page_size": page_size,
        },
        {"client_secret": secret},
    )
    return EdxConnector(config, http)


async def collect(
    sim: Simulator,
    http: HttpClient,
    state: SyncState | None = None,
    page_size: int = 10,
) -> list[Record]:
    run = connector(sim, http, page_size).records(state or SyncState())
    return [record async for record in run]


@pytest.mark.asyncio
async def test_real_sample_courses_runs_and_programs(
    start_simulator: StartSimulator, http: HttpClient, edx_samples: Path
) -> None:
    sim = await start_simulator(samples=edx_samples)
    records = await collect(sim, http)
    assert not of_type(records, Malformed)
    courses = {c.external_id: c for c in of_type(records, CourseRecord)}
    offerings = {o.external_id: o for o in of_type(records, OfferingRecord)}
    assert set(courses) == {"MITx+15.071x", "MITx+8.370.3x_review"}

    edge = courses["MITx+15.071x"]
    assert edge.title == "The Analytics Edge"
    assert edge.institute == "Massachusetts Institute of Technology"
    assert (edge.hours_per_week, edge.weeks) == (12.5, 13)
    assert edge.workload_text == "10-15 hours/week"
    assert edge.level_label == "Intermediate"
    assert edge.has_certificate is True
    assert edge.credits is None  # no credit seat: nothing stated
    assert "Dimitris Bertsimas" in edge.instructors
    run = offerings["course-v1:MITx+15.071x+1T2019"]
    assert run.course_external_id == "MITx+15.071x"
    assert (run.fee_minor, run.currency) == (15000, "USD")  # verified seat, not audit
    assert (run.start, run.end) == (date(2019, 2, 20), date(2019, 5, 22))

    # A real run states min_effort 7 > max_effort 5: read as a 5-7 h range.
    review = courses["MITx+8.370.3x_review"]
    assert review.workload_text == "5-7 hours/week"
    assert offerings["course-v1:MITx+8.370.3x_review+1T2018"].status == "hidden"

    pathways = {p.title: p for p in of_type(records, PathwayRecord)}
    circuits = pathways["Circuits and Electronics"]
    assert circuits.kind == "XSeries"
    assert circuits.course_refs == ("MITx+6.002.1x", "MITx+6.002.2x", "MITx+6.002.3x")
    assert parse_tree(circuits.requirement).type == "all_of"
    assert pathways["Accounting"].kind == "MicroMasters"
    assert not of_type(records, Withdrawal)


@pytest.mark.asyncio
async def test_generated_catalogue_pages_and_credit_seats(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=60, seed=3)
    records = await collect(sim, http, page_size=7)
    courses = of_type(records, CourseRecord)
    assert len({c.external_id for c in courses}) == len(courses) == 60
    assert len(of_type(records, PathwayRecord)) == 12
    pages = of_type(records, PageDone)
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert pages[0].total == 60
    # Index 0, 7, 14…: a credit seat of 3 US semester hours.
    credited = [c for c in courses if c.credits is not None]
    assert len(credited) == 9
    assert all(
        (c.credits, c.credit_source, c.credit_unit)
        == (3.0, "stated", "us_semester_hour")
        for c in credited
    )
    offerings = of_type(records, OfferingRecord)
    assert {o.course_external_id for o in offerings} == {c.external_id for c in courses}
    assert all(o.fee_minor in (4900, 9900, 14900, 19900) for o in offerings)


@pytest.mark.asyncio
async def test_a_wrong_secret_is_refused_before_any_data_request(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=5)
    with pytest.raises(TokenError, match="invalid_client") as refused:
        [r async for r in connector(sim, http, secret="wrong").records(SyncState())]
    assert "wrong" not in str(refused.value)
    assert sim.state.hits["edx"] == 0


@pytest.mark.asyncio
async def test_a_token_revoked_mid_run_is_renewed_once(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=30)
    records = []
    async for record in connector(sim, http, page_size=10).records(SyncState()):
        records.append(record)
        if isinstance(record, PageDone) and record.number == 1:
            sim.app[AUTH].revoke_all()
    assert len(of_type(records, CourseRecord)) == 30
    assert sim.app[AUTH].issued == 2


@pytest.mark.asyncio
async def test_incremental_run_asks_only_for_what_changed_since(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=200, seed=5)
    first = await collect(sim, http, page_size=50)
    since = datetime.now(UTC)
    sim.control(generation=1, change=0.2, drop=0.1)

    delta = await collect(sim, http, SyncState(full=False, since=since), page_size=50)
    courses = of_type(delta, CourseRecord)
    assert 0 < len(courses) < 200 * 0.4
    assert all("generation 1" in (c.description or "") for c in courses)
    pathways = of_type(delta, PathwayRecord)
    assert all("generation 1" in p.title for p in pathways)
    withdrawn = of_type(delta, Withdrawal)
    assert withdrawn and all(w.entity == "pathway" and w.at for w in withdrawn)
    known = {p.external_id for p in of_type(first, PathwayRecord)}
    assert {w.external_id for w in withdrawn} <= known
    # The same state on a full run lists everything live (no timestamp filter).
    full = await collect(sim, http, SyncState(since=since), page_size=50)
    assert len(of_type(full, CourseRecord)) > 150


@pytest.mark.asyncio
async def test_resume_in_the_programs_listing_skips_the_courses(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=100)
    first = await collect(sim, http, page_size=10)
    programs_page = next(
        p for p in of_type(first, PageDone) if p.meta["listing"] == "programs"
    )
    sim.control(reset_counts=True)
    rest = await collect(sim, http, SyncState(resume_cursor=programs_page.cursor))
    assert not of_type(rest, CourseRecord)
    assert len(of_type(rest, PathwayRecord)) == 20 - 10
    assert sim.state.hits["edx"] == 2  # one programs page, one deleted listing


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", PAGED_REQUEST_FAULTS)
async def test_request_faults_are_retried_and_the_run_completes(
    start_simulator: StartSimulator, fault: str
) -> None:
    sim = await start_simulator(courses=40, faults=fault)
    async with HttpClient(replace(FAST, timeout_s=0.4)) as http:
        records = await collect(sim, http, page_size=10)
    assert len(of_type(records, CourseRecord)) == 40
    assert len(of_type(records, PathwayRecord)) == 8
    assert sum(sim.state.plan.fired.values()) >= 1
    # Four course pages, one of programs, one of deleted programs; the rest
    # are the faulty answers asked again (aiohttp itself re-sends after a reset).
    assert sim.state.hits["edx"] > 6


@pytest.mark.asyncio
async def test_a_page_that_keeps_failing_ends_the_run_naming_it(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=40, faults="error500:page=3")
    seen: list[Record] = []
    with pytest.raises(FetchFailed) as failure:
        async for record in connector(sim, http).records(SyncState()):
            seen.append(record)
    assert "courses page 3" in str(failure.value)
    assert [p.number for p in of_type(seen, PageDone)] == [1, 2]


@pytest.mark.asyncio
async def test_malformed_records_are_reported_and_the_run_goes_on(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=50, faults="malformed:every=10")
    records = await collect(sim, http)
    bad = of_type(records, Malformed)
    # Every 10th course (5 of 50) and every 10th program (1 of 10).
    assert len(bad) == 5 + 1
    assert all(m.reason == "no title" and m.key and m.raw.startswith("{") for m in bad)
    assert len(of_type(records, CourseRecord)) == 45
    assert len(of_type(records, PathwayRecord)) == 9


@pytest.mark.asyncio
async def test_duplicated_records_are_yielded_once(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=50, faults="duplicate:p=0.2")
    records = await collect(sim, http)
    courses = of_type(records, CourseRecord)
    assert len(courses) == len({c.external_id for c in courses}) == 50
    offerings = of_type(records, OfferingRecord)
    assert len(offerings) == len({o.external_id for o in offerings})
    dupes = sum(p.meta.get("duplicates", 0) for p in of_type(records, PageDone))
    assert dupes > 5
