"""Root fields of connector jobs: platform admins and the connector role."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.db.models.sync import SyncRun as SyncRunModel
from app.graphql.connection import to_connection
from app.graphql.jobs.types import OPERATORS, RUN_FIELDS, SyncRun, SyncStatus
from app.graphql.learners.mutations.payloads import UserError
from app.graphql.learners.permissions import Info, require_role
from app.graphql.pagination import SortKey, keyset_page, validate_first
from app.jobs.queue import UnknownSource, connector_of, enqueue


@strawberry.type
class JobsQuery:
    @strawberry.field(description="One sync run or job by its global ID.")
    async def sync_run(self, info: Info, id: relay.GlobalID) -> SyncRun:
        require_role(info, *OPERATORS)
        node_id = id.node_id if id.type_name == "SyncRun" else "-"
        (run,) = await SyncRun.resolve_nodes(
            info=info, node_ids=[node_id], required=True
        )
        return run  # type: ignore[return-value]

    @strawberry.field(description="Sync runs and jobs, newest first.")
    async def sync_runs(
        self,
        info: Info,
        source: str | None = None,
        status: SyncStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[SyncRun]:
        require_role(info, *OPERATORS)
        query = SyncRunModel.all()
        if source:
            query = query.filter(source=source)
        if status is SyncStatus.RUNNING:
            query = query.filter(status__in=("running", "started"))
        elif status is not None:
            query = query.filter(status=status.value)
        page = await keyset_page(
            query,
            [SortKey("id", descending=True)],
            first=validate_first(first, info.context.settings.limits.max_first),
            after=after,
            fields=RUN_FIELDS,
        )
        return to_connection(page, SyncRun.from_row)


@strawberry.type
class StartSyncPayload:
    run: SyncRun | None
    user_errors: list[UserError]


@strawberry.type
class JobsMutation:
    @strawberry.mutation(
        description="Queue a sync of a source (a name of CREDGRAPH_CONNECTORS_FILE "
        "or a connector) for `credgraph worker`; a source already waiting is not "
        "queued twice. Platform admins and the connector role."
    )
    async def start_sync(
        self, info: Info, source: str, full: bool = False
    ) -> StartSyncPayload:
        caller = require_role(info, *OPERATORS)
        try:
            connector = connector_of(source, info.context.settings.connectors_file)
        except UnknownSource as exc:
            return StartSyncPayload(
                run=None, user_errors=[UserError.bad("source", str(exc))]
            )
        job = await enqueue(source, connector, caller.label, full=full)
        rows = await SyncRunModel.filter(id=job.id).values(*RUN_FIELDS)
        return StartSyncPayload(run=SyncRun.from_row(rows[0]), user_errors=[])
