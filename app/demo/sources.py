"""The demo's sources: five connectors pointed at one in-process simulator.

Each source is named like the real one (`swayam`, `nptel`, `edx`,
`coursera`, `ctdl`), so a later real sync of that name withdraws the
simulated courses, as it should. Every format renders the same generated
catalogue (one seed), which is what gives the demo its equivalence groups:
the NPTEL list repeats SWAYAM's NPTEL runs (matched by run identifier), and
edX, Coursera and CTDL describe the same courses under the same title,
institution and (no) coordinator (matched by title).
"""

from __future__ import annotations

from connectors.base import SourceConfig
from connectors.simulator import coursera, ctdl, edx, nptel

# Small pages so the demo walks the paging code like a real catalogue does.
PAGE_SIZE = 25


def demo_sources(sim_url: str) -> list[SourceConfig]:
    """The sources the demo syncs, in load order, all against `sim_url`."""
    return [
        # The simulator's SWAYAM module has no source_config helper.
        SourceConfig("swayam", "swayam", sim_url, {"page_size": PAGE_SIZE}),
        # CSV, not XLSX: the same rows without building a workbook each run.
        nptel.source_config(sim_url, kind="csv"),
        edx.source_config(sim_url, page_size=PAGE_SIZE),
        coursera.source_config(sim_url, limit=PAGE_SIZE),
        ctdl.source_config(sim_url),
    ]
