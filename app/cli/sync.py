"""`credgraph sync`, `sync-runs` and `quarantine`: run connectors, read their history.

Exit status of `sync`: 0 the run succeeded (quarantined records included),
1 it failed, 3 another run of the same source holds the lock, 2 a usage or
configuration error (an unmigrated database included). `sync --all`: 1 if
any source failed, else 3 if any was locked, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from app.cli import UsageError, sync_flags
from app.settings import get_settings

EXIT_FAILED = 1
EXIT_LOCKED = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    sync = subparsers.add_parser(
        "sync",
        help="pull a provider catalogue into the database",
        description="Run one source's connector (or every source of "
        "CREDGRAPH_CONNECTORS_FILE with --all) into the database named by "
        "DATABASE_URL. Incremental where the source allows (conditional GET); "
        "a run that died is resumed from its last committed page.",
    )
    sync.add_argument("source", nargs="?", help="source name, e.g. swayam")
    sync.add_argument(
        "--all", action="store_true", help="every source of the connectors file"
    )
    sync.add_argument(
        "--base-url",
        help="origin the connector talks to (default: the provider's endpoint)",
    )
    sync.add_argument(
        "--full",
        action="store_true",
        help="a complete run: no resume, no conditional GET",
    )
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    sync_flags.add_arguments(sync)
    sync.set_defaults(func=_sync)

    history = subparsers.add_parser(
        "sync-runs",
        help="list past sync runs with their counts and errors",
        description="List sync runs, newest first.",
    )
    history.add_argument("--connector", help="only runs of this connector or source")
    history.add_argument("--limit", type=int, default=20, help="how many (20)")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(func=_sync_runs)

    quarantine = subparsers.add_parser(
        "quarantine",
        help="show the records a sync run could not take",
        description="Records a run quarantined, with the reason and raw text "
        "(default: the latest run that quarantined any).",
    )
    quarantine.add_argument("--run", type=int, help="sync run id")
    quarantine.add_argument("--json", action="store_true", help="print JSON")
    quarantine.set_defaults(func=_quarantine)


def _with_database(work: Callable[[], Awaitable[int]]) -> int:
    """Run `work` on the configured database; an unmigrated one is exit 2."""
    from app.db.connection import open_database
    from app.db.migrate import NotMigratedError, ensure_migrated

    async def main() -> int:
        async with open_database(get_settings().database_url):
            await ensure_migrated()
            return await work()

    try:
        return asyncio.run(main())
    except NotMigratedError as exc:
        raise UsageError(str(exc)) from exc


# -- sync ---------------------------------------------------------------------


def _sync(args: argparse.Namespace) -> int:
    from app.ingest.sources import SourcesError, find_source, load_sources

    settings = get_settings()
    if args.all == bool(args.source):
        raise UsageError("name one source, or --all")
    if args.all and args.base_url:
        raise UsageError("--base-url names one source's origin; not with --all")
    if args.all and sync_flags.given(args):
        raise UsageError(
            f"{', '.join(sync_flags.given(args))}: one source's, not --all"
        )
    try:
        if args.all:
            configs = load_sources(settings.connectors_file, os.environ)
        else:
            config = find_source(
                args.source, settings.connectors_file, os.environ, args.base_url
            )
            configs = [sync_flags.apply(config, args, os.environ)]
    except SourcesError as exc:
        raise UsageError(str(exc)) from exc

    async def work() -> int:
        from app.ingest import hooks, run_sync
        from app.ingest.progress import for_terminal

        # Courses a run changed are re-matched across providers afterwards.
        hooks.install_defaults()
        outcomes = []
        for config in configs:
            outcome = await run_sync(
                config, full=args.full, progress=for_terminal(config.name)
            )
            outcomes.append(outcome)
            if not args.json:
                print(_summary(outcome.as_json()), flush=True)
        if args.json:
            docs = [o.as_json() for o in outcomes]
            print(json.dumps(docs if args.all else docs[0], indent=2))
        statuses = {o.status for o in outcomes}
        if "failed" in statuses:
            return EXIT_FAILED
        if "locked" in statuses:
            return EXIT_LOCKED
        return 0

    return _with_database(work)


def _summary(doc: dict[str, Any]) -> str:
    name = doc["source"]
    if doc["status"] == "locked":
        return f"{name}: not run: {doc['error']}"
    head = f"{name}: {doc['status']} in {doc['elapsed_s']:.1f} s (run {doc['run']})"
    if doc["not_modified"]:
        return head + ": the source says nothing changed since the last run"
    lines = [
        head,
        f"  pages {doc['pages']}, records {doc['seen']}: {doc['created']} new, "
        f"{doc['updated']} updated, {doc['unchanged']} unchanged, "
        f"{doc['withdrawn']} withdrawn, {doc['quarantined']} quarantined",
        f"  courses {_counts(doc['courses'])}; offerings {_counts(doc['offerings'])}",
    ]
    if doc["resumed_from"]:
        lines.append(f"  resumed run {doc['resumed_from']}")
    if doc["took_over"]:
        lines.append(f"  took over the stale lock of {doc['took_over']}")
    if doc["error"]:
        lines.append(f"  error: {doc['error']}")
    if doc["quarantined"]:
        lines.append(f"  see `credgraph quarantine --run {doc['run']}`")
    return "\n".join(lines)


def _counts(tally: dict[str, int]) -> str:
    return (
        f"{tally['seen']} seen ({tally['created']} new, {tally['updated']} updated, "
        f"{tally['withdrawn']} withdrawn)"
    )


# -- sync-runs ----------------------------------------------------------------


def _run_doc(run: Any) -> dict[str, Any]:
    elapsed = (
        (run.finished_at - run.started_at).total_seconds()
        if run.finished_at and run.started_at
        else None
    )
    return {
        "id": run.id,
        "source": run.source,
        "connector": run.connector,
        "status": run.status,
        "full": run.full,
        "complete": run.complete,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "elapsed_s": round(elapsed, 3) if elapsed is not None else None,
        "pages": run.pages,
        "seen": run.seen,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "withdrawn": run.withdrawn,
        "quarantined": run.quarantined,
        "resumed_from": (run.options or {}).get("resumed_from"),
        "error": run.error,
    }


def _sync_runs(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")

    async def work() -> int:
        from tortoise.expressions import Q

        from app.db.models.sync import SyncRun

        query = SyncRun.all()
        if args.connector:
            query = query.filter(Q(connector=args.connector) | Q(source=args.connector))
        docs = [_run_doc(r) for r in await query.order_by("-id").limit(args.limit)]
        if args.json:
            print(json.dumps(docs, indent=2))
            return 0
        if not docs:
            print("no sync runs yet")
            return 0
        print(
            f"{'run':>5} {'source':<12} {'status':<10} {'started (UTC)':<19} "
            f"{'secs':>7} {'pages':>5} {'seen':>7} {'new':>7} {'upd':>6} "
            f"{'same':>7} {'gone':>5} {'quar':>5}"
        )
        for d in docs:
            started = (d["started_at"] or "")[:19].replace("T", " ")
            secs = f"{d['elapsed_s']:.1f}" if d["elapsed_s"] is not None else "-"
            print(
                f"{d['id']:>5} {d['source'][:12]:<12} {d['status']:<10} "
                f"{started:<19} {secs:>7} {d['pages']:>5} {d['seen']:>7} "
                f"{d['created']:>7} {d['updated']:>6} {d['unchanged']:>7} "
                f"{d['withdrawn']:>5} {d['quarantined']:>5}"
            )
            if d["error"]:
                print(f"{'':>6}error: {d['error']}")
        return 0

    return _with_database(work)


# -- quarantine ---------------------------------------------------------------


def _quarantine(args: argparse.Namespace) -> int:
    async def work() -> int:
        from app.db.models.sync import QuarantinedRecord, SyncRun

        run_id = args.run
        if run_id is None:
            latest = await SyncRun.filter(quarantined__gt=0).order_by("-id").first()
            if latest is None:
                print("no run has quarantined any record", file=sys.stderr)
                if args.json:
                    print("[]")
                return 0
            run_id = latest.id
        elif not await SyncRun.exists(id=run_id):
            raise UsageError(f"no sync run {run_id} (see `credgraph sync-runs`)")
        records = await QuarantinedRecord.filter(run_id=run_id).order_by("id")
        docs = [
            {
                "id": r.id,
                "run": run_id,
                "source": r.source,
                "key": r.record_key,
                "reason": r.reason,
                "source_url": r.source_url,
                "raw": r.raw_text,
            }
            for r in records
        ]
        if args.json:
            print(json.dumps(docs, indent=2, ensure_ascii=False))
            return 0
        print(f"run {run_id}: {len(docs)} quarantined record(s)")
        for d in docs:
            print(f"\n#{d['id']} {d['source']} key={d['key'] or '-'}")
            print(f"  reason: {d['reason']}")
            if d["source_url"]:
                print(f"  from:   {d['source_url']}")
            print(f"  raw:    {d['raw']}")
        return 0

    return _with_database(work)
