"""Connector runs, what they could not take, their locks and queued jobs."""

from tortoise import fields
from tortoise.models import Model

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "locked", "cancelled")


class SyncRun(Model):
    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=64, db_index=True)  # source name
    connector = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16, default="running")
    full = fields.BooleanField(default=True)
    complete = fields.BooleanField(default=False)  # saw the whole source
    requested_by = fields.CharField(max_length=128, null=True)
    options = fields.JSONField(default=dict)
    queued_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True)
    pages = fields.IntField(default=0)
    seen = fields.IntField(default=0)
    created = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    unchanged = fields.IntField(default=0)
    withdrawn = fields.IntField(default=0)
    quarantined = fields.IntField(default=0)
    error = fields.TextField(null=True)
    # Resume point: the cursor of the last committed page, and the
    # conditional-GET validators a successful run leaves for the next one.
    cursor = fields.CharField(max_length=1024, null=True)
    validators = fields.JSONField(default=dict)
    worker = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "sync_run"
        indexes = (("source", "status"),)


class QuarantinedRecord(Model):
    id = fields.IntField(primary_key=True)
    run = fields.ForeignKeyField(
        "credgraph.SyncRun", related_name="quarantine", on_delete=fields.CASCADE
    )
    source = fields.CharField(max_length=64, db_index=True)
    record_key = fields.CharField(max_length=255, null=True)
    reason = fields.TextField()
    raw_text = fields.TextField()
    source_url = fields.CharField(max_length=1024, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "quarantined_record"


class SyncLock(Model):
    """A per-source lease on SQLite (PostgreSQL uses an advisory lock): a run
    holds it while its heartbeat is fresh; a stale one is taken over."""

    source = fields.CharField(max_length=64, primary_key=True)
    owner = fields.CharField(max_length=128)
    run_id = fields.IntField(null=True)
    acquired_at = fields.DatetimeField()
    heartbeat_at = fields.DatetimeField()

    class Meta:
        table = "sync_lock"


class CatalogueGeneration(Model):
    """One row whose counter rises whenever a sync changes catalogue data, so
    every API worker can drop its response cache by checking one integer."""

    id = fields.IntField(primary_key=True)
    generation = fields.BigIntField(default=0)
    changed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "catalogue_generation"


class SyncPage(Model):
    """One committed page of a run: its cursor and the rows it saw.

    A run killed half-way is resumed from its last cursor by a new run; to
    decide withdrawals at the end of that pass, the new run needs what the
    earlier pages saw. One row per page (ids as JSON) costs one small write
    per page, where a per-row "seen" mark would cost a write per record.
    Deleted once the pass they belong to has succeeded.
    """

    id = fields.IntField(primary_key=True)
    run = fields.ForeignKeyField(
        "credgraph.SyncRun", related_name="committed_pages", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    cursor = fields.CharField(max_length=1024, null=True)
    course_ids = fields.JSONField(default=list)
    offering_ids = fields.JSONField(default=list)
    committed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sync_page"
        unique_together = (("run", "number"),)
