"""The SWAYAM connector over real HTTP, against the simulator and the real sample."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from connectors.base import NOT_MODIFIED, VALIDATORS, ConnectorError, SyncState
from connectors.http import FetchFailed, HttpClient
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    ProviderRecord,
)
from connectors.swayam_nodes import MalformedNode, NodeParser
from tests.connectors.conftest import FAST, StartSimulator, collect, of_type, run


@pytest.mark.asyncio
async def test_real_sample_gives_641_offerings_of_640_courses(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    records = await collect(sim, http, page_size=100)

    offerings = of_type(records, OfferingRecord)
    courses = of_type(records, CourseRecord)
    assert len({o.external_id for o in offerings}) == len(offerings) == 641
    assert len({c.external_id for c in courses}) == len(courses) == 640
    assert not of_type(records, Malformed)
    # Every offering points at a course the run yielded.
    assert {o.course_external_id for o in offerings} == {c.external_id for c in courses}
    pages = of_type(records, PageDone)
    assert [p.number for p in pages] == list(range(1, 8))  # 641 in pages of 100
    assert sim.state.hits["swayam"] == 7


@pytest.mark.asyncio
async def test_real_sample_fields_of_checked_records(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    records = await collect(sim, http, page_size=250)
    offerings = {o.external_id: o for o in of_type(records, OfferingRecord)}
    courses = {c.external_id: c for c in of_type(records, CourseRecord)}

    ma39 = offerings["noc20_ma39"]
    course = courses[ma39.course_external_id]
    assert (course.provider, course.coordinator) == ("nptel", "NPTEL")
    assert course.title == "A basic course in number theory"
    assert course.institute == "IIT Bombay"
    assert (course.weeks, course.credits, course.credit_source) == (12, 3.0, "stated")
    assert course.notional_hours is None  # not stated, so not invented
    # 23:30Z is 05:00 IST on the next day.
    assert ma39.start == date(2020, 9, 14)
    assert ma39.end == date(2020, 12, 4)
    assert ma39.exam_date == date(2020, 12, 20)
    assert ma39.enrolment_end == date(2020, 9, 21)
    assert ma39.url == "https://onlinecourses.nptel.ac.in/nd1_noc20_ma39/preview"

    # Outside the slug grammar: kept as given, coordinator from ncCode.
    beta = offerings["beta_testcourse10"]
    assert beta.provider == "ugc"
    assert courses[beta.course_external_id].coordinator == "UGC"
    assert beta.exam_date is None  # "" means unknown

    # IGNOU: title stripped, code kept; empty end date unknown.
    ed03 = offerings["nou20_ed03"]
    assert courses[ed03.course_external_id].title == "BES 123: Learning and Teaching"
    assert ed03.start == date(2020, 7, 1)  # 18:30Z is IST midnight, next day
    assert ed03.end is None

    # Two runs of one course: same coordinator, title and institute.
    assert (
        offerings["cec20_hs21"].course_external_id
        == offerings["cec20_cm02"].course_external_id
    )

    providers = {p.slug: p for p in of_type(records, ProviderRecord)}
    assert set(providers) == {
        "nptel", "cec", "ignou", "iimb", "nitttr", "aicte", "ncert", "nios", "ugc"
    }  # fmt: skip
    assert all(
        p.kind == "national_coordinator" and p.swayam for p in providers.values()
    )


@pytest.mark.asyncio
async def test_null_weeks_and_credits_are_tolerated(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    courses = of_type(await collect(sim, http, page_size=1000), CourseRecord)
    no_weeks = [c for c in courses if c.weeks is None]
    no_credits = [c for c in courses if c.credits is None]
    assert no_weeks and no_credits
    assert all(c.credit_source is None for c in no_credits)
    assert all(c.credit_source == "stated" for c in courses if c.credits is not None)


@pytest.mark.asyncio
async def test_resume_after_a_cursor_fetches_only_the_rest(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    first = await collect(sim, http, page_size=100)
    third_page = of_type(first, PageDone)[2]
    before = {o.external_id for o in of_type(first, OfferingRecord)[:300]}

    rest = await collect(
        sim, http, SyncState(resume_cursor=third_page.cursor), page_size=100
    )
    resumed = {o.external_id for o in of_type(rest, OfferingRecord)}
    assert len(resumed) == 341
    assert not resumed & before
    assert len(of_type(rest, PageDone)) == 4


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["html200", "truncate"])
async def test_a_broken_200_body_is_detected_and_retried(
    start_simulator: StartSimulator,
    http: HttpClient,
    swayam_sample: Path,
    fault: str,
) -> None:
    sim = await start_simulator(
        swayam_sample=swayam_sample, faults=f"{fault}:page=2:times=2"
    )
    records = await collect(sim, http, page_size=100)
    assert len(of_type(records, OfferingRecord)) == 641
    assert sim.state.plan.fired[fault] == 2
    assert sim.state.hits["swayam:page=2"] == 3
    assert sum(http.stats.reasons.values()) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "reason"),
    [("html200", "HTML"), ("truncate", "invalid JSON"), ("error500", "HTTP 500")],
)
async def test_a_page_that_keeps_failing_ends_the_run_naming_the_page(
    start_simulator: StartSimulator,
    http: HttpClient,
    swayam_sample: Path,
    fault: str,
    reason: str,
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample, faults=f"{fault}:page=3")
    seen = []
    with pytest.raises(FetchFailed) as failure:
        async for record in run(sim, http):
            seen.append(record)
    error = failure.value
    assert "page 3" in str(error) and reason in str(error)
    assert error.attempts == http.policy.attempts == sim.state.hits["swayam:page=3"]
    assert error.status == (500 if fault == "error500" else 200)
    # The two pages before it came through, for the engine to keep.
    assert [p.number for p in of_type(seen, PageDone)] == [1, 2]


@pytest.mark.asyncio
async def test_malformed_records_are_reported_and_the_run_goes_on(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(
        swayam_sample=swayam_sample, faults="malformed:every=100"
    )
    records = await collect(sim, http, page_size=100)
    bad = of_type(records, Malformed)
    assert len(bad) == 6
    assert all("title" in m.reason for m in bad)
    assert all(m.key and m.raw.startswith("{") for m in bad)
    assert len(of_type(records, OfferingRecord)) == 641 - 6


@pytest.mark.asyncio
async def test_duplicated_records_are_yielded_once(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample, faults="duplicate:p=0.05")
    records = await collect(sim, http, page_size=100)
    offerings = of_type(records, OfferingRecord)
    assert len(offerings) == len({o.external_id for o in offerings}) == 641
    dupes = sum(p.meta.get("duplicates", 0) for p in of_type(records, PageDone))
    assert dupes > 10


@pytest.mark.asyncio
async def test_unchanged_catalogue_costs_one_conditional_request(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    first = await collect(sim, http, page_size=100)
    validators = of_type(first, PageDone)[0].meta[VALIDATORS]
    sim.control(reset_counts=True)

    again = await collect(sim, http, SyncState(validators=validators), page_size=100)
    assert [type(r) for r in again] == [PageDone]
    assert again[0].meta[NOT_MODIFIED] is True
    assert sim.state.hits["swayam"] == 1

    # A new generation changes the data, so the same validator gets a full run.
    sim.control(generation=1, change=0.1, drop=0.05)
    changed = await collect(sim, http, SyncState(validators=validators), page_size=100)
    assert not any(p.meta.get(NOT_MODIFIED) for p in of_type(changed, PageDone))
    offerings = of_type(changed, OfferingRecord)
    assert 641 * 0.9 < len(offerings) < 641  # some disappeared
    revised = [
        c
        for c in of_type(changed, CourseRecord)
        if "generation 1" in (c.description or "")
    ]
    assert revised


@pytest.mark.asyncio
async def test_a_page_that_promises_more_without_a_cursor_fails_the_run(
    http: HttpClient,
) -> None:
    # A stuck server: ending quietly here would pass for a complete run.
    body = (
        b')]}\'\n{"data":{"courseList":{"edges":[],"pageInfo":{"hasNextPage":true}}}}'
    )

    async def stuck(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/modules/gql/query", stuck)
    async with TestServer(app, host="127.0.0.1") as server:
        with pytest.raises(ConnectorError, match="hasNextPage"):
            await collect(str(server.make_url("")).rstrip("/"), http)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": "%%%", "url": None}, "no slug"),
        ({"weeks": "twelve"}, "weeks"),
        ({"credits": -1}, "credits is negative"),
        ({"startDate": "30/06/2020"}, "startDate"),
        ({"ncCode": ""}, "ncCode"),
        ({"title": "   "}, "no title"),
    ],
)
def test_malformed_nodes_say_what_is_wrong(change: dict, reason: str) -> None:  # type: ignore[type-arg]
    node = {
        "id": "Q291cnNlTGlzdDovbmQxX25vYzIwX21hMzk=",
        "url": "/nd1_noc20_ma39/preview",
        "title": "A basic course",
        "ncCode": "NPTEL",
        "nodeCode": "nd1",
        "weeks": 12,
        "credits": 3,
        "startDate": "2020-09-13T23:30:00.000000Z",
    }
    with pytest.raises(MalformedNode, match=reason):
        NodeParser().parse({**node, **change}, "u")
    code, course, offering = NodeParser().parse(node, "u")
    assert (code, offering.external_id, offering.start) == (
        "NPTEL",
        "noc20_ma39",
        date(2020, 9, 14),
    )


def test_slug_falls_back_to_the_url_and_dates_use_india_time() -> None:
    node = {
        "id": None,
        "url": "/nd2_cec20_hs21/preview",
        "title": "Corporate  Tax\u00a0Planning ",
        "ncCode": "CEC",
        "nodeCode": "nd2",
        # 18:00Z is 23:30 IST the same day; 18:30Z is the next day.
        "startDate": "2020-08-01T18:00:00.000000Z",
        "endDate": "2020-11-30T18:30:00.000000Z",
        "examDate": "",
    }
    _, course, offering = NodeParser().parse(node, "u")
    assert offering.external_id == "cec20_hs21"
    assert course.title == "Corporate Tax Planning"
    assert (offering.start, offering.end, offering.exam_date) == (
        date(2020, 8, 1),
        date(2020, 12, 1),
        None,
    )


@pytest.mark.asyncio
async def test_a_consumer_that_stops_early_leaves_no_fetch_running(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=1000, faults="slow:delay=0.3:page=2")
    records = run(sim, http, page_size=100)
    async for record in records:
        await asyncio.sleep(0)  # an engine awaits its writes: the prefetch starts
        if isinstance(record, PageDone):
            break  # e.g. the engine failed to write page 1
    await records.aclose()  # what the engine's `async with`/finally does
    received = http.stats.bytes
    await asyncio.sleep(0.5)
    # Page 2 was requested ahead, then abandoned with the run: its body never
    # arrives and nothing is asked after it.
    assert sim.state.hits["swayam"] == 2
    assert http.stats.bytes == received
    assert http.stats.retries == 0


def test_runs_of_two_cycles_are_one_course() -> None:
    def node(slug: str, title: str, institute: str) -> dict:  # type: ignore[type-arg]
        return {
            "url": f"/nd1_{slug}/preview",
            "title": title,
            "ncCode": "NPTEL",
            "nodeCode": "nd1",
            "instructorInstitute": institute,
        }

    parser = NodeParser()
    _, c20, o20 = parser.parse(
        node("noc20_cs11", " Data  Mining", "IIT Kharagpur "), "u"
    )
    _, c21, o21 = parser.parse(node("noc21_cs05", "Data mining ", "IIT KHARAGPUR"), "u")
    _, other, _ = parser.parse(node("noc21_cs06", "Data Mining", "IIT Madras"), "u")
    assert (o20.external_id, o21.external_id) == ("noc20_cs11", "noc21_cs05")
    assert c20.external_id == c21.external_id == o21.course_external_id
    assert other.external_id != c20.external_id


@pytest.mark.asyncio
async def test_every_record_arrives_once_through_mixed_faults(
    start_simulator: StartSimulator,
) -> None:
    sim = await start_simulator(
        courses=3000,
        seed=11,
        faults="error500:p=0.05,html200:p=0.05,truncate:p=0.05,rate429:p=0.05:"
        "retry_after=0,malformed:p=0.01,duplicate:p=0.01",
    )
    async with HttpClient(replace(FAST, attempts=6)) as http:
        records = await collect(sim, http, page_size=100)
    offerings = [o.external_id for o in of_type(records, OfferingRecord)]
    malformed = of_type(records, Malformed)
    assert len(offerings) == len(set(offerings))
    assert len(offerings) + len(malformed) == 3000
    fired = sim.state.plan.fired
    assert fired["error500"] and fired["html200"] and fired["truncate"]
    assert http.stats.retries == sum(fired.values())


@pytest.mark.parametrize(
    ("category", "subjects"),
    [
        ([{"name": " Mathematics ", "category": None}], ("Mathematics",)),
        ([{"name": "Physics"}, {"name": None}, "Chemistry"], ("Physics",)),
        (None, ()),
        ("Mathematics", ()),
    ],
)
def test_odd_categories_do_not_lose_the_record(
    category: object, subjects: tuple[str, ...]
) -> None:
    node = {
        "url": "/nd1_noc20_ma39/preview",
        "title": "A basic course",
        "ncCode": "NPTEL",
        "category": category,
    }
    _, course, _ = NodeParser().parse(node, "u")
    assert course.subjects == subjects
