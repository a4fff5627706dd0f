"""The public response cache: whole responses to anonymous catalogue queries,
in process, keyed by document, variables, operation name and media type.

Entries belong to a catalogue generation (CatalogueGeneration, which the
ingest engine bumps whenever a sync changes data); a worker reads that one
integer at most every `generation_ttl` seconds and drops its entries when it
moved, so several workers agree within that interval without talking to each
other. Learner data is never stored: a request with an Authorization header
is never looked up nor stored, and neither are mutations or responses with
errors.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

from app.db.generation import read_generation

# How stale a worker's view of the generation may be, in seconds: one indexed
# read per second per worker instead of one per request.
GENERATION_TTL = 1.0
MAX_ENTRIES = 2048
# Bodies larger than this are served but not kept (a 100-course page with
# every field is about 100 kB).
MAX_BODY_BYTES = 512 * 1024


@dataclass(frozen=True)
class Entry:
    body: bytes
    media_type: str
    etag: str


def cache_key(
    query: str, variables: Any, operation_name: str | None, media_type: str
) -> str:
    raw = json.dumps(
        [query, variables or {}, operation_name, media_type],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def etag_of(body: bytes) -> str:
    """A strong ETag from the body itself, so every worker gives the same one."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@lru_cache(maxsize=512)
def is_query(document: str, operation_name: str | None) -> bool:
    """The operation that would run is a query (not a mutation or a
    subscription). Unparsable documents are not cached: they are errors."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return False
    operations = [
        d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if operation_name is not None:
        operations = [
            o for o in operations if o.name and o.name.value == operation_name
        ]
    return len(operations) == 1 and operations[0].operation is OperationType.QUERY


class ResponseCache:
    def __init__(
        self, *, generation_ttl: float | None = None, max_entries: int = MAX_ENTRIES
    ) -> None:
        self.generation_ttl = (
            GENERATION_TTL if generation_ttl is None else generation_ttl
        )
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._generation: int | None = None
        self._checked_at = float("-inf")

    async def _current_generation(self) -> int:
        now = time.monotonic()
        if now - self._checked_at >= self.generation_ttl:
            generation = await read_generation()
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            self._checked_at = now
        assert self._generation is not None
        return self._generation

    async def get(self, key: str) -> tuple[Entry | None, int]:
        """The entry for a key, and the generation to store a fresh one under."""
        generation = await self._current_generation()
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry, generation

    def put(self, key: str, body: bytes, media_type: str, generation: int) -> Entry:
        entry = Entry(body, media_type, etag_of(body))
        # a response computed under an older generation is served, not kept
        if len(body) <= MAX_BODY_BYTES and generation == self._generation:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        """Drop this worker's entries (after a mutation it ran itself)."""
        self._entries.clear()
