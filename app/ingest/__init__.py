"""Turning connector records into rows: the sync engine.

`runner.run_sync` drives one run of one source: it takes the source's lock,
opens a `SyncRun`, iterates the connector's records page by page and hands
each page to the writer (`upsert.PageWriter`), which upserts it in one short
transaction together with the run's resume cursor. A run that dies leaves
every committed page and its cursor behind; the next run resumes there.
"""

from app.ingest.runner import SyncOutcome, run_sync

__all__ = ["SyncOutcome", "run_sync"]
