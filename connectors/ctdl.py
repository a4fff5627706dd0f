"""Credential Engine (CTDL): the Registry's envelopes, or documents on disk.

Two forms, one mapping (`connectors/ctdl_map.py`):

- Registry (`base_url`, option `community`, default `ce-registry`; secret
  `api_key`, sent as `Authorization: Bearer <key>`). A full run lists
  `GET /{community}/envelopes?include_deleted=true` page by page (`page`,
  `per_page` up to 200, `Link: rel="next"` and a `Total` header); an
  envelope with `deleted_at` withdraws its resource. An incremental run
  (`SyncState.full` false, `since` set) reads the change feed
  `GET /{community}/envelopes/events?after=<since>` instead and fetches each
  created, updated or destroyed resource's envelope
  (`GET /{community}/envelopes/{ctid}?include_deleted=true`), so a destroyed
  one is withdrawn from its pre-delete document.
- Files (option `path`: a file or a directory, read recursively, `.json` and
  `.jsonld`), as publishers and researchers download them. Every document is
  read and indexed first, so references between files resolve (an owner's
  name, a part's CTID) whatever the order; records then come file by file, a
  `PageDone` every `files_per_page` files with the last file as the cursor.

A document is a single resource, a `{"@context", "@graph": [...]}` graph
(every node of it is mapped; blank nodes resolve inside it), an envelope, or
a list of any of these. A resource seen twice in one run (a graph and its
single-resource twin) is yielded once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin

from connectors.base import ConnectorError, SourceConfig, SyncState
from connectors.ctdl_map import CtdlMapper, MalformedResource
from connectors.ctdl_values import as_list, ctid_in
from connectors.http import BadPayload, FetchFailed, HttpClient
from connectors.jsonbody import decode_json, dump_raw
from connectors.records import Malformed, PageDone, Record

NAME = "ctdl"
DEFAULT_COMMUNITY = "ce-registry"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 200  # the Registry's cap
SUFFIXES = (".json", ".jsonld")


class ConfigError(ConnectorError):
    pass


def decode_list(body: bytes) -> list[Any]:
    doc = decode_json(body)
    if not isinstance(doc, list):
        raise BadPayload(f"expected a JSON array, got {type(doc).__name__}")
    return doc


def decode_envelope(body: bytes) -> dict[str, Any]:
    doc = decode_json(body)
    if not isinstance(doc, dict):
        raise BadPayload(f"expected an envelope object, got {type(doc).__name__}")
    return doc


def next_link(header: str | None) -> str | None:
    """The `rel="next"` URL of an RFC 8288 Link header."""
    for part in (header or "").split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params:
            return url.strip().strip("<>")
    return None


def resources(doc: Any) -> list[Any]:
    """The resources of a document: a graph's nodes, or the document itself."""
    if isinstance(doc, dict) and isinstance(doc.get("@graph"), list):
        return list(doc["@graph"])
    return [doc]


def _deleted_at(envelope: dict[str, Any]) -> datetime | None:
    raw = envelope.get("deleted_at") or (envelope.get("node_headers") or {}).get(
        "deleted_at"
    )
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError:
        return datetime.now(UTC)  # deleted, when unknown: still deleted
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _decoded(envelope: dict[str, Any]) -> Any:
    doc = envelope.get("decoded_resource")
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError as exc:
            raise MalformedResource("decoded_resource is not JSON") from exc
    if not isinstance(doc, dict):
        raise MalformedResource("envelope without a decoded_resource")
    return doc


