"""Connector jobs: syncs queued in the database and run by `credgraph worker`.

The API never runs a sync inside a request: it queues a SyncRun row with
status "queued". A worker claims it atomically (one UPDATE ... WHERE
status = 'queued', so two workers never take the same job), runs it through
the sync engine (app/ingest, whose per-source lease keeps two runs of one
source apart), and writes the outcome back on the job row.

A claimed job's status is "started", not "running": the sync engine marks
every "running" row of a source as an interrupted run when it takes the
source's lock, and it creates its own "running" row for the run itself.
The job row points at that row (options.run).
"""
