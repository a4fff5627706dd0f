"""The demo's catalogues, loaded the way production loads them.

`credgraph demo` starts the provider simulator on a free loopback port with
generated data and runs the real connectors and sync engine against it
(app/demo/sources.py names them), so the demo exercises the same path as
`credgraph sync <name>`. Run twice, each sync finds every record unchanged:
nothing is duplicated. A source that fails is reported and skipped, so one
broken connector does not take the rest of the demo down with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.db.models.catalogue import Course
from app.demo.sources import demo_sources
from app.ingest import SyncOutcome, run_sync
from connectors.simulator import SimConfig, Simulator

log = logging.getLogger(__name__)

# Generated courses per format: a few dozen each (the NPTEL list carries only
# the NPTEL share of them), loaded in well under a second.
DEMO_COURSES = 50
DEMO_SEED = 2026  # fixed: every demo database holds the same catalogue


@dataclass(frozen=True)
class SourceLoad:
    """One source's sync, and how many live courses it holds afterwards."""

    outcome: SyncOutcome
    courses: int

    @property
    def name(self) -> str:
        return self.outcome.source

    def summary(self) -> str:
        o = self.outcome
        if o.status != "succeeded":
            return f"  {self.name:<9} not loaded: {o.status} ({o.error})"
        return (
            f"  {self.name:<9} {self.courses:>3} courses ({o.courses.created} new, "
            f"{o.courses.unchanged} unchanged, {o.elapsed_s:.2f} s)"
        )


async def load_demo_catalogue(courses: int = DEMO_COURSES) -> list[SourceLoad]:
    """Serve `courses` generated courses per format on loopback and sync each."""
    outcomes: list[SyncOutcome] = []
    async with Simulator(SimConfig(courses=courses, seed=DEMO_SEED)) as sim:
        for config in demo_sources(sim.url):
            outcome = await run_sync(config)
            if outcome.status != "succeeded":
                log.warning("demo %s not loaded: %s", config.name, outcome.error)
            outcomes.append(outcome)
    return [
        SourceLoad(o, await Course.filter(source=o.source, withdrawn=False).count())
        for o in outcomes
    ]
