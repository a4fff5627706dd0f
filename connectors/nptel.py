"""NPTEL's semester course list ("List of NOC courses Jan-Apr 20xx"), CSV or XLSX.

FORMATS.md §2: no public file is available, so the columns are the ones
usually cited (course id, name, discipline, SME, institute, weeks, type,
start, end, exam date, credits, NCrF level) matched loosely
(`connectors/tabular.py` finds the header row; `field_of` names columns).
The file comes from a path or a URL (option `file`); over HTTP a stored
validator makes the fetch conditional, and a 304 ends the run unchanged.

Identity. The same NPTEL course is listed by SWAYAM (`ncCode=NPTEL`), so the
ingest side must be able to put the two in one equivalence group, while
each source keeps its own rows (withdrawal is decided per source):

- the provider is the same NPTEL coordinator record SWAYAM yields;
- a course is keyed `nptel-list|<title>|<institute>` (normalised as SWAYAM
  normalises), and its `identifiers` carry the SWAYAM course key
  (`nptel|<title>|<institute>`), the run slug in both spellings
  (`noc25_cs11` as in course URLs, `noc25-cs11` as in certificates), the
  9-digit NPTEL course id when a column has one, and the run URL;
- a run is keyed `nptel-list|<slug>`; title, institute and SME are kept.

Dates are calendar days as written (day first when numeric, as Indian lists
write them); a cell that is not a date makes the row `Malformed`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.base import (
    NOT_MODIFIED,
    VALIDATORS,
    ConnectorError,
    SourceConfig,
    SyncState,
)
from connectors.http import HttpClient
from connectors.jsonbody import dump_raw
from connectors.records import CourseRecord, Malformed, OfferingRecord, PageDone, Record
from connectors.swayam_nodes import course_key, normalise, provider_record
from connectors.tabular import NoHeader, Row, check_spreadsheet, read_table

NAME = "nptel"
COORDINATOR = "NPTEL"
RUN_PAGE = "https://onlinecourses.nptel.ac.in/{slug}/preview"
NOC = re.compile(r"\bnoc\s*(\d{2})\s*[-_ ]?\s*([a-z]+)\s*(\d+)\b", re.I)
NPTEL_ID = re.compile(r"\b(\d{9})\b")
_NAME_SPLIT = re.compile(r"\s*(?:,|&|;|/|<br\s*/?>|\band\b)\s*", re.I)
EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug)
DATE_FORMATS = (
    "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y",
    "%d-%b-%Y", "%d-%B-%Y", "%b %d, %Y", "%B %d, %Y", "%d %b, %Y", "%d %B, %Y",
    "%d-%b-%y", "%d/%m/%y",
)  # fmt: skip


def field_of(header: str) -> str | None:
    """The canonical field of a normalised header, or None.

    Order matters: "Exam Date" is an exam date before it is a date, "Credit
    Points" are credits, "Duration (in weeks)" is weeks.
    """
    words = set(header.split())
    if not words:
        return None
    if "exam" in words or "examination" in words:
        return "exam_date"
    if words & {"ncrf", "nsqf"}:
        return "ncrf_level"
    if words & {"credit", "credits"}:
        return "credits"
    if "nptel" in words and words & {"id", "code"}:
        return "nptel_id"
    if words & {"sme", "faculty", "instructor", "instructors", "professor", "teacher"}:
        return "sme"
    if words & {"coordinator", "coordinators"} and "national" not in words:
        return "sme"
    if words & {"institute", "institution", "college", "university"}:
        return "institute"
    if words & {"discipline", "department", "subject"} and not words & {
        "name",
        "title",
    }:
        return "discipline"
    if "start" in words or "commencement" in words:
        return "start"
    if "end" in words:
        return "end"
    if words & {"weeks", "week", "duration"}:
        return "weeks"
    if "type" in words or header in ("ug pg", "core elective", "category"):
        return "type"
    if words & {"id", "code"} or header in ("noc", "course no", "course number"):
        return "course_id"
    if words & {"name", "title"}:
        return "name"
    return None


class MalformedRow(ValueError):
    pass


def _text(cells: dict[str, Any], key: str) -> str | None:
    value = cells.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _number(cells: dict[str, Any], key: str) -> float | None:
    value = cells.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = re.search(r"\d+(?:\.\d+)?", str(value))  # "12 weeks", "Level 4.5"
    if not match:
        raise MalformedRow(f"{key} {value!r} is not a number")
    return float(match.group(0))


def parse_day(value: Any, key: str = "date") -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 < value < 80_000:  # an Excel serial day (1954-2119)
            return (EXCEL_EPOCH + timedelta(days=float(value))).date()
        raise MalformedRow(f"{key} {value!r} is not a date")
    text = " ".join(str(value).replace("Sept", "Sep").split())
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise MalformedRow(f"{key} {value!r} is not a date")


def run_slug(value: str | None) -> str | None:
    """`noc25-cs11`, `NOC25_CS11`, `noc25 cs11` -> `noc25_cs11`."""
    match = NOC.search(value or "")
    if not match:
        return None
    year, discipline, number = match.groups()
    return f"noc{year}_{discipline.lower()}{number}"


def parse_row(row: Row, source_url: str) -> tuple[CourseRecord, OfferingRecord]:
    cells = row.cells
    title = _text(cells, "name")
    if not title:
        raise MalformedRow("no course name")
    raw_id = _text(cells, "course_id")
    slug = run_slug(raw_id)
    if slug is None:
        raise MalformedRow(f"course id {raw_id!r} is not a NOC code (noc25-cs11)")
    institute = _text(cells, "institute")
    nptel_id = None
    for key in ("nptel_id", "course_id"):
        match = NPTEL_ID.search(_text(cells, key) or "")
        if match:
            nptel_id = match.group(1)
            break
    weeks = _number(cells, "weeks")
    credits = _number(cells, "credits")
    level = _number(cells, "ncrf_level")
    sme = _text(cells, "sme")
    url = RUN_PAGE.format(slug=slug)
    key = f"nptel-list|{normalise(title)}|{normalise(institute)}"
    identifiers = [
        course_key(COORDINATOR, title, institute),
        slug,
        slug.replace("_", "-"),
    ]
    if nptel_id:
        identifiers += [nptel_id, f"https://nptel.ac.in/courses/{nptel_id}"]
    identifiers.append(url)
    discipline = _text(cells, "discipline")
    course = CourseRecord(
        provider=COORDINATOR.casefold(),
        external_id=key,
        title=title,
        subjects=(discipline,) if discipline else (),
        ncrf_level=level,
        level_label=_text(cells, "type"),
        weeks=int(weeks) if weeks is not None else None,
        credits=credits,
        credit_source="stated" if credits is not None else None,
        credit_unit="ncrf" if credits is not None else None,
        mode="online",
        url=f"https://nptel.ac.in/courses/{nptel_id}" if nptel_id else None,
        institute=institute,
        instructors=tuple(n for n in _NAME_SPLIT.split(sme or "") if n),
        coordinator=COORDINATOR,
        has_certificate=True,  # every NOC course ends in a proctored certificate exam
        identifiers=tuple(dict.fromkeys(identifiers)),
        source_url=source_url,
        raw={k: str(v) if v is not None else None for k, v in cells.items()},
    )
    exam = parse_day(cells.get("exam_date"), "exam date")
    offering = OfferingRecord(
        provider=course.provider,
        course_external_id=key,
        external_id=f"nptel-list|{slug}",
        start=parse_day(cells.get("start"), "start date"),
        end=parse_day(cells.get("end"), "end date"),
        exam_date=exam,
        mode="online",
        url=url,
        has_exam=True if exam else None,
        source_url=source_url,
        raw=course.raw,
    )
    return course, offering


class NptelConnector:
    """Option `file`: a path or an http(s) URL (else the source's base URL)."""

    name = NAME

    def __init__(self, config: SourceConfig, http: HttpClient) -> None:
        location = config.options.get("file") or config.base_url
        if not location:
            raise ConnectorError(f"source {config.name!r}: nptel needs a file or URL")
        self.location = str(location)
        self.http = http

    @property
    def remote(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        meta: dict[str, Any] = {}
        if self.remote:
            validator = state.validators.get(self.location)
            response = await self.http.get(
                self.location,
                validator=validator,
                decode=check_spreadsheet,
                what="NPTEL course list",
            )
            if response.not_modified:
                yield PageDone(
                    1,
                    None,
                    meta={NOT_MODIFIED: True, VALIDATORS: {self.location: validator}},
                )
                return
            data = response.body
            if response.validator:
                meta[VALIDATORS] = {self.location: response.validator}
            source_url = self.location
        else:
            path = Path(self.location)
            data = path.read_bytes()
            source_url = path.resolve().as_uri()
        # The very provider record SWAYAM yields, so the two never fight over it.
        yield provider_record(COORDINATOR)
        courses: set[str] = set()
        runs: set[str] = set()
        dupes = 0
        count = 0
        try:
            rows = list(read_table(data, field_of))
        except NoHeader as exc:
            raise ConnectorError(f"NPTEL course list {self.location}: {exc}") from exc
        for row in rows:
            count += 1
            try:
                course, offering = parse_row(row, f"{source_url}#row={row.number}")
            except MalformedRow as exc:
                yield Malformed(
                    reason=f"row {row.number}: {exc}",
                    raw=dump_raw(row.cells),
                    key=run_slug(_text(row.cells, "course_id")),
                    source_url=f"{source_url}#row={row.number}",
                )
                continue
            if offering.external_id in runs:
                dupes += 1
                continue
            runs.add(offering.external_id)
            if course.external_id not in courses:
                courses.add(course.external_id)
                yield course
            yield offering
        if dupes:
            meta["duplicates"] = dupes
        yield PageDone(1, None, total=count, meta=meta)


def build(config: SourceConfig, http: HttpClient) -> NptelConnector:
    return NptelConnector(config, http)
