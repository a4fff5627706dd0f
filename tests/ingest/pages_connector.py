"""A connector whose pages a test sets (`PAGES`, a list of record lists):
for engine behaviour that depends on what lands on which page."""

from __future__ import annotations

from collections.abc import AsyncIterator

from connectors.base import SourceConfig, SyncState
from connectors.http import HttpClient
from connectors.records import PageDone, Record

PAGES: list[list[Record]] = []


class SetPages:
    def __init__(self, config: SourceConfig) -> None:
        self.config = config

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        for number, page in enumerate(PAGES, start=1):
            for record in page:
                yield record
            yield PageDone(number, cursor=str(number), total=len(PAGES))


def build(config: SourceConfig, http: HttpClient) -> SetPages:
    return SetPages(config)
