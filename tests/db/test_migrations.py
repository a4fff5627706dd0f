"""The committed migrations build the database the models describe."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from app.db.connection import open_database
from app.db.migrate import NotMigratedError, apply_migrations, ensure_migrated
from app.db.models.catalogue import Course, Offering, Provider
from app.settings import tortoise_config
from tests.factories import make_course, make_offering, make_provider


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


def test_deleting_a_provider_takes_its_courses_and_offerings(db_url: str) -> None:
    """On the migrated schema (PostgreSQL has no offering -> provider key
    since 0008): the cascade runs through the courses."""

    async def scenario() -> None:
        await apply_migrations(db_url)
        async with open_database(db_url):
            nptel, cec = await make_provider("nptel"), await make_provider("cec")
            for provider in (nptel, cec):
                course = await make_course(provider, "noc20_ma39", "Calculus")
                await make_offering(course, "noc20_ma39", date(2026, 1, 5))
            await nptel.delete()
            assert await Course.all().values_list("provider__slug", flat=True) == [
                "cec"
            ]
            assert await Offering.all().values_list("provider__slug", flat=True) == [
                "cec"
            ]

    asyncio.run(scenario())
