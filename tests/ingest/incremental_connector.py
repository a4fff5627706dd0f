"""A SWAYAM connector that says it has a change feed, for engine tests: it
records the `SyncState` each run gets, and when asked for changes since a
time it yields only the first page (as a feed of recent changes would)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from connectors.base import SourceConfig, SyncState
from connectors.http import HttpClient
from connectors.records import PageDone, Record
from connectors.swayam import SwayamConnector

STATES: list[SyncState] = []


class IncrementalSwayam(SwayamConnector):
    incremental = True

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        STATES.append(state)
        async for record in super().records(state):
            yield record
            if isinstance(record, PageDone) and not state.full:
                return


def build(config: SourceConfig, http: HttpClient) -> IncrementalSwayam:
    return IncrementalSwayam(config, http)
