"""Columns every ingested row carries: where it came from and when it changed."""

from tortoise import fields


class Provenance:
    """Mixin for rows a connector writes.

    "Last seen" is not stored per row: touching every unchanged row would cost
    as much as rewriting it; it is the provider's last complete SyncRun.
    """

    source = fields.CharField(max_length=64, null=True)  # connector source name
    source_url = fields.CharField(max_length=1024, null=True)
    content_hash = fields.CharField(max_length=64, null=True)
    # PostgreSQL: `json`, not `jsonb` (migration 0006): kept as received.
    raw_payload = fields.JSONField(null=True)
    first_seen = fields.DatetimeField(auto_now_add=True)
    last_changed = fields.DatetimeField(auto_now_add=True)
    withdrawn_at = fields.DatetimeField(null=True)
