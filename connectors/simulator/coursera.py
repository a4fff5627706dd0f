"""Coursera's catalogue: `GET /api/courses.v1?start=&limit=&includes=&fields=`.

Serves the real captured response's two courses (`SimConfig.samples`) or
generated ones, `{"elements", "paging": {"next", "total"}, "linked"}` with
`next` a string and absent on the last page, and `linked` partners and
instructors only when `includes` asks for them (and only those the page
references), as Naptime does. Workloads come in the shapes real courses use,
one of them not a number at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from connectors.base import SourceConfig
from connectors.simulator import data
from connectors.simulator._feed import Item, Listing
from connectors.simulator.server import SimState, respond

PROVIDER = "coursera"
PATH = "/api/courses.v1"
SAMPLE = "coursera_catalog/mammooc_courses_v1_response.json"
WORKLOADS = (
    "{h}-{h2} hours/week",
    "{h} hours/week",
    "Approx. {total} hours to complete",
    "{w} weeks of study, {h}-{h2} hours per week",
    "Self-paced",
)


def _id(*parts: object) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()
    return digest.hex()[:22]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def generated(index: int, seed: int) -> tuple[Item, list[Item], list[Item]]:
    """One course element, its partners and its instructors."""
    course = data.course(index, seed)
    h = course.hours_per_week
    workload = WORKLOADS[index % len(WORKLOADS)].format(
        h=h, h2=h + 2, w=course.weeks or 6, total=h * (course.weeks or 6)
    )
    partner = {"id": _id(seed, "partner", course.institute), "name": course.institute,
               "shortName": _slug(course.institute)}  # fmt: skip
    people = []
    for name in course.instructors:
        first, _, last = name.partition(" ")
        person_id = _id(seed, "person", name)
        people.append(
            {"id": person_id, "fullName": "", "firstName": first, "lastName": last}
        )
    element = {
        "id": _id(seed, "course", index),
        "slug": _slug(course.title),
        "name": course.title,
        "courseType": "v2.ondemand",
        "description": course.summary,
        "workload": workload,
        "primaryLanguages": ["en"],
        "subtitleLanguages": ["en", "hi"],
        "partnerIds": [partner["id"]],
        "instructorIds": [p["id"] for p in people],
        "domainTypes": [{"domainId": _slug(course.subject), "subdomainId": "general"}],
        "certificates": ["VerifiedCert"] if index % 3 else [],
    }
    return element, [partner], people


class Catalogue:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.partners: dict[str, Item] = {}
        self.instructors: dict[str, Item] = {}
        self._listing: Listing | None = None
        self._live: list[Item] | None = None
        state.on_change(self._forget)

    def _forget(self) -> None:
        self._live = None

    @property
    def listing(self) -> Listing:
        if self._listing is None:
            config = self.state.config
            if config.samples is not None:
                doc = json.loads((config.samples / SAMPLE).read_text(encoding="utf-8"))
                elements = doc["elements"]
                for item in doc["linked"].get("partners.v1", []):
                    self.partners[str(item["id"])] = item
                for item in doc["linked"].get("instructors.v1", []):
                    self.instructors[str(item["id"])] = item
                render: Callable[[int], Item] = elements.__getitem__
                size = len(elements)
            else:
                size = config.courses
                render = self._generated
            self._listing = Listing(
                self.state, PROVIDER, size=size, render=render,
                change=_changed, broken=_broken,
            )  # fmt: skip
        return self._listing

    def _generated(self, index: int) -> Item:
        element, partners, people = generated(index, self.state.config.seed)
        self.partners.update((p["id"], p) for p in partners)
        self.instructors.update((p["id"], p) for p in people)
        return element

    def page(self, start: int, limit: int, includes: set[str]) -> bytes:
        if self._live is None:  # once per generation, not once per page
            self._live = [e.item for e in self.listing.live()]
        items = self._live
        chunk = items[start : start + limit]
        paging: dict[str, Any] = {"total": len(items)}
        if start + limit < len(items):
            paging["next"] = str(start + limit)
        doc: dict[str, Any] = {"elements": chunk, "paging": paging, "linked": {}}
        for key, field, table in (
            ("partnerIds", "partners.v1", self.partners),
            ("instructorIds", "instructors.v1", self.instructors),
        ):
            if key in includes:
                wanted = dict.fromkeys(i for e in chunk for i in e.get(key) or ())
                doc["linked"][field] = [table[i] for i in wanted if i in table]
        return json.dumps(doc, ensure_ascii=False).encode()


def _changed(item: Item, generation: int) -> Item:
    item["description"] = (
        f"{item.get('description') or ''} (revised, generation {generation})"
    )
    return item


def _broken(item: Item) -> Item:
    item["name"] = None
    return item


def _handler(catalogue: Catalogue) -> Callable[[web.Request], Any]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            start = int(request.query.get("start", "0"))
            limit = min(int(request.query.get("limit", "100")),
                        catalogue.state.config.max_page_size)  # fmt: skip
        except ValueError:
            return web.json_response({"errorCode": "BAD_REQUEST"}, status=400)
        includes = set(filter(None, request.query.get("includes", "").split(",")))
        etag = f'"{catalogue.state.version(PROVIDER)}-{request.query_string}"'
        return await respond(
            request,
            provider=PROVIDER,
            page=start // max(limit, 1) + 1,
            body=lambda: catalogue.page(start, limit, includes),
            etag=etag,
        )

    return handle


def register(app: web.Application, state: SimState) -> None:
    app.router.add_get(PATH, _handler(Catalogue(state)))


def source_config(sim_url: str, name: str = PROVIDER, **options: Any) -> SourceConfig:
    """The source that points the Coursera connector at this simulator."""
    return SourceConfig(name, "coursera", sim_url, options)
