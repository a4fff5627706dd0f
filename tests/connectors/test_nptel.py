"""The NPTEL course-list connector: generated CSV/XLSX files, and over HTTP."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from connectors.base import (
    NOT_MODIFIED,
    VALIDATORS,
    ConnectorError,
    SourceConfig,
    SyncState,
)
from connectors.http import FetchFailed, HttpClient
from connectors.nptel import NptelConnector
from connectors.records import CourseRecord, Malformed, OfferingRecord, PageDone, Record
from tests.connectors.conftest import FAST, StartSimulator, of_type
from tests.connectors.conftest import collect as swayam_collect

CSV_PATH = "/nptel/noc-courses.csv"
XLSX_PATH = "/nptel/noc-courses.xlsx"


async def collect(
    location: str, http: HttpClient, state: SyncState | None = None
) -> list[Record]:
    config = SourceConfig("nptel", "nptel", None, {"file": location})
    return [r async for r in NptelConnector(config, http).records(state or SyncState())]


def summary(records: list[Record]) -> list[tuple[Any, ...]]:
    courses = {c.external_id: c for c in of_type(records, CourseRecord)}
    rows = []
    for run in of_type(records, OfferingRecord):
        course = courses[run.course_external_id]
        rows.append(
            (run.external_id, course.title, run.start, run.exam_date, course.credits,
             course.ncrf_level)
        )  # fmt: skip
    return sorted(rows)


@pytest.mark.asyncio
async def test_nptel_list_lines_up_with_swayam_on_the_real_sample(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    nptel = await collect(sim.url + CSV_PATH, http)
    swayam = await swayam_collect(sim, http, page_size=1000)

    listed = of_type(nptel, CourseRecord)
    runs = of_type(nptel, OfferingRecord)
    assert len(runs) == 353 and not of_type(nptel, Malformed)
    # Every listed course names its SWAYAM twin's key among its identifiers,
    # and its run slug is the twin's offering id: the ingest side can group them.
    twins = {
        c.external_id for c in of_type(swayam, CourseRecord) if c.provider == "nptel"
    }
    assert {c.identifiers[0] for c in listed} == twins
    swayam_runs = {o.external_id: o for o in of_type(swayam, OfferingRecord)}
    for run in runs:
        slug = run.external_id.removeprefix("nptel-list|")
        twin = swayam_runs[slug]
        assert (run.start, run.end, run.exam_date) == (
            twin.start,
            twin.end,
            twin.exam_date,
        )
    # Own keys, so neither source's withdrawals touch the other's rows.
    assert not {c.external_id for c in listed} & twins
    ma39 = next(c for c in listed if "noc20_ma39" in c.identifiers)
    assert (ma39.title, ma39.institute, ma39.weeks, ma39.credits) == (
        "A basic course in number theory", "IIT Bombay", 12, 3.0
    )  # fmt: skip
    assert ma39.instructors == ("Prof. Shripad Garge",)
    assert "noc20-ma39" in ma39.identifiers  # the certificate spelling


@pytest.mark.asyncio
async def test_xlsx_with_other_headers_reads_the_same_as_csv(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=120, seed=7)
    from_csv = await collect(sim.url + CSV_PATH, http)
    from_xlsx = await collect(sim.url + XLSX_PATH + "?variant=2", http)
    assert len(of_type(from_csv, OfferingRecord)) > 40
    assert summary(from_csv) == summary(from_xlsx)


def _write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


HEADER = ["S.No", "Course ID", "NPTEL Course ID", "Course Name", "Discipline",
          "SME", "Institute", "Duration", "Type", "Start Date", "End Date",
          "Exam Date", "Credits", "NCrF Level"]  # fmt: skip


@pytest.mark.asyncio
async def test_generated_csv_with_title_rows_and_bad_rows(
    tmp_path: Path, http: HttpClient
) -> None:
    path = tmp_path / "noc_jan_2026.csv"
    _write_csv(path, [
        ["List of NOC courses Jan-Apr 2026"],
        [],
        HEADER,
        [1, "noc26-cs11", "106106226", "Programming in Java", "CSE",
         "Prof. A and Prof. B", "IIT Madras", "12 weeks", "Core UG", "19-01-2026",
         "10/04/2026", "26 Apr 2026", "3", "5.5"],
        [],
        [2, "NOC26_MA02", "", "Linear Algebra", "Maths", "Prof. C", "IIT Bombay",
         "8", "Elective PG", "2026-01-19", "2026-03-13", "", "", ""],
        [3, "noc26-cs11", "106106226", "Programming in Java", "CSE", "Prof. A",
         "IIT Madras", "12", "Core", "19-01-2026", "", "", "3", ""],
        [4, "noc26-me03", "", "Fluid Mechanics", "ME", "", "IIT Kanpur", "4",
         "", "sometime in spring", "", "", "1", ""],
        [5, "", "", "No Code Course", "ME", "", "IIT Kanpur", "4", "", "", "", "",
         "", ""],
        [6, "noc26-hs04", "", "", "HSS", "", "IIT Delhi", "4", "", "", "", "", "", ""],
    ], delimiter=";")  # fmt: skip
    records = await collect(str(path), http)
    java = next(
        c for c in of_type(records, CourseRecord) if c.title == "Programming in Java"
    )
    assert (java.weeks, java.credits, java.ncrf_level) == (12, 3.0, 5.5)
    assert java.instructors == ("Prof. A", "Prof. B")
    assert {"noc26_cs11", "noc26-cs11", "106106226"} <= set(java.identifiers)
    assert java.url == "https://nptel.ac.in/courses/106106226"
    runs = {o.external_id: o for o in of_type(records, OfferingRecord)}
    run = runs["nptel-list|noc26_cs11"]
    assert (run.start, run.end, run.exam_date) == (
        date(2026, 1, 19), date(2026, 4, 10), date(2026, 4, 26)
    )  # fmt: skip
    algebra = runs["nptel-list|noc26_ma02"]  # upper case and underscore accepted
    assert algebra.exam_date is None and algebra.has_exam is None
    bad = of_type(records, Malformed)
    reasons = sorted(m.reason for m in bad)
    assert len(bad) == 3
    assert any("row 8" in r and "not a date" in r for r in reasons)
    assert any("not a NOC code" in r for r in reasons)
    assert any("no course name" in r for r in reasons)
    assert of_type(records, PageDone)[0].meta["duplicates"] == 1


@pytest.mark.asyncio
async def test_generated_xlsx_with_date_cells(tmp_path: Path, http: HttpClient) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["NPTEL NOC Jul-Oct 2026"])
    sheet.append(["Course Code", "Name of the Course", "Faculty", "Host Institute",
                  "No. of Weeks", "Course Start", "Course End", "Exam Date",
                  "Credit Points"])  # fmt: skip
    sheet.append(["noc26-ee21", "Control Systems", "Prof. D", "IIT Kharagpur", 12,
                  datetime(2026, 7, 20), datetime(2026, 10, 9), 46320, 3])  # fmt: skip
    path = tmp_path / "noc.xlsx"
    book.save(path)
    records = await collect(str(path), http)
    run = of_type(records, OfferingRecord)[0]
    # 46320 is an Excel serial day: 2026-10-25.
    assert (run.start, run.end, run.exam_date) == (
        date(2026, 7, 20), date(2026, 10, 9), date(2026, 10, 25)
    )  # fmt: skip
    course = of_type(records, CourseRecord)[0]
    assert (course.institute, course.weeks, course.credits) == (
        "IIT Kharagpur",
        12,
        3.0,
    )


@pytest.mark.asyncio
async def test_a_file_without_a_header_is_refused(
    tmp_path: Path, http: HttpClient
) -> None:
    path = tmp_path / "notes.csv"
    _write_csv(path, [["hello", "world"], ["1", "2"]])
    with pytest.raises(ConnectorError, match="no header row"):
        await collect(str(path), http)


@pytest.mark.asyncio
async def test_an_unchanged_list_costs_one_conditional_request(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=60)
    url = sim.url + XLSX_PATH
    first = await collect(url, http)
    validators = of_type(first, PageDone)[0].meta[VALIDATORS]
    again = await collect(url, http, SyncState(validators=validators))
    assert [type(r) for r in again] == [PageDone]
    assert again[0].meta[NOT_MODIFIED] is True

    sim.control(generation=1, change=0.3, drop=0.1)
    changed = await collect(url, http, SyncState(validators=validators))
    before = {o.external_id: o.exam_date for o in of_type(first, OfferingRecord)}
    after = {o.external_id: o.exam_date for o in of_type(changed, OfferingRecord)}
    assert set(after) < set(before)  # some runs left the list
    assert any(after[k] != before[k] for k in after)  # some exams moved


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "fault",
    [
        "error500:times=2",
        "rate429:times=1:retry_after=0",
        "html200:times=1",
        "truncate:times=2",
        "reset:times=1",
        "slow:delay=0.6:times=1",
    ],
)
async def test_request_faults_are_retried(
    start_simulator: StartSimulator, fault: str
) -> None:
    sim = await start_simulator(courses=60, faults=fault)
    async with HttpClient(replace(FAST, timeout_s=0.4)) as http:
        records = await collect(sim.url + XLSX_PATH, http)
    assert len(of_type(records, OfferingRecord)) > 20
    assert sim.state.hits["nptel"] >= 2


@pytest.mark.asyncio
async def test_a_list_that_keeps_failing_ends_the_run(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=10, faults="error500")
    with pytest.raises(FetchFailed, match="NPTEL course list"):
        await collect(sim.url + CSV_PATH, http)


@pytest.mark.asyncio
async def test_malformed_and_duplicated_rows(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=200, faults="malformed:every=10")
    records = await collect(sim.url + CSV_PATH, http)
    bad = of_type(records, Malformed)
    total = len(bad) + len(of_type(records, OfferingRecord))
    assert len(bad) == total // 10
    assert all("no course name" in m.reason and m.key for m in bad)

    sim.control(faults="duplicate:p=0.2")
    again = await collect(sim.url + CSV_PATH, http)
    runs = of_type(again, OfferingRecord)
    assert len(runs) == len({r.external_id for r in runs}) == total
    assert of_type(again, PageDone)[0].meta["duplicates"] > 3
