"""The demo's SWAYAM catalogue, loaded the way production loads it.

`credgraph demo` starts the provider simulator on a free loopback port with
generated data and runs the real SWAYAM connector and sync engine against it,
so the demo exercises the same path as `credgraph sync swayam`. The source
is named `swayam`, like the real one: a later real sync withdraws these
simulated courses, as it should. Run twice, the second sync is a conditional
GET answered 304: nothing is written, nothing duplicated.
"""

from __future__ import annotations

import logging

from app.ingest import SyncOutcome, run_sync
from connectors.base import SourceConfig
from connectors.simulator import SimConfig, Simulator

log = logging.getLogger(__name__)

DEMO_COURSES = 50
DEMO_SEED = 2026  # fixed: every demo database holds the same catalogue


async def load_demo_catalogue(courses: int = DEMO_COURSES) -> SyncOutcome:
    """Serve `courses` generated SWAYAM courses on loopback and sync them."""
    async with Simulator(SimConfig(courses=courses, seed=DEMO_SEED)) as sim:
        config = SourceConfig(
            name="swayam",
            connector="swayam",
            base_url=sim.url,
            options={"page_size": 25},
        )
        outcome = await run_sync(config)
    if outcome.status != "succeeded":
        log.warning("demo SWAYAM catalogue not loaded: %s", outcome.error)
    return outcome
