"""Turning connector records into rows: the sync engine.

`runner.run_sync` drives one run of one source: it takes the source's lock
(`locks`), opens a `SyncRun` (`runs`), iterates the connector's records page
by page (`page`) and writes each page in short transactions (`backend`,
`upsert`, `quarantine`, `withdrawal`, `pathways`) together with the run's
resume cursor and page log. A run that dies leaves every committed page and
its cursor behind; the next run resumes there. `hooks` is where work that
needs the new rows (equivalence across providers) plugs in; `sources` reads
the connectors file; `progress` reports.
"""

from app.ingest.runner import SyncOutcome, run_sync

__all__ = ["SyncOutcome", "run_sync"]
