"""What a connector is, as the sync engine sees it.

A connector is configured once (`SourceConfig`), then asked for an async
iterator of records for one run (`SyncState` says where to start). It does
only network and parsing; it never touches the database. After each page it
yields `PageDone` with a cursor, so the engine can commit that page and store
the resume point; a run that dies resumes from the last stored cursor.

The engine's side, in full:

    async with HttpClient(HttpPolicy.from_options(config.options)) as http:
        connector = registry.build_connector(config, http)
        async for record in connector.records(state):
            ...  # upsert; on PageDone commit and store record.cursor

`PageDone.meta` may carry:
- `VALIDATORS`: {url: validator} to keep for the next run's
  `SyncState.validators` (store them only when the run succeeds; a `--full`
  run passes none, so it always fetches everything);
- `NOT_MODIFIED`: True when a conditional GET said the whole source is
  unchanged; nothing else was yielded, and the run decides no withdrawals;
- `"duplicates"`: how many repeated records the page held (skipped).

`SyncState.known` is the engine's lookup of stored offerings by key. A
connector that can fingerprint a payload before parsing it (SWAYAM) may ask
it once a page and yield `Unchanged` for what is stored from the same
fingerprint; every other connector ignores it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from connectors.records import Record

# Keys of `PageDone.meta` (see the module docstring).
VALIDATORS = "validators"
NOT_MODIFIED = "not_modified"


@dataclass(frozen=True)
class SourceConfig:
    """One source of `connectors.toml` (or of the CLI's flags)."""

    name: str  # the source's name, e.g. "swayam" or "edx-mitx"
    connector: str  # the registry key of the connector module
    base_url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    # Secrets are resolved from environment variables by the caller; the
    # file only names the variables.
    secrets: Mapping[str, str] = field(default_factory=dict)


class Known(NamedTuple):
    """An offering as stored, for a connector that can tell an unchanged
    payload without parsing it: the `fingerprint` its row was last confirmed
    from, its course's key as stored, and the engine's `ref` to hand back in
    `Unchanged`. (A tuple: one is built per stored offering of a page.)"""

    fingerprint: int
    course_key: str
    ref: Any


# (provider slug, offering key as stored) -> what is stored; only current
# rows (neither the offering nor its course withdrawn) are reported.
KnownLookup = Callable[
    [Sequence[tuple[str, str]]], Awaitable[Mapping[tuple[str, str], Known]]
]


@dataclass(frozen=True)
class SyncState:
    """Where a run starts."""

    full: bool = True  # a complete pass (withdrawals are decided only on these)
    resume_cursor: str | None = None  # the last committed page's cursor
    since: datetime | None = None  # last successful run start (incremental feeds)
    # Conditional-GET validators from the last successful run: url -> etag or
    # last-modified, so an unchanged source costs one 304.
    validators: Mapping[str, str] = field(default_factory=dict)
    # The engine's lookup of stored offerings, for connectors that skip
    # unchanged payloads (SWAYAM); others ignore it.
    known: KnownLookup | None = None


class Connector(Protocol):
    name: str

    def records(self, state: SyncState) -> AsyncIterator[Record]: ...


class ConnectorError(Exception):
    """The source failed in a way that ends the run (after retries)."""
