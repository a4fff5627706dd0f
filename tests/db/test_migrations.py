"""The committed migrations build the database the models describe."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from app.db.connection import open_database
from app.db.migrate import NotMigratedError, apply_migrations, ensure_migrated
from app.db.models.catalogue import Provider
from app.settings import tortoise_config


@pytest.mark.asyncio
async def test_models_need_no_new_migration() -> None:
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
        await ctx.close_connections()
    assert not writers, (
        "models changed without a migration: "
        f"{[f'{w.app_label}.{w.name}' for w in writers]}; run "
        "`.venv/bin/tortoise makemigrations` and commit app/db/migrations/"
    )


def test_migrations_apply_once_and_then_are_up_to_date(db_url: str) -> None:
    async def scenario() -> None:
        async with open_database(db_url):
            with pytest.raises(NotMigratedError, match="credgraph migrate"):
                await ensure_migrated()
        first = await apply_migrations(db_url)
        assert first, "nothing was applied to an empty database"
        assert await apply_migrations(db_url) == []
        async with open_database(db_url):
            await ensure_migrated()
            await Provider.create(slug="nptel", name="NPTEL")
            assert await Provider.all().count() == 1

    asyncio.run(scenario())
