"""Coursera's public catalogue: `GET /api/courses.v1`, `start`/`limit` paging.

FORMATS.md §4 is the reference. What the wire format forces on us:

- a page is `{"elements", "paging": {"next", "total"}, "linked"}`; `next` is
  the next `start` as a string and is absent on the last page;
- partners (the universities) and instructors come side-loaded in `linked`
  only when asked for (`includes=partnerIds,instructorIds`, and the
  per-resource `fields=…,partners.v1(…),instructors.v1(…)`);
- effort is free text (`"4-8 hours/week"`), read by `connectors/workload.py`
  where it can be and kept as `workload_text` where it cannot;
- there are no prices, credits, levels, deltas or tombstones: every run is a
  full crawl, and a course absent from one is withdrawn by the engine.

A course is keyed by its opaque `id` (`69Bku0KoEeWZtA4u62x6lQ`, legacy
`v1-228`); its slug and URL go in `identifiers`. The resume cursor is the
next `start`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from connectors.base import SourceConfig, SyncState
from connectors.http import BadPayload, HttpClient
from connectors.jsonbody import decode_object, dump_raw
from connectors.records import CourseRecord, Malformed, PageDone, ProviderRecord, Record
from connectors.workload import parse_workload

NAME = "coursera"
DEFAULT_BASE_URL = "https://api.coursera.org"
ENDPOINT = "/api/courses.v1"
DEFAULT_LIMIT = 100
COURSE_FIELDS = (
    "name,slug,description,primaryLanguages,subtitleLanguages,workload,partnerIds,"
    "instructorIds,courseType,domainTypes,certificates,specializations,startDate"
)
LINKED_FIELDS = (
    "partners.v1(name,shortName,links),"
    "instructors.v1(fullName,firstName,lastName,prefixName,title,department)"
)


class MalformedCourse(ValueError):
    pass


def decode_page(body: bytes) -> dict[str, Any]:
    doc = decode_object(body)
    if not isinstance(doc.get("elements"), list):
        raise BadPayload("no elements list in the page")
    return doc


def _human(slug: str) -> str:
    return " ".join(word.capitalize() for word in slug.replace("_", "-").split("-"))


def _person(person: dict[str, Any]) -> str | None:
    full = person.get("fullName")
    if isinstance(full, str) and full.strip():
        return " ".join(full.split())
    parts = [person.get(k) for k in ("prefixName", "firstName", "lastName")]
    name = " ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
    return name or None


class Linked:
    """`linked` of one page: partners and instructors by id."""

    def __init__(self, linked: Any) -> None:
        linked = linked if isinstance(linked, dict) else {}
        self.partners = _by_id(linked.get("partners.v1"))
        self.instructors = _by_id(linked.get("instructors.v1"))


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    return {
        str(item["id"]): item
        for item in items or ()
        if isinstance(item, dict) and item.get("id") is not None
    }


def _strings(element: dict[str, Any], key: str) -> list[str]:
    value = element.get(key) or []
    if not isinstance(value, list):
        raise MalformedCourse(f"{key} is not a list")
    return [str(v) for v in value if v is not None]


def parse_course(
    element: Any, linked: Linked, provider: str, source_url: str
) -> CourseRecord:
    if not isinstance(element, dict):
        raise MalformedCourse(f"element is {type(element).__name__}, not an object")
    course_id = element.get("id")
    if not isinstance(course_id, str) or not course_id:
        raise MalformedCourse("no id")
    name = element.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MalformedCourse("no name")
    slug = element.get("slug")
    url = (
        f"https://www.coursera.org/learn/{slug}"
        if isinstance(slug, str) and slug
        else None
    )
    workload_text = element.get("workload")
    workload_text = workload_text.strip() if isinstance(workload_text, str) else None
    workload = parse_workload(workload_text)
    partners = [linked.partners.get(pid) for pid in _strings(element, "partnerIds")]
    instructors = [
        linked.instructors.get(iid) for iid in _strings(element, "instructorIds")
    ]
    subjects: list[str] = []
    for domain in element.get("domainTypes") or ():
        if isinstance(domain, dict):
            for key in ("domainId", "subdomainId"):
                value = domain.get(key)
                if isinstance(value, str) and _human(value) not in subjects:
                    subjects.append(_human(value))
    certificates = _strings(element, "certificates")
    description = element.get("description")
    return CourseRecord(
        provider=provider,
        external_id=course_id,
        title=" ".join(name.split()),
        description=description.strip() or None
        if isinstance(description, str)
        else None,
        subjects=tuple(subjects),
        weeks=workload.weeks,
        hours_per_week=workload.hours_per_week,
        notional_hours=workload.total_hours,
        workload_text=None if workload.parsed else workload_text,
        languages=tuple(_strings(element, "primaryLanguages")),
        mode="online",
        url=url,
        institute=", ".join(p["name"] for p in partners if p and p.get("name")) or None,
        instructors=tuple(n for n in (_person(i) for i in instructors if i) if n),
        has_certificate=bool(certificates),
        identifiers=tuple(
            i
            for i in (
                f"coursera:{course_id}",
                f"coursera:{slug}" if slug else None,
                url,
            )
            if i
        ),
        source_url=source_url,
        raw=element,
    )


class CourseraConnector:
    """Options: `limit` (page size, 100), `provider` ("coursera")."""

    name = NAME

    def __init__(self, config: SourceConfig, http: HttpClient) -> None:
        self.http = http
        self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.endpoint = self.base_url + ENDPOINT
        self.limit = int(config.options.get("limit", DEFAULT_LIMIT))
        self.provider = str(config.options.get("provider", NAME))

    def _params(self, start: int) -> dict[str, str]:
        return {
            "start": str(start),
            "limit": str(self.limit),
            "includes": "partnerIds,instructorIds",
            "fields": f"{COURSE_FIELDS},{LINKED_FIELDS}",
        }

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        start = int(state.resume_cursor) if state.resume_cursor else 0
        yield ProviderRecord(
            slug=self.provider,
            name="Coursera",
            kind="platform",
            url="https://www.coursera.org",
        )
        seen: set[str] = set()
        number = 0
        while True:
            number += 1
            response = await self.http.get(
                self.endpoint,
                params=self._params(start),
                decode=decode_page,
                what=f"Coursera courses page {number} (start {start})",
            )
            doc = response.data
            paging = doc.get("paging") if isinstance(doc.get("paging"), dict) else {}
            following = paging.get("next")
            source_url = f"{self.endpoint}?start={start}&limit={self.limit}"
            dupes = 0
            for record in self._page(doc, source_url, seen):
                if record is None:
                    dupes += 1
                else:
                    yield record
            nxt = int(following) if str(following or "").isdigit() else None
            if nxt is not None and nxt <= start:
                nxt = None  # a server that does not move on would loop forever
            total = paging.get("total")
            yield PageDone(
                number,
                str(nxt if nxt is not None else start + len(doc["elements"])),
                total=total if isinstance(total, int) else None,
                meta={"duplicates": dupes} if dupes else {},
            )
            if nxt is None:
                return
            start = nxt

    def _page(
        self, doc: dict[str, Any], source_url: str, seen: set[str]
    ) -> Iterator[Record | None]:
        linked = Linked(doc.get("linked"))
        for element in doc["elements"]:
            try:
                course = parse_course(element, linked, self.provider, source_url)
            except MalformedCourse as exc:
                key = element.get("id") if isinstance(element, dict) else None
                yield Malformed(
                    reason=str(exc),
                    raw=dump_raw(element),
                    key=str(key) if key is not None else None,
                    source_url=source_url,
                )
                continue
            if course.external_id in seen:
                yield None
                continue
            seen.add(course.external_id)
            yield course


def build(config: SourceConfig, http: HttpClient) -> CourseraConnector:
    return CourseraConnector(config, http)