class _Run:
    """Per-run state: the mapper, what was yielded, duplicates on this page."""

    def __init__(self, language: str, provider: str) -> None:
        self.mapper = CtdlMapper(language, provider)
        self.seen: set[str] = set()
        self.duplicates = 0
        self.looked_up: set[str] = set()  # CTIDs already fetched (or not found)

    def unknown_organisations(self, envelopes: list[Any]) -> list[str]:
        """CTIDs of owners and offerers these envelopes name but the run has
        not seen, each asked for once per run."""
        wanted: list[str] = []
        for envelope in envelopes:
            doc = (
                envelope.get("decoded_resource") if isinstance(envelope, dict) else None
            )
            for node in resources(doc) if isinstance(doc, dict) else ():
                if not isinstance(node, dict):
                    continue
                for key in ("ceterms:ownedBy", "ceterms:offeredBy"):
                    for ref in as_list(node.get(key)):
                        ctid = ctid_in(ref if isinstance(ref, str) else None)
                        if (
                            ctid
                            and ctid not in self.looked_up
                            and self.mapper.resolve(ref) is None
                            and ctid not in wanted
                        ):
                            wanted.append(ctid)
        return wanted

    def document(self, doc: Any, source_url: str | None) -> Iterator[Record]:
        nodes = resources(doc)
        for node in nodes:
            if isinstance(node, dict):
                self.mapper.index(node)
        for node in nodes:
            yield from self.resource(node, source_url)

    def resource(self, node: Any, source_url: str | None) -> Iterator[Record]:
        key = self.mapper.key_of(node) if isinstance(node, dict) else None
        if key and key in self.seen:
            self.duplicates += 1
            return
        try:
            records = self.mapper.records(node, source_url)
        except MalformedResource as exc:
            yield Malformed(
                reason=str(exc),
                raw=dump_raw(node)[:100_000],
                key=key,
                source_url=source_url,
            )
            return
        if key:
            self.seen.add(key)
        yield from records

    def envelope(self, envelope: Any, source_url: str | None) -> Iterator[Record]:
        if not isinstance(envelope, dict):
            yield Malformed(
                "envelope is not an object", json.dumps(envelope), None, source_url
            )
            return
        ctid = envelope.get("envelope_ceterms_ctid")
        try:
            doc = _decoded(envelope)
        except MalformedResource as exc:
            raw = dump_raw(envelope)[:100_000]
            yield Malformed(str(exc), raw, ctid, source_url)
            return
        deleted = _deleted_at(envelope)
        if deleted is None:
            yield from self.document(doc, source_url)
            return
        main = resources(doc)[0]
        ctid = ctid or (main.get("ceterms:ctid") if isinstance(main, dict) else None)
        if isinstance(main, dict) and ctid:
            self.mapper.index(main)
            withdrawal = self.mapper.withdrawal(main, str(ctid), deleted)
            if (
                withdrawal is not None
                and ("gone:" + withdrawal.external_id) not in self.seen
            ):
                self.seen.add("gone:" + withdrawal.external_id)
                yield withdrawal

    def page_meta(self) -> dict[str, Any]:
        meta = {"duplicates": self.duplicates} if self.duplicates else {}
        self.duplicates = 0
        return meta


class CtdlRegistryConnector:
    name = NAME
    # The envelope events are a change feed (deletions included); the files
    # form has none, so it stays a full walk every run.
    incremental = True

    def __init__(self, config: SourceConfig, http: HttpClient) -> None:
        assert config.base_url
        self.http = http
        self.base_url = config.base_url.rstrip("/")
        options = config.options
        self.community = str(options.get("community") or DEFAULT_COMMUNITY)
        self.per_page = min(
            int(options.get("per_page", DEFAULT_PER_PAGE)), MAX_PER_PAGE
        )
        self.language = str(options.get("language", "en"))
        self.provider = str(options.get("provider", NAME))
        key = config.secrets.get("api_key")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def _url(self, path: str, **params: str) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}/{quote(self.community)}{path}{query}"

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        run = _Run(self.language, self.provider)
        cursor = state.resume_cursor or ""
        listing, _, url = cursor.partition("|")
        if listing == "done":
            return
        incremental = not state.full and state.since is not None
        if incremental or listing == "events":
            since = state.since
            if since is not None and since.tzinfo is None:
                since = since.replace(tzinfo=UTC)  # the engine stores UTC
            after = since.astimezone(UTC).isoformat() if since else ""
            first = self._url(
                "/envelopes/events", after=after, page="1", per_page=str(self.per_page)
            )
            pages = self._events(run, url or first)
        else:
            first = self._url(
                "/envelopes",
                page="1",
                per_page=str(self.per_page),
                include_deleted="true",
            )
            pages = self._envelopes(run, url or first)
        async for record in pages:
            yield record

    async def _pages(
        self, url: str, what: str
    ) -> AsyncIterator[tuple[int, str, list[Any], str | None, int | None]]:
        number = 0
        while url:
            number += 1
            response = await self.http.get(
                url,
                headers=self.headers,
                decode=decode_list,
                what=f"{what} page {number}",
            )
            following = next_link(response.headers.get("Link"))
            following = urljoin(url, following) if following else None
            total = response.headers.get("Total") or response.headers.get("X-Total")
            yield (
                number,
                url,
                response.data,
                following,
                int(total) if total and total.isdigit() else None,
            )
            url = following or ""

    async def _envelopes(self, run: _Run, url: str) -> AsyncIterator[Record]:
        async for number, page_url, items, following, total in self._pages(
            url, "CTDL envelopes"
        ):
            await self._resolve(run, items)
            for envelope in items:
                for record in run.envelope(envelope, page_url):
                    yield record
            cursor = f"envelopes|{following}" if following else "done|"
            yield PageDone(number, cursor, total=total, meta=run.page_meta())

    async def _events(self, run: _Run, url: str) -> AsyncIterator[Record]:
        async for number, page_url, events, following, total in self._pages(
            url, "CTDL envelope events"
        ):
            # The last event of a resource on this page is the one that counts.
            latest: dict[str, dict[str, Any]] = {}
            for event in events:
                ctid = (
                    event.get("envelope_ceterms_ctid")
                    if isinstance(event, dict)
                    else None
                )
                if isinstance(ctid, str) and ctid:
                    latest.pop(ctid.lower(), None)
                    latest[ctid.lower()] = event
            fetched = []
            for ctid in latest:
                envelope = await self._envelope(ctid)
                if envelope is not None:
                    fetched.append(envelope)
            await self._resolve(run, fetched)
            for envelope in fetched:
                for record in run.envelope(envelope, page_url):
                    yield record
            cursor = f"events|{following}" if following else "done|"
            yield PageDone(number, cursor, total=total, meta=run.page_meta())

    async def _resolve(self, run: _Run, envelopes: list[Any]) -> None:
        """Fetch the organisations a page names before its own listing reaches
        them (or when a resumed run skipped the page that had them), so a
        course's institute and a programme's institution read the same
        whatever the order and wherever the run started."""
        for ctid in run.unknown_organisations(envelopes):
            run.looked_up.add(ctid)
            envelope = await self._envelope(ctid)
            if envelope is None:
                continue
            try:
                doc = _decoded(envelope)
            except MalformedResource:
                continue
            for node in resources(doc):
                if isinstance(node, dict):
                    run.mapper.index(node)

    async def _envelope(self, ctid: str) -> dict[str, Any] | None:
        url = self._url(f"/envelopes/{quote(ctid)}", include_deleted="true")
        try:
            response = await self.http.get(
                url,
                headers=self.headers,
                decode=decode_envelope,
                what=f"CTDL envelope {ctid}",
            )
        except FetchFailed as exc:
            if exc.status == 404:  # purged since the event: nothing left to say
                return None
            raise
        return response.data


