"""A row's raw payload is the provider's record as received: the same keys
in the same order, on either backend (PostgreSQL's jsonb would reorder)."""

from __future__ import annotations

import pytest
from tortoise import connections

from app.ingest import run_sync
from connectors.jsonbody import dump_raw
from connectors.keys import storage_key
from connectors.records import OfferingRecord
from tests.ingest.conftest import StartSimulator, sent_records, source


@pytest.mark.asyncio
async def test_raw_payloads_keep_the_providers_text(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=30, seed=11)
    config = source(sim)
    await run_sync(config)
    sent = {
        storage_key(r.external_id): dump_raw(r.raw)
        for r in await sent_records(config)
        if isinstance(r, OfferingRecord)
    }
    client = connections.get("default")
    _, rows = await client.execute_query(
        'SELECT "external_id", "raw_payload" FROM "offering"'
    )
    stored = {row["external_id"]: row["raw_payload"] for row in rows}
    assert len(stored) == 30
    assert stored == sent
