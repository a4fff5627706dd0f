"""`credgraph worker`: run queued connector jobs and the sources' schedule."""

from __future__ import annotations

import argparse
import asyncio

from app.cli import UsageError
from app.db.connection import open_database
from app.jobs.schedule import ScheduleError
from app.jobs.worker import work
from app.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run queued connector syncs and the schedule",
        description="Claim syncs queued through the API (startSync) and queue the "
        "sources of CREDGRAPH_CONNECTORS_FILE whose `every` interval is due, then "
        "run them one at a time. Run several workers for more throughput: a job "
        "is claimed by exactly one, and a source never runs twice at once.",
    )
    parser.add_argument(
        "--once", action="store_true", help="exit when the queue is empty"
    )
    parser.add_argument(
        "--poll", type=float, default=5.0, help="seconds between queue polls (5)"
    )
    parser.set_defaults(func=_worker)


def _worker(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def main() -> int:
        async with open_database(settings.database_url):
            return await work(
                settings.connectors_file, once=args.once, poll_s=args.poll
            )

    try:
        ran = asyncio.run(main())
    except ScheduleError as exc:
        raise UsageError(str(exc)) from exc
    print(f"ran {ran} job(s)")
    return 0
