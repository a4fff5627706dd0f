"""Fixtures for sync engine tests: a migrated database, a simulator, a fast source.

The engine checks migrations before it writes, so these tests use the
`db_url` databases with the committed migrations applied (not the `db`
fixture's generated schema).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from app.db.connection import open_database
from app.db.migrate import apply_migrations
from connectors.base import SourceConfig
from connectors.simulator import SimConfig, Simulator
from tests.connectors.conftest import (  # noqa: F401  (shared fixtures)
    StartSimulator,
    start_simulator,
    swayam_sample,
)

# Retries in milliseconds: the same behaviour as production, a fast suite.
FAST_OPTIONS = {
    "page_size": 100,
    "timeout_s": 3.0,
    "attempts": 4,
    "backoff_base_s": 0.01,
    "backoff_max_s": 0.05,
    "retry_after_max_s": 0.05,
}


def source(sim: Simulator, **options: Any) -> SourceConfig:
    return SourceConfig("swayam", "swayam", sim.url, {**FAST_OPTIONS, **options})


async def sent_records(config: SourceConfig) -> list[Any]:
    """The records a connector yields for one complete pass, as it sends them."""
    from connectors import registry
    from connectors.base import SyncState

    async with registry.open_client(config) as http:
        connector = registry.build_connector(config, http)
        return [r async for r in connector.records(SyncState())]


@pytest.fixture
def migrated_url(db_url: str) -> str:
    asyncio.run(apply_migrations(db_url))
    return db_url


@pytest_asyncio.fixture
async def migrated(migrated_url: str) -> AsyncIterator[str]:
    """The migrated database, open in this test's context; yields its URL."""
    async with open_database(migrated_url):
        yield migrated_url


class SimulatorThread:
    """A simulator on its own event loop in a thread, for tests that drive
    `credgraph` subprocesses from synchronous code."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.sim: Simulator | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Simulator:
        self._thread.start()
        self.sim = Simulator(self.config)
        asyncio.run_coroutine_threadsafe(self.sim.start(), self.loop).result(60)
        return self.sim

    def __exit__(self, *exc_info: object) -> None:
        assert self.sim is not None
        asyncio.run_coroutine_threadsafe(self.sim.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture
def simulator_thread() -> Iterator[Callable[..., Simulator]]:
    threads: list[SimulatorThread] = []

    def start(**config: Any) -> Simulator:
        thread = SimulatorThread(SimConfig(**config))
        threads.append(thread)
        return thread.__enter__()

    yield start
    for thread in threads:
        thread.__exit__(None, None, None)
