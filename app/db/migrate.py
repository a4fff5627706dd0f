"""Applying the committed migrations, and telling whether any are pending."""

from __future__ import annotations

from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as migrate_api
from tortoise.migrations.executor import MigrationExecutor

from app.settings import tortoise_config

APP_LABEL = "credgraph"


class NotMigratedError(Exception):
    """The database lacks migrations the code needs."""

    def __init__(self, pending: list[str]) -> None:
        self.pending = pending
        super().__init__(
            f"the database is not migrated ({len(pending)} pending: "
            f"{', '.join(pending)}); run `credgraph migrate` first"
        )


async def apply_migrations(database_url: str) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    config = tortoise_config(database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        try:
            await migrate_api(config=config, progress=progress)
        finally:
            await ctx.close_connections()
    return applied


async def pending_migrations() -> list[str]:
    """Migrations not yet applied to the current context's database."""
    executor = MigrationExecutor(
        get_connection("default"),
        {APP_LABEL: tortoise_config("sqlite://:memory:")["apps"][APP_LABEL]},
    )
    steps = await executor.plan(None)
    return [
        f"{step.migration.app_label}.{step.migration.name}"
        for step in steps
        if not step.backward
    ]


async def ensure_migrated() -> None:
    """Raise NotMigratedError naming `credgraph migrate` when anything is pending."""
    pending = await pending_migrations()
    if pending:
        raise NotMigratedError(pending)
