"""SWAYAM's explorer endpoint: GET /modules/gql/query?q=<courseList query>.

Serves the real sample's nodes (`SimConfig.swayam_sample`) or generated ones,
in Relay pages: `first` and `after` are read from the query text, cursors
are `base64("arrayconnection:<position>")` as graphql-relay makes them, and
every body starts with `)]}'`. Node JSON is rendered once per generation and
pages are joins of it, so 50,000 courses serve in well under a second.

Record faults (malformed, duplicate) are decided by record index when the
edges are rendered, before any page size is known: use `every=` or `p=` for
them here; `page=` narrows request faults only.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from aiohttp import web

from connectors.simulator import data
from connectors.simulator.server import SimState, respond

PROVIDER = "swayam"
PATH = "/modules/gql/query"
PREFIX = b")]}'\n"
SLUG_PREFIXES = {
    "NPTEL": "noc",
    "CEC": "cec",
    "IGNOU": "nou",
    "NITTTR": "ntr",
    "IIMB": "imb",
    "NCERT": "nce",
    "AICTE": "aic",
    "NIOS": "nos",
}
_FIRST = re.compile(r"\bfirst\s*:\s*(\d+)")
_AFTER = re.compile(r'\bafter\s*:\s*"([^"]*)"')


def _stamp(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000000Z") if value else ""


def generated_node(course: data.GenCourse) -> dict[str, Any]:
    """A generated course as a 2020-style `courseList` node."""
    node_code = "nd1" if course.coordinator == "NPTEL" else "nd2"
    prefix = SLUG_PREFIXES.get(course.coordinator, "gen")
    slug = f"{prefix}{course.year % 100:02d}_{course.discipline}{course.index + 1:02d}"
    path = f"{node_code}_{slug}"
    return {
        "id": base64.b64encode(f"CourseList:/{path}".encode()).decode(),
        "title": f" {course.title} ",  # real titles carry stray spaces
        "url": f"/{path}/preview",
        "explorerSummary": course.summary,
        "explorerInstructorName": " and ".join(course.instructors),
        "enrollment": {"enrolled": False},
        "openForRegistration": True,
        "availability": "registration_required",
        "showInExplorer": True,
        "startDate": _stamp(course.start),
        "endDate": _stamp(course.end),
        "examDate": _stamp(course.exam),
        "enrollmentEndDate": _stamp(course.enrolment_end),
        "estimatedWorkload": None,
        "category": [{"name": course.subject, "category": None}],
        "tags": [],
        "featured": False,
        "coursePictureUrl": "",
        "credits": course.credits,
        "weeks": course.weeks,
        "nodeCode": node_code,
        "instructorInstitute": course.institute,
        "ncCode": course.coordinator,
    }


def _changed(node: dict[str, Any], generation: int) -> dict[str, Any]:
    """A run whose course text and offering status moved in this generation."""
    node = copy.copy(node)
    node["explorerSummary"] = (
        f"{node.get('explorerSummary') or ''} (revised, generation {generation})"
    )
    node["openForRegistration"] = not node.get("openForRegistration")
    return node


def _broken(node: dict[str, Any]) -> dict[str, Any]:
    node = copy.copy(node)
    node["title"] = None
    node["ncCode"] = 42
    return node


def _edge(node: dict[str, Any]) -> bytes:
    return b'{"node":' + json.dumps(node, ensure_ascii=False).encode() + b"}"


def cursor(position: int) -> str:
    return base64.b64encode(f"arrayconnection:{position}".encode()).decode()


def position_after(value: str | None) -> int:
    """Index of the first edge after `value` (0 without a cursor)."""
    if not value:
        return 0
    try:
        text = base64.b64decode(value, validate=True).decode()
        return int(text.removeprefix("arrayconnection:")) + 1
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"bad cursor {value!r}") from exc


class SwayamFeed:
    """The edges of the current generation, pre-rendered, and pages cut from them."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._sample: list[dict[str, Any]] | None = None
        if state.config.swayam_sample is not None:
            doc = json.loads(state.config.swayam_sample.read_text(encoding="utf-8"))
            self._sample = [edge["node"] for edge in doc["edges"]]
        self._pristine: list[bytes] | None = None
        self._edges: list[bytes] | None = None
        self._pages: dict[tuple[int, int], bytes] = {}
        state.on_change(self.invalidate)

    @property
    def size(self) -> int:
        return (
            len(self._sample) if self._sample is not None else self.state.config.courses
        )

    def invalidate(self) -> None:
        self._edges = None
        self._pages.clear()

    def _node(self, index: int) -> dict[str, Any]:
        if self._sample is not None:
            return self._sample[index]
        return generated_node(data.course(index, self.state.config.seed))

    def edges(self) -> list[bytes]:
        if self._edges is None:
            self._edges = list(self._render())
        return self._edges

    def _render(self) -> Iterator[bytes]:
        state = self.state
        seed, generation = state.config.seed, state.generation
        if self._pristine is None:
            # Rendered once: a new generation re-renders only what it touches.
            self._pristine = [_edge(self._node(i)) for i in range(self.size)]
        for index, edge in enumerate(self._pristine):
            fate = data.fate(seed, index, generation, state.change, state.drop)
            if fate == "drop":
                continue
            faults = state.plan.record_faults(PROVIDER, index, None)
            if fate == "change" or "malformed" in faults:
                node = self._node(index)
                if fate == "change":
                    node = _changed(node, generation)
                if "malformed" in faults:
                    node = _broken(node)
                edge = _edge(node)
            yield edge
            if "duplicate" in faults:
                yield edge

    def page(self, first: int, start: int) -> bytes:
        key = (first, start)
        body = self._pages.get(key)
        if body is None:
            edges = self.edges()
            chunk = edges[start : start + first]
            end = start + len(chunk) - 1
            info = {
                "endCursor": cursor(end) if chunk else None,
                "hasNextPage": start + first < len(edges),
            }
            body = b"".join(
                (
                    PREFIX,
                    b'{"data":{"courseList":{"edges":[',
                    b",".join(chunk),
                    b'],"pageInfo":',
                    json.dumps(info).encode(),
                    b"}}}",
                )
            )
            self._pages[key] = body
        return body


def _graphql_error(message: str) -> web.Response:
    body = PREFIX + json.dumps({"errors": [{"message": message}]}).encode()
    return web.Response(status=400, body=body, content_type="application/json")


def _handler(feed: SwayamFeed) -> Callable[[web.Request], Any]:
    async def handle(request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "")
        if "courseList" not in query:
            return _graphql_error("only courseList is simulated")
        match = _FIRST.search(query)
        first = min(
            int(match.group(1)) if match else 10, feed.state.config.max_page_size
        )
        after = _AFTER.search(query)
        try:
            start = position_after(after.group(1) if after else None)
        except ValueError as exc:
            return _graphql_error(str(exc))
        page = start // max(first, 1) + 1
        etag = f'"{feed.state.version(PROVIDER)}-{first}-{start}"'
        return await respond(
            request,
            provider=PROVIDER,
            page=page,
            body=lambda: feed.page(first, start),
            etag=etag,
        )

    return handle


def register(app: web.Application, state: SimState) -> None:
    feed = SwayamFeed(state)
    feed.edges()  # render at start-up, not on the first request of a timed run
    app.router.add_get(PATH, _handler(feed))
