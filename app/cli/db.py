"""`credgraph migrate`: bring the database named by DATABASE_URL up to date."""

from __future__ import annotations

import argparse
import asyncio

from app.db.migrate import apply_migrations
from app.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="apply the committed database migrations",
        description="Apply every pending migration to the database named by "
        "DATABASE_URL (default: the embedded SQLite file ./data/credgraph.db). "
        "Safe to run again: applied migrations are skipped.",
    )
    parser.set_defaults(func=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    settings = get_settings()
    applied = asyncio.run(apply_migrations(settings.database_url))
    if applied:
        for name in applied:
            print(f"applied {name}")
    else:
        print("database is up to date")
    return 0
