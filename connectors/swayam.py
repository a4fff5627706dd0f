"""SWAYAM: the explorer's GraphQL `courseList`, paged with Relay `first`/`after`.

FORMATS.md §1 is the reference. What the wire format forces on us:

- the body starts with the anti-hijack prefix `)]}'`;
- a run is keyed by its slug (`noc20_ma39`), taken from the Relay id
  (`base64("CourseList:/nd1_noc20_ma39")`) or the url; a slug outside the
  coordinator-prefix grammar (`beta_testcourse10`) is kept as given, and the
  coordinator always comes from `ncCode`, never from the slug;
- each cycle mints a new slug, so the course a run belongs to is named by
  coordinator + normalised title + normalised institute;
- dates are UTC instants of Indian calendar days: the date is taken in
  Asia/Kolkata, and `""` means unknown.

Records come out in this order per page: a `ProviderRecord` the first time a
coordinator is seen, then per node a `CourseRecord` (once per course per run)
and an `OfferingRecord`, or a `Malformed`; then `PageDone(number, cursor)`.
The next page is fetched while the consumer works on the current one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from connectors.base import (
    NOT_MODIFIED,
    VALIDATORS,
    ConnectorError,
    SourceConfig,
    SyncState,
)
from connectors.http import BadPayload, HttpClient, Response
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    ProviderRecord,
    Record,
)

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    IST: Any = ZoneInfo("Asia/Kolkata")
except (ImportError, ZoneInfoNotFoundError):  # no tz database on the host
    # India has kept +05:30 without DST since 1945, so the fixed offset gives
    # the same calendar dates for every catalogue timestamp.
    IST = timezone(timedelta(hours=5, minutes=30))

NAME = "swayam"
DEFAULT_BASE_URL = "https://swayam.gov.in"
ENDPOINT = "/modules/gql/query"
DEFAULT_PAGE_SIZE = 500
PREFIX = b")]}'"

# The national coordinators (FORMATS.md §1). All are SWAYAM coordinators; a
# credit earned through SWAYAM is deposited in ABC through the platform (ABC
# Regulations 2021 name SWAYAM as a source of bankable credits, and the UGC
# SWAYAM Regulations 2021 oblige HEIs to accept them), so each counts as a
# registered depositor for R-ABC-REG.
COORDINATORS: dict[str, tuple[str, str]] = {
    "NPTEL": (
        "National Programme on Technology Enhanced Learning",
        "https://nptel.ac.in",
    ),
    "CEC": ("Consortium for Educational Communication", "https://cec.nic.in"),
    "IGNOU": ("Indira Gandhi National Open University", "https://www.ignou.ac.in"),
    "IIMB": ("Indian Institute of Management Bangalore", "https://www.iimb.ac.in"),
    "NITTTR": (
        "National Institute of Technical Teachers Training and Research",
        "https://www.nitttrchd.ac.in",
    ),
    "AICTE": ("All India Council for Technical Education", "https://www.aicte.gov.in"),
    "NCERT": (
        "National Council of Educational Research and Training",
        "https://ncert.nic.in",
    ),
    "NIOS": ("National Institute of Open Schooling", "https://www.nios.ac.in"),
    "UGC": ("University Grants Commission", "https://www.ugc.gov.in"),
}

# nodeCode -> host of the run pages.
NODE_HOSTS = {
    "nd1": "https://onlinecourses.nptel.ac.in",
    "nd2": "https://onlinecourses.swayam2.ac.in",
}

NODE_FIELDS = (
    "id title url explorerSummary explorerInstructorName openForRegistration "
    "showInExplorer startDate endDate examDate enrollmentEndDate estimatedWorkload "
    "category { name category } tags { name } credits weeks nodeCode "
    "instructorInstitute ncCode"
)
# The filter the explorer sends for "everything"; closed runs included so a
# course is not withdrawn the day its enrolment closes.
QUERY_ARGS = (
    'includeClosed: true, filterText: "", category: "", status: "all", tags: "", '
    'duration: "all", examDate: "all", credits: "all", ncCode: "all", '
    'courseType: "all"'
)

DATE_FIELDS = ("startDate", "endDate", "enrollmentEndDate", "examDate")
_NODE_PREFIX = re.compile(r"^nd\d+_")
_NAME_SPLIT = re.compile(r"\s*(?:,|&|;|\band\b)\s*")


def build_query(first: int, after: str | None) -> str:
    after_arg = f", after: {json.dumps(after)}" if after else ""
    return (
        f"query {{ courseList(args: {{{QUERY_ARGS}}}, first: {first}{after_arg}) "
        f"{{ edges {{ node {{ {NODE_FIELDS} }} }} "
        "pageInfo { endCursor hasNextPage } } }"
    )


def decode_page(body: bytes) -> dict[str, Any]:
    """The `courseList` connection of a response body, or `BadPayload`.

    An HTML error page served with status 200 and a body cut short both end
    here, so the client retries them like a 5xx.
    """
    text = body.lstrip()
    if text.startswith(PREFIX):
        text = text[len(PREFIX) :].lstrip(b",\r\n\t ")
    if text[:1] == b"<":
        raise BadPayload("HTML page instead of JSON")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise BadPayload(f"invalid JSON ({exc.__class__.__name__}: {exc})") from exc
    conn = ((doc.get("data") or {}) if isinstance(doc, dict) else {}).get("courseList")
    if not isinstance(conn, dict) or not isinstance(conn.get("edges"), list):
        errors = doc.get("errors") if isinstance(doc, dict) else None
        raise BadPayload(f"no courseList in the response (errors: {errors!r})"[:300])
    return conn


def normalise(text: str | None) -> str:
    """Strip, collapse every whitespace run (NBSP included), casefold.

    IGNOU's course codes ("BES 123: …") are kept: the code is the most stable
    part of the title, and dropping it could merge two courses that share a
    name; the real sample's 640 courses come out the same either way.
    """
    return " ".join((text or "").split()).casefold()


def course_key(coordinator: str, title: str, institute: str | None) -> str:
    return f"{coordinator.casefold()}|{normalise(title)}|{normalise(institute)}"


class _DateCache(dict[str, date | None]):
    """Timestamp string -> IST date; catalogues repeat a few hundred instants."""

    def __missing__(self, value: str) -> date | None:
        if not value:
            result = None
        else:
            instant = datetime.fromisoformat(value)
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=UTC)
            result = instant.astimezone(IST).date()
        self[value] = result
        return result


class MalformedNode(ValueError):
    pass


def _slug(node: dict[str, Any]) -> str:
    """The run slug from the Relay id, else from the url."""
    raw_id = node.get("id")
    path = None
    if isinstance(raw_id, str) and raw_id:
        try:
            decoded = base64.b64decode(raw_id, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        _, sep, path = decoded.partition(":/")
        if not sep:
            path = None
    if not path:
        url = node.get("url")
        if isinstance(url, str) and url.strip("/"):
            path = url.strip("/").split("/", 1)[0]
    if not path:
        raise MalformedNode("no slug: neither a decodable id nor a url")
    node_code = node.get("nodeCode")
    if isinstance(node_code, str) and path.startswith(node_code + "_"):
        return path[len(node_code) + 1 :]
    return _NODE_PREFIX.sub("", path, count=1)


def _text(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedNode(f"{key} is {type(value).__name__}, not a string")
    value = " ".join(value.split())
    return value or None


def _count(node: dict[str, Any], key: str) -> int | None:
    value = node.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedNode(f"{key} is {value!r}, not a number")
    if value < 0:
        raise MalformedNode(f"{key} is negative ({value})")
    return int(value)


def _names(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(n for n in _NAME_SPLIT.split(value) if n)


def provider_record(code: str) -> ProviderRecord:
    name, url = COORDINATORS.get(code, (code, None))
    return ProviderRecord(
        slug=code.casefold(),
        name=name,
        kind="national_coordinator",
        country="IN",
        url=url,
        abc_registered=True,
        swayam=True,
    )


class NodeParser:
    """Turns one node into (coordinator, course, offering); keeps run state small.

    This runs once per record of every sync, so the common case (well-typed
    fields, timestamps seen before) avoids helper calls; odd values fall
    through to the checks that name what is wrong.
    """

    def __init__(self) -> None:
        self._dates = _DateCache()

    def _date(self, value: Any, key: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise MalformedNode(f"{key} is {value!r}, not a timestamp")
        try:
            return self._dates[value]
        except ValueError as exc:
            raise MalformedNode(f"{key} {value!r} is not an ISO timestamp") from exc

    def parse(
        self, node: Any, source_url: str
    ) -> tuple[str, CourseRecord, OfferingRecord]:
        if not isinstance(node, dict):
            raise MalformedNode(f"node is {type(node).__name__}, not an object")
        get = node.get
        slug = _slug(node)
        title = _text(node, "title")
        if not title:
            raise MalformedNode("no title")
        code = get("ncCode")
        if not isinstance(code, str) or not code.strip():
            raise MalformedNode("no ncCode (national coordinator)")
        code = code.strip().upper()
        institute = _text(node, "instructorInstitute")
        weeks = get("weeks")
        if weeks.__class__ is not int or weeks < 0:
            weeks = _count(node, "weeks")
        credits = get("credits")
        if credits.__class__ is not int or credits < 0:
            credits = _count(node, "credits")
        provider = code.casefold()
        key = f"{provider}|{title.casefold()}|{(institute or '').casefold()}"
        url_path = get("url")
        host = NODE_HOSTS.get(get("nodeCode") or "")
        run_url = f"{host}{url_path}" if host and isinstance(url_path, str) else None
        subjects = tuple(
            c["name"].strip()
            for c in get("category") or ()
            if isinstance(c, dict) and isinstance(c.get("name"), str)
        )
        summary = get("explorerSummary")
        names = get("explorerInstructorName")
        course = CourseRecord(
            provider=provider,
            external_id=key,
            title=title,
            description=_text(node, "explorerSummary") if summary else None,
            subjects=subjects,
            weeks=weeks,
            # SWAYAM states credits under the UGC framework; hours are not
            # stated, so notional hours are left for the credit engine.
            credits=float(credits) if credits is not None else None,
            credit_source="stated" if credits is not None else None,
            credit_unit="ncrf" if credits is not None else None,
            workload_text=_text(node, "estimatedWorkload"),
            mode="online",
            institute=institute,
            instructors=_names(_text(node, "explorerInstructorName")) if names else (),
            coordinator=code,
            source_url=source_url,
            raw=node,
        )
        dates = self._dates
        stamps = []
        for field in DATE_FIELDS:
            value = get(field)
            if value.__class__ is str and value in dates:
                stamps.append(dates[value])
            else:
                stamps.append(self._date(value, field))
        start, end, enrolment_end, exam = stamps
        if get("showInExplorer") is False:
            status = "hidden"
        elif get("openForRegistration"):
            status = "open"
        else:
            status = "closed"
        offering = OfferingRecord(
            provider=provider,
            course_external_id=key,
            external_id=slug,
            start=start,
            end=end,
            enrolment_end=enrolment_end,
            exam_date=exam,
            mode="online",
            status=status,
            url=run_url,
            has_exam=True if exam else None,
            source_url=source_url,
            raw=node,
        )
        return code, course, offering


class SwayamConnector:
    """`records(state)` walks `courseList` from the start or from a resume cursor.

    Options: `page_size` (default 500). A conditional GET is made on the first
    page when the state carries its validator; a 304 there means the whole
    catalogue is unchanged (the run yields one `PageDone` with
    `meta[NOT_MODIFIED]`). SWAYAM's public endpoint sends no validators, so
    against it every run is a full crawl.
    """

    name = NAME

    def __init__(self, config: SourceConfig, http: HttpClient) -> None:
        self.config = config
        self.http = http
        self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.endpoint = self.base_url + ENDPOINT
        self.page_size = int(config.options.get("page_size", DEFAULT_PAGE_SIZE))

    async def _fetch(
        self, after: str | None, number: int, validator: str | None = None
    ) -> Response:
        params = {"q": build_query(self.page_size, after)}
        return await self.http.get(
            self.endpoint,
            params=params,
            validator=validator,
            decode=decode_page,
            what=f"SWAYAM courseList page {number}"
            + (f" after cursor {after!r}" if after else ""),
        )

    def _source_url(self, after: str | None) -> str:
        # The query itself is long and fixed; first/after is what identifies a page.
        suffix = f"&after={after}" if after else ""
        return f"{self.endpoint}?first={self.page_size}{suffix}"

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        after = state.resume_cursor
        # A validator only describes the catalogue from its first page on.
        validator = None if after else state.validators.get(self.endpoint)
        parser = NodeParser()
        coordinators: set[str] = set()
        courses: set[str] = set()
        offerings: set[str] = set()
        number = 1
        pending = asyncio.ensure_future(self._fetch(after, number, validator))
        try:
            while True:
                response = await pending
                if response.not_modified:
                    yield PageDone(
                        number,
                        after,
                        meta={
                            NOT_MODIFIED: True,
                            VALIDATORS: {
                                self.endpoint: response.validator or validator
                            },
                        },
                    )
                    return
                conn = response.data
                info = conn.get("pageInfo") or {}
                cursor = info.get("endCursor") or after
                more = bool(info.get("hasNextPage"))
                if more and cursor == after:
                    # Following it would loop; stopping would look like a
                    # complete run and withdraw everything not yet seen.
                    raise ConnectorError(
                        f"SWAYAM courseList page {number} says hasNextPage but "
                        f"gives no new endCursor (after {after!r})"
                    )
                if more:
                    # Overlap: the next page downloads while this one is consumed.
                    pending = asyncio.ensure_future(self._fetch(cursor, number + 1))
                source_url = self._source_url(after)
                dupes = 0
                for record in self._page_records(
                    conn["edges"], parser, source_url, coordinators, courses, offerings
                ):
                    if record is None:
                        dupes += 1
                    else:
                        yield record
                meta: dict[str, Any] = {"duplicates": dupes} if dupes else {}
                if number == 1 and not state.resume_cursor and response.validator:
                    meta[VALIDATORS] = {self.endpoint: response.validator}
                yield PageDone(number, cursor, meta=meta)
                if not more:
                    return
                after = cursor
                number += 1
        finally:
            # A consumer that stops early leaves a prefetch behind: cancel it,
            # or retrieve its failure so asyncio does not log it as lost.
            if not pending.done():
                pending.cancel()
            elif not pending.cancelled():
                pending.exception()

    def _page_records(
        self,
        edges: list[Any],
        parser: NodeParser,
        source_url: str,
        coordinators: set[str],
        courses: set[str],
        offerings: set[str],
    ) -> Iterator[Record | None]:
        """One page's records; None for a repeated run (counted, not yielded)."""
        for edge in edges:
            node = edge.get("node") if isinstance(edge, dict) else edge
            try:
                code, course, offering = parser.parse(node, source_url)
            except MalformedNode as exc:
                yield Malformed(
                    reason=str(exc),
                    raw=json.dumps(node, ensure_ascii=False, default=str),
                    key=_safe_slug(node),
                    source_url=source_url,
                )
                continue
            if offering.external_id in offerings:
                yield None
                continue
            offerings.add(offering.external_id)
            if code not in coordinators:
                coordinators.add(code)
                yield provider_record(code)
            if course.external_id not in courses:
                courses.add(course.external_id)
                yield course
            yield offering


def _safe_slug(node: Any) -> str | None:
    try:
        return _slug(node) if isinstance(node, dict) else None
    except MalformedNode:
        return None


def build(config: SourceConfig, http: HttpClient) -> SwayamConnector:
    return SwayamConnector(config, http)
