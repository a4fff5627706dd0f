"""SWAYAM: the explorer's GraphQL `courseList`, paged with Relay `first`/`after`.

FORMATS.md §1 is the reference; `connectors.swayam_nodes` turns each node
into records. Here: the query, the `)]}'` prefix, paging and resume.

Records come out in this order per page: a `ProviderRecord` the first time a
coordinator is seen, then per node a `CourseRecord` (once per course per run)
and an `OfferingRecord`, or a `Malformed`, or an `Unchanged` for a node the
engine's lookup (`SyncState.known`) has stored with the same fingerprint
(the same text read by the same parser: parsing it again could only give the
stored row); then `PageDone(number, cursor)`.
The next page is fetched while the consumer works on the current one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.base import (
    NOT_MODIFIED,
    VALIDATORS,
    ConnectorError,
    Known,
    SourceConfig,
    SyncState,
)
from connectors.digests import DigestSet
from connectors.http import BadPayload, HttpClient, Response
from connectors.jsonbody import decode_json, dump_raw
from connectors.keys import storage_key
from connectors.records import Malformed, PageDone, Record, Unchanged
from connectors.swayam_nodes import (
    MalformedNode,
    NodeParser,
    fingerprint,
    provider_record,
    safe_slug,
    stored_key,
)

NAME = "swayam"
DEFAULT_BASE_URL = "https://swayam.gov.in"
ENDPOINT = "/modules/gql/query"
DEFAULT_PAGE_SIZE = 500
PREFIX = b")]}'"


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
    doc = decode_json(text)
    conn = ((doc.get("data") or {}) if isinstance(doc, dict) else {}).get("courseList")
    if not isinstance(conn, dict) or not isinstance(conn.get("edges"), list):
        errors = doc.get("errors") if isinstance(doc, dict) else None
        raise BadPayload(f"no courseList in the response (errors: {errors!r})"[:300])
    return conn


class SwayamConnector:
    """`records(state)` walks `courseList` from the start or from a resume cursor.

    Options: `page_size` (default 500). A conditional GET is made on the first
    page when the state carries its validator; a 304 there means the whole
    catalogue is unchanged (the run yields one `PageDone` with
    `meta[NOT_MODIFIED]`). SWAYAM's public endpoint sends no validators, so
    against it every run is a full crawl.

    Resuming (`state.resume_cursor`) starts after that cursor; page numbers
    then count from 1 again, and the run is not a complete pass.
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

    async def _page(
        self,
        state: SyncState,
        after: str | None,
        number: int,
        validator: str | None = None,
    ) -> tuple[Response, list[_Node], Mapping[Any, Known]]:
        """A page, its nodes' keys and fingerprints, and what the engine has
        stored under those keys: prefetched whole, so the lookup too runs
        while the page before is consumed."""
        response = await self._fetch(after, number, validator)
        if response.not_modified:
            return response, [], {}
        nodes = _nodes(response.data["edges"])
        return response, nodes, await _lookup(state, nodes)

    def _source_url(self, after: str | None) -> str:
        # The query itself is long and fixed; first/after is what identifies a page.
        suffix = f"&after={after}" if after else ""
        return f"{self.endpoint}?first={self.page_size}{suffix}"

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        after = state.resume_cursor
        # A validator only describes the catalogue from its first page on.
        validator = None if after else state.validators.get(self.endpoint)
        seen = _Seen()
        number = 1
        pending = asyncio.ensure_future(self._page(state, after, number, validator))
        try:
            while True:
                response, nodes, stored = await pending
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
                    pending = asyncio.ensure_future(
                        self._page(state, cursor, number + 1)
                    )
                source_url = self._source_url(after)
                dupes = 0
                for record in _page_records(nodes, stored, seen, source_url):
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


@dataclass
class _Seen:
    """What one run already yielded: a repeat is counted, not yielded again."""

    parser: NodeParser = field(default_factory=NodeParser)
    coordinators: set[str] = field(default_factory=set)
    # 64-bit digests of the keys, not the keys (a course key is coordinator +
    # title + institute), in compact sets: they grow with the catalogue.
    courses: DigestSet = field(default_factory=DigestSet)
    offerings: DigestSet = field(default_factory=DigestSet)
    malformed: set[str] = field(default_factory=set)  # raw text: few per run


def _digest(key: str) -> int:
    # str's own 64-bit hash: the sets live for one run in one process, so its
    # per-process salt does not matter, and a collision among a catalogue's
    # keys is as unlikely as with any 64-bit digest (blake2b cost 3x more).
    return hash(key)


@dataclass(slots=True)
class _Node:
    node: Any
    key: tuple[str, str] | None  # stored_key(node)
    slug: str | None
    fingerprint: int | None


def _nodes(edges: list[Any]) -> list[_Node]:
    nodes = []
    for edge in edges:
        node = edge.get("node") if isinstance(edge, dict) else edge
        key, slug = stored_key(node)
        nodes.append(_Node(node, key, slug, fingerprint(node)))
    return nodes


async def _lookup(state: SyncState, nodes: list[_Node]) -> Mapping[Any, Known]:
    """What the engine has stored under the page's keys (nothing without a
    lookup): a node whose fingerprint matches is not parsed again."""
    if state.known is None:
        return {}
    return await state.known([n.key for n in nodes if n.key is not None])


def _page_records(
    nodes: list[_Node],
    stored: Mapping[Any, Known],
    seen: _Seen,
    source_url: str,
) -> Iterator[Record | None]:
    """One page's records; None for a repeated record (counted, not yielded)."""
    for item in nodes:
        node = item.node
        known = stored.get(item.key) if stored else None
        if known is not None and known.fingerprint == item.fingerprint:
            provider, slug = item.key  # type: ignore[misc]
            if not seen.offerings.add(_digest(slug)):
                yield None
                continue
            code = node["ncCode"].strip().upper()
            if code not in seen.coordinators:
                seen.coordinators.add(code)
                yield provider_record(code)
            first = seen.courses.add(_digest(known.course_key))
            yield Unchanged(provider, slug, known.ref, course=first)
            continue
        try:
            code, course, offering = seen.parser.parse(
                node, source_url, item.fingerprint, item.slug
            )
        except MalformedNode as exc:
            raw = dump_raw(node)
            if raw in seen.malformed:
                yield None
                continue
            seen.malformed.add(raw)
            yield Malformed(
                reason=str(exc), raw=raw, key=safe_slug(node), source_url=source_url
            )
            continue
        if not seen.offerings.add(_digest(storage_key(offering.external_id))):
            yield None
            continue
        if code not in seen.coordinators:
            seen.coordinators.add(code)
            yield provider_record(code)
        if seen.courses.add(_digest(storage_key(course.external_id))):
            yield course
        yield offering


def build(config: SourceConfig, http: HttpClient) -> SwayamConnector:
    return SwayamConnector(config, http)
