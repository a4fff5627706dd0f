"""The Starlette application: /graphql, /healthz, /readyz.

Tortoise is registered with RegisterTortoise: a bare Tortoise.init in the
lifespan leaves request tasks without a context under uvicorn, and every
request fails (TECH-NOTES §2.2).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from app.graphql.schema import get_schema
from app.graphql.view import GraphQLView
from app.settings import Settings, get_settings, tortoise_config


async def healthz(request: Request) -> JSONResponse:
    """The process is up (no dependency checked)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database answers a query."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # any failure means "not ready", with the reason
        return JSONResponse(
            {"status": "unavailable", "database": type(exc).__name__}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "ok"})


def _cors(settings: Settings) -> list[Middleware]:
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    ]


def create_app(
    settings: Settings | None = None, *, register_db: bool = True
) -> Starlette:
    """The ASGI app. Tests that bring their own database pass register_db=False."""
    settings = settings or get_settings()
    graphql = GraphQLView(get_schema(), settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not register_db:
            yield
            return
        async with RegisterTortoise(
            app, config=tortoise_config(settings.database_url), generate_schemas=False
        ):
            # What is alive once started (schema, models, modules) lives as
            # long as the process: out of the collector's full passes, which
            # otherwise walk it all and stall every request in flight.
            gc.freeze()
            yield

    return Starlette(
        # Browsers only: named origins may call the API (preflight answered
        # here); with none configured the middleware is left out entirely.
        middleware=_cors(settings),
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            *graphql.ide_routes(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
        max_body_size=settings.limits.max_body_bytes,
    )
