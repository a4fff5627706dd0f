"""Opening the database outside the web app (CLI commands, workers, tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.context import TortoiseContext

from app.settings import tortoise_config


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[TortoiseContext]:
    """An initialised Tortoise context for one command's lifetime."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        try:
            yield ctx
        finally:
            await ctx.close_connections()