class CtdlFileConnector:
    name = NAME
    incremental = False  # no change feed on disk: every run walks every file

    def __init__(self, config: SourceConfig) -> None:
        self.root = Path(str(config.options["path"]))
        options = config.options
        self.language = str(options.get("language", "en"))
        self.provider = str(options.get("provider", NAME))
        self.per_page = int(options.get("files_per_page", 50))

    def files(self) -> list[Path]:
        if self.root.is_file():
            return [self.root]
        if not self.root.is_dir():
            raise ConfigError(
                f"CTDL path {self.root} is neither a file nor a directory"
            )
        return sorted(
            p
            for p in self.root.rglob("*")
            if p.is_file() and p.suffix.lower() in SUFFIXES
        )

    def _name(self, path: Path) -> str:
        return (
            path.name if self.root.is_file() else path.relative_to(self.root).as_posix()
        )

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        run = _Run(self.language, self.provider)
        loaded: list[tuple[Path, Any, str | None]] = []
        for path in self.files():
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                error = None
            except (ValueError, UnicodeDecodeError) as exc:
                doc, error = (
                    None,
                    f"not a JSON document ({exc.__class__.__name__}: {exc})",
                )
            loaded.append((path, doc, error))
            for item in as_list(doc):
                inner = item.get("decoded_resource") if isinstance(item, dict) else None
                for node in resources(inner if isinstance(inner, dict) else item):
                    if isinstance(node, dict):
                        run.mapper.index(node)
        after = state.resume_cursor
        last = after
        pending = 0
        number = 0
        for path, doc, error in loaded:
            name = self._name(path)
            if after and name <= after:
                continue
            last = name
            source = path.resolve().as_uri()
            if error:
                raw = path.read_bytes()[:100_000].decode("utf-8", "replace")
                yield Malformed(error, raw, ctid_in(name), source)
            else:
                for item in as_list(doc):
                    if isinstance(item, dict) and "decoded_resource" in item:
                        records = run.envelope(item, source)
                    else:
                        records = run.document(item, source)
                    for record in records:
                        yield record
            pending += 1
            if pending == self.per_page:
                number += 1
                pending = 0
                yield PageDone(number, name, total=len(loaded), meta=run.page_meta())
        if pending or number == 0:
            # The last file as the cursor: resuming from it reads nothing more.
            yield PageDone(number + 1, last, total=len(loaded), meta=run.page_meta())


def build(
    config: SourceConfig, http: HttpClient
) -> CtdlRegistryConnector | CtdlFileConnector:
    if config.options.get("path"):
        return CtdlFileConnector(config)
    if not config.base_url:
        raise ConfigError(f"source {config.name!r}: ctdl needs a base URL or a path")
    return CtdlRegistryConnector(config, http)
