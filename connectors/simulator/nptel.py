"""NPTEL's semester course list as a file: `GET /nptel/noc-courses.{csv,xlsx}`.

No real list is public (FORMATS.md §2), so the rows are made in the format
usually cited: from the generated catalogue's NPTEL courses, or, when the
simulator serves the real SWAYAM sample (`SimConfig.swayam_sample`), from
its 353 NPTEL runs, so tests can line the two sources up. `?variant=2`
spells every header differently and puts a title line above them, as
hand-made sheets do. Dates are written as Indian lists write them
("20 Jan 2025"), on the Indian calendar day.

A generation moves the exam date of the runs it changes and leaves out the
ones it drops; `malformed` blanks a course name, `duplicate` repeats a row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from connectors.base import SourceConfig
from connectors.simulator import data
from connectors.simulator._feed import Item, Listing
from connectors.simulator.server import SimState, respond
from connectors.simulator.swayam import generated_node

PROVIDER = "nptel"
IST = timedelta(hours=5, minutes=30)
FIELDS = ("course_id", "discipline", "name", "sme", "institute", "weeks", "type",
          "start", "end", "exam", "credits", "ncrf")  # fmt: skip
HEADERS = {
    1: ("Course ID", "Discipline", "Course Name", "SME Name", "Institute",
        "Duration (weeks)", "Type", "Start Date", "End Date", "Exam Date",
        "Credits", "NCrF Level"),
    2: ("NOC Code", "Department", "Name of the Course", "Faculty",
        "Host Institution", "No. of Weeks", "Course Type (Core/Elective, UG/PG)",
        "Course Start", "Course End", "Final Examination Date", "Credit Points",
        "NCrF level"),
}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEVELS = {4: 4.5, 8: 5.0, 12: 5.5}


def _day(stamp: str | None) -> str:
    """A SWAYAM UTC instant as the Indian calendar day, written "20 Jan 2025"."""
    if not stamp:
        return ""
    instant = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (instant.astimezone(UTC) + IST).strftime("%d %b %Y")


def row_of(node: dict[str, Any]) -> Item:
    """A SWAYAM node (real or generated) as a course-list row."""
    slug = str(node["url"]).strip("/").split("/")[0].split("_", 1)[1]
    weeks = node.get("weeks")
    return {
        "course_id": slug.replace("_", "-"),
        "discipline": (node.get("category") or [{}])[0].get("name") or "",
        "name": " ".join(str(node.get("title") or "").split()),
        "sme": ", ".join(
            n.strip()
            for n in re.split(r"\s+and\s+|,", node.get("explorerInstructorName") or "")
            if n.strip()
        ),
        "institute": " ".join(str(node.get("instructorInstitute") or "").split()),
        "weeks": f"{weeks} Weeks" if weeks else "",
        "type": "Elective UG/PG",
        "start": _day(node.get("startDate")),
        "end": _day(node.get("endDate")),
        "exam": _day(node.get("examDate")),
        "credits": node.get("credits") if node.get("credits") is not None else "",
        "ncrf": LEVELS.get(weeks or 0, ""),
    }


class CourseList:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self._listing: Listing | None = None
        self._files: dict[tuple[str, int], bytes] = {}
        state.on_change(self._files.clear)

    @property
    def listing(self) -> Listing:
        if self._listing is None:
            config = self.state.config
            if config.swayam_sample is not None:
                doc = json.loads(config.swayam_sample.read_text(encoding="utf-8"))
                nodes = [
                    e["node"] for e in doc["edges"] if e["node"]["ncCode"] == "NPTEL"
                ]
            else:
                courses = (data.course(i, config.seed) for i in range(config.courses))
                nodes = [generated_node(c) for c in courses if c.coordinator == "NPTEL"]
            rows = [row_of(n) for n in nodes]
            self._listing = Listing(
                self.state, PROVIDER, size=len(rows), render=rows.__getitem__,
                change=_changed, broken=_broken,
            )  # fmt: skip
        return self._listing

    def rows(self, variant: int) -> list[list[Any]]:
        out: list[list[Any]] = []
        if variant == 2:
            out.append(["List of NOC courses (simulated semester)"])
            out.append([])
        out.append(list(HEADERS[variant]))
        out += [[e.item[f] for f in FIELDS] for e in self.listing.live()]
        return out

    def file(self, kind: str, variant: int) -> bytes:
        key = (kind, variant)
        if key not in self._files:
            rows = self.rows(variant)
            self._files[key] = _xlsx(rows) if kind == "xlsx" else _csv(rows)
        return self._files[key]


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _changed(row: Item, generation: int) -> Item:
    if row["exam"]:
        moved = datetime.strptime(row["exam"], "%d %b %Y") + timedelta(
            days=7 * generation
        )
        row["exam"] = moved.strftime("%d %b %Y")
    return row


def _broken(row: Item) -> Item:
    row["name"] = ""
    return row


def _handler(course_list: CourseList, kind: str) -> Callable[[web.Request], Any]:
    async def handle(request: web.Request) -> web.StreamResponse:
        variant = 2 if request.query.get("variant") == "2" else 1
        etag = f'"{course_list.state.version(PROVIDER)}-{kind}-{variant}"'
        return await respond(
            request,
            provider=PROVIDER,
            page=1,
            body=lambda: course_list.file(kind, variant),
            content_type=XLSX if kind == "xlsx" else "text/csv",
            etag=etag,
        )

    return handle


def register(app: web.Application, state: SimState) -> None:
    course_list = CourseList(state)
    app.router.add_get("/nptel/noc-courses.csv", _handler(course_list, "csv"))
    app.router.add_get("/nptel/noc-courses.xlsx", _handler(course_list, "xlsx"))


def source_config(
    sim_url: str, name: str = PROVIDER, kind: str = "xlsx", **options: Any
) -> SourceConfig:
    """The source that points the NPTEL connector at this simulator's list."""
    url = f"{sim_url}/nptel/noc-courses.{kind}"
    return SourceConfig(name, "nptel", None, {"file": url, **options})
