"""Fixtures for connector tests: a simulator on a free loopback port, fast clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from connectors.base import SourceConfig, SyncState
from connectors.http import HttpClient, HttpPolicy
from connectors.records import Record
from connectors.simulator import SimConfig, Simulator
from connectors.swayam import SwayamConnector

# Retries in milliseconds, not seconds: the behaviour is the same, the suite fast.
FAST = HttpPolicy(timeout_s=2.0, attempts=4, backoff_base_s=0.01, backoff_max_s=0.05)

ROOT = Path(__file__).resolve().parents[2]

StartSimulator = Callable[..., Awaitable[Simulator]]


@pytest.fixture
def swayam_sample(shared_samples: Path) -> Path:
    path = shared_samples / "swayam" / "sih2020_swayam_courseList_edges_2020.json"
    if not path.is_file():
        pytest.skip(f"SWAYAM sample not found at {path}")
    return path


@pytest_asyncio.fixture
async def start_simulator() -> AsyncIterator[StartSimulator]:
    """`await start_simulator(courses=10, faults=...)`: a running simulator."""
    started: list[Simulator] = []

    async def start(**config: Any) -> Simulator:
        sim = Simulator(SimConfig(**config))
        await sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        await sim.stop()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient(FAST) as client:
        yield client


def run(
    sim: Simulator | str,
    http: HttpClient,
    state: SyncState | None = None,
    page_size: int = 100,
) -> AsyncIterator[Record]:
    """One SWAYAM run against `sim` (or a URL), as the sync engine would drive it."""
    url = sim if isinstance(sim, str) else sim.url
    config = SourceConfig("swayam", "swayam", url, {"page_size": page_size})
    return SwayamConnector(config, http).records(state or SyncState())


async def collect(
    sim: Simulator | str,
    http: HttpClient,
    state: SyncState | None = None,
    page_size: int = 100,
) -> list[Record]:
    """Every record one SWAYAM run yields against `sim`."""
    return [record async for record in run(sim, http, state, page_size)]


def of_type(records: list[Record], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]
