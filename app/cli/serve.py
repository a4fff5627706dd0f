"""`credgraph serve`, `demo` and `export-schema`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from app.settings import get_settings

EXAMPLE_QUERY = (
    "{ courses(first: 5) { edges { node { title credits provider { name } } } } }"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="serve the GraphQL API",
        description="Serve /graphql (GraphiQL outside production), /healthz and "
        "/readyz on the database named by DATABASE_URL.",
    )
    _add_address(serve)
    serve.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes"
    )
    serve.set_defaults(func=_serve)

    demo = subparsers.add_parser(
        "demo",
        help="migrate, load the demo graph and serve it",
        description="Apply migrations, load the built-in demo data set (safe to run "
        "again: nothing is duplicated) and serve it with GraphiQL.",
    )
    _add_address(demo)
    demo.add_argument(
        "--no-serve", action="store_true", help="load the demo data and exit"
    )
    demo.set_defaults(func=_demo)

    export = subparsers.add_parser(
        "export-schema",
        help="print the GraphQL schema (SDL)",
        description="Print the schema as SDL, as committed in schema.graphql.",
    )
    export.add_argument("--output", type=Path, help="write to this file instead")
    export.set_defaults(func=_export_schema)


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument(
        "--port", type=int, default=None, help="port (default: $PORT or 8000)"
    )


def _run_server(args: argparse.Namespace) -> None:
    from app.cli._server import run_server

    run_server(args.host, args.port or get_settings().port, getattr(args, "workers", 1))


def _serve(args: argparse.Namespace) -> int:
    _run_server(args)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from app.db.connection import open_database
    from app.db.migrate import apply_migrations
    from app.demo.seed import seed_demo

    settings = get_settings()

    async def load() -> dict[str, int]:
        await apply_migrations(settings.database_url)
        async with open_database(settings.database_url):
            return await seed_demo()

    counts = asyncio.run(load())
    print(f"demo graph loaded into {settings.database_url}: {counts}")
    if args.no_serve:
        return 0
    port = args.port or settings.port
    url = f"http://{args.host}:{port}/graphql"
    print(f"\nGraphQL API and GraphiQL: {url}")
    print("Try:")
    print(f"  curl -s {url} -H 'content-type: application/json' \\")
    print(f'    -d \'{{"query": "{EXAMPLE_QUERY}"}}\'\n', flush=True)
    _run_server(args)
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from app.graphql.sdl import schema_sdl

    text = schema_sdl()
    if args.output:
        args.output.write_text(text)
    else:
        print(text, end="")
    return 0
