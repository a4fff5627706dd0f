"""The registry: the sync engine's one way from a source's config to a connector."""

from __future__ import annotations

import pytest

from connectors.base import SourceConfig, SyncState
from connectors.records import OfferingRecord
from connectors.registry import UnknownConnector, build_connector, names, open_client
from tests.connectors.conftest import StartSimulator


@pytest.mark.asyncio
async def test_a_configured_source_runs_through_the_registry(
    start_simulator: StartSimulator,
) -> None:
    sim = await start_simulator(courses=120)
    config = SourceConfig(
        "swayam-test", "swayam", sim.url, {"page_size": 50, "rate_per_s": 1000}
    )
    async with open_client(config) as http:
        assert http.policy.rate_per_s == 1000
        connector = build_connector(config, http)
        records = [r async for r in connector.records(SyncState())]
    assert connector.name == "swayam"
    assert sum(isinstance(r, OfferingRecord) for r in records) == 120
    assert sim.state.hits["swayam"] == 3


@pytest.mark.asyncio
async def test_an_unknown_connector_is_named_in_the_error() -> None:
    config = SourceConfig("mystery", "nosuch")
    async with open_client(config) as http:
        with pytest.raises(UnknownConnector, match="nosuch.*swayam"):
            build_connector(config, http)
    assert "swayam" in names()
