"""SyncRun as GraphQL: a queued job or a run of the sync engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry
from strawberry import relay

from app.auth import Role
from app.db.models.sync import QuarantinedRecord
from app.db.models.sync import SyncRun as SyncRunModel
from app.graphql.errors import NotFound
from app.graphql.learners.permissions import Info, require_role

OPERATORS = (Role.PLATFORM_ADMIN, Role.CONNECTOR)

RUN_FIELDS = (
    "id",
    "source",
    "connector",
    "status",
    "full",
    "complete",
    "requested_by",
    "options",
    "queued_at",
    "started_at",
    "finished_at",
    "pages",
    "seen",
    "created",
    "updated",
    "unchanged",
    "withdrawn",
    "quarantined",
    "error",
    "worker",
)


@strawberry.enum(description="Where a sync is.")
class SyncStatus(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    LOCKED = "locked"
    CANCELLED = "cancelled"


def _status(value: str) -> SyncStatus:
    # a job claimed by a worker is "started" in the table (see app/jobs)
    return SyncStatus.RUNNING if value == "started" else SyncStatus(value)


@strawberry.type(description="A record a run could not take, and why.")
class QuarantinedItem:
    record_key: str | None
    reason: str
    created_at: datetime


@strawberry.type(
    description="A connector sync: a job queued by startSync or the schedule, "
    "or a run of the sync engine. Counts are of records seen and rows written."
)
class SyncRun(relay.Node):
    id: relay.NodeID[int]
    source: str
    connector: str
    status: SyncStatus
    full: bool
    complete: bool = strawberry.field(description="The run saw the whole source.")
    requested_by: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    pages: int
    seen: int
    created: int
    updated: int
    unchanged: int
    withdrawn: int
    quarantined: int
    error: str | None
    worker: str | None
    run_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        options = row["options"] or {}
        return cls(
            id=row["id"],
            source=row["source"],
            connector=row["connector"],
            status=_status(row["status"]),
            full=row["full"],
            complete=row["complete"],
            requested_by=row["requested_by"],
            queued_at=row["queued_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            pages=row["pages"],
            seen=row["seen"],
            created=row["created"],
            updated=row["updated"],
            unchanged=row["unchanged"],
            withdrawn=row["withdrawn"],
            quarantined=row["quarantined"],
            error=row["error"],
            worker=row["worker"],
            run_id=options.get("run"),
        )

    @strawberry.field(description="For a job: the sync engine's run that did it.")
    async def run(self, info: Info) -> SyncRun | None:
        if self.run_id is None:
            return None
        rows = await SyncRunModel.filter(id=self.run_id).values(*RUN_FIELDS)
        return SyncRun.from_row(rows[0]) if rows else None

    @strawberry.field(description="Records quarantined by this run (at most 100).")
    async def quarantine(self, info: Info) -> list[QuarantinedItem]:
        rows = (
            await QuarantinedRecord.filter(run_id=self.run_id or self.id)
            .order_by("id")
            .limit(100)
            .values("record_key", "reason", "created_at")
        )
        return [QuarantinedItem(**r) for r in rows]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        require_role(info, *OPERATORS)
        keys = [int(n) if n.isdigit() else -1 for n in node_ids]
        rows = {
            r["id"]: r
            for r in await SyncRunModel.filter(id__in=keys).values(*RUN_FIELDS)
        }
        found = [cls.from_row(rows[k]) if k in rows else None for k in keys]
        if required and any(f is None for f in found):
            raise NotFound("no such sync run")
        return found
