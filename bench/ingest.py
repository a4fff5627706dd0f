"""Benchmark of catalogue ingest (prints figures; not a test).

A SWAYAM-format feed of generated courses from the simulator over loopback
into a fresh database, each measurement in its own process (so peak RSS is the
syncing process's alone, and the simulator's pre-rendered feed is not counted):

- ceiling: the same pages fetched and parsed by the connector, nothing written;
- floor: the same normalised rows (course + offering per course) written by
  plain `sqlite3.executemany` upserts in batches of 1,000, rows built before
  the clock starts (PostgreSQL: asyncpg `executemany`);
- first sync and unchanged re-sync (`--full`, so no 304 shortcut) through the
  real engine; courses per second, ratios to ceiling and floor (a re-sync
  parses no unchanged node, so it may pass the fetch-and-parse ceiling);
- peak RSS of a first sync at 10k and 50k courses (flat = streaming), and
  the largest the SQLite WAL grew during it (disk the sync borrows).

Targets (issue 8, 2-core machine, 50k): SQLite first sync >= 15k/s and
>= 0.4x floor; re-sync >= 40k/s; PostgreSQL first sync >= 20k/s and >= 0.6x
its floor, re-sync >= 40k/s; peak RSS flat and < 100 MB.

Run: .venv/bin/python bench/ingest.py [--courses 50000] [--json]
PostgreSQL too when TEST_POSTGRES_URL is set (a throwaway database is made).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_SIZE = 500
FLOOR_BATCH = 1000


# -- child processes: one measurement each, a JSON line on stdout --------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CONNECTOR = "swayam"  # set from --connector, in the parent and each child


def _config(url: str) -> Any:
    import importlib

    from connectors.base import SourceConfig

    if CONNECTOR == "swayam":
        return SourceConfig("swayam", "swayam", url, {"page_size": PAGE_SIZE})
    # every other format's simulator module knows how to point its connector at it
    return importlib.import_module(f"connectors.simulator.{CONNECTOR}").source_config(
        url
    )


async def _ceiling(url: str) -> dict[str, Any]:
    from connectors import registry
    from connectors.base import SyncState
    from connectors.records import CourseRecord

    config = _config(url)
    courses = 0
    start = time.perf_counter()
    async with registry.open_client(config) as http:
        async for record in registry.build_connector(config, http).records(SyncState()):
            courses += isinstance(record, CourseRecord)
    return {"seconds": time.perf_counter() - start, "courses": courses}


async def _rows(url: str) -> tuple[list, list, list]:
    """Every normalised row of the feed, as the engine would write it."""
    from datetime import UTC, datetime

    from app.ingest.upsert import EMPTY, course_rest, offering_rest, prepare
    from connectors import registry
    from connectors.base import SyncState
    from connectors.jsonbody import dump_raw
    from connectors.records import CourseRecord, OfferingRecord, ProviderRecord

    config = _config(url)
    now = datetime.now(UTC)
    providers: list[ProviderRecord] = []
    slugs: dict[str, int] = {}
    courses, offerings = [], []
    async with registry.open_client(config) as http:
        async for r in registry.build_connector(config, http).records(SyncState()):
            if isinstance(r, ProviderRecord):
                providers.append(r)
                slugs[r.slug] = len(slugs) + 1
            elif isinstance(r, CourseRecord):
                rest = course_rest(prepare(r), "swayam", dump_raw(r.raw), now, False)
                courses.append((slugs[r.provider], *rest, *EMPTY))
            elif isinstance(r, OfferingRecord):
                p = prepare(r)
                rest = offering_rest(p, "swayam", dump_raw(r.raw), now, False)
                # course_id is looked up by the INSERT (see _offering_floor_sql).
                pid = slugs[r.provider]
                offerings.append((pid, pid, p.course_key, *rest))
    return providers, courses, offerings


def _offering_floor_sql() -> str:
    from app.ingest.upsert import OFFERING_COLUMNS, OFFERING_UPSERT

    marks = ", ".join(
        '(SELECT "id" FROM "course" WHERE "provider_id" = ? AND "external_id" = ?)'
        if c == "course_id"
        else "?"
        for c in OFFERING_COLUMNS
    )
    head, _, tail = OFFERING_UPSERT.partition(" VALUES (")
    return f"{head} VALUES ({marks}){tail[tail.index(') ON CONFLICT') + 1 :]}"


_FLOOR_SEARCH = (
    "INSERT INTO course_search(rowid, title, description, subjects) "
    'SELECT "id", "title", "description", "subjects" FROM "course" WHERE "id" > ?'
)


async def _floor(url: str, db_url: str) -> dict[str, Any]:
    import sqlite3

    import app.ingest.upsert as upsert
    from app.settings import SQLITE_PRAGMAS

    providers, courses, offerings = await _rows(url)
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    provider_rows = [
        (p.slug, p.name, p.kind, p.country, p.url, p.abc_registered, p.swayam, now, now)
        for p in providers
    ]
    provider_sql = (
        'INSERT INTO "provider" ("slug", "name", "kind", "country", "url", '
        '"abc_registered", "swayam", "created_at", "updated_at") '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    offering_sql = _offering_floor_sql()
    if db_url.startswith("sqlite://"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite://"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # the database settings the app runs with (app/settings.py)
        for name, value in SQLITE_PRAGMAS.items():
            conn.execute(f"PRAGMA {name}={value}")
        conn.executemany(provider_sql, provider_rows)
        start = time.perf_counter()
        for table, sql in (("c", upsert.COURSE_UPSERT), ("o", offering_sql)):
            rows = courses if table == "c" else offerings
            for i in range(0, len(rows), FLOOR_BATCH):
                conn.execute("BEGIN IMMEDIATE")
                if table == "c":
                    (last,) = conn.execute('SELECT max("id") FROM "course"').fetchone()
                conn.executemany(sql, rows[i : i + FLOOR_BATCH])
                if table == "c":
                    # the text search index, as the engine keeps it: a
                    # batch at a time (app/search/sqlite.py)
                    conn.execute(_FLOOR_SEARCH, [last or 0])
                conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
    else:
        import asyncpg

        from app.ingest.backend import numbered

        conn = await asyncpg.connect(db_url.replace("postgres://", "postgresql://"))
        await conn.executemany(numbered(provider_sql), provider_rows)
        start = time.perf_counter()
        for table, sql in (("c", upsert.COURSE_UPSERT), ("o", offering_sql)):
            rows = courses if table == "c" else offerings
            for i in range(0, len(rows), FLOOR_BATCH):
                async with conn.transaction():
                    await conn.executemany(numbered(sql), rows[i : i + FLOOR_BATCH])
        seconds = time.perf_counter() - start
        await conn.close()
    return {"seconds": seconds, "courses": len(courses)}


class _LargestWal(threading.Thread):
    """The largest size a SQLite database's WAL file reaches (polled): the
    disk a sync borrows until its last checkpoint."""

    def __init__(self, db_url: str) -> None:
        super().__init__(daemon=True)
        path = db_url.removeprefix("sqlite://").split("?", 1)[0]
        self.path = path + "-wal" if db_url.startswith("sqlite://") else None
        self.largest = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while self.path and not self.stopping.wait(0.01):
            with contextlib.suppress(OSError):
                self.largest = max(self.largest, os.path.getsize(self.path))


async def _sync(url: str, db_url: str, full: bool) -> dict[str, Any]:
    from app.db.connection import open_database
    from app.ingest import run_sync

    wal = _LargestWal(db_url)
    wal.start()
    cpu = time.process_time()
    try:
        async with open_database(db_url):
            outcome = await run_sync(_config(url), full=full)
        cpu = time.process_time() - cpu
    finally:
        wal.stopping.set()
        wal.join()
    return {
        "seconds": outcome.elapsed_s,
        "courses": outcome.courses.seen,
        "status": outcome.status,
        "cpu_s": round(cpu, 3),
        "changed": outcome.total.changed,
        "rss_mb": _rss_mb(),
        "wal_mb": round(wal.largest / 2**20, 1),
    }


def _child(args: argparse.Namespace) -> None:
    mode, url, db_url = args.child, args.url, args.db
    if mode == "ceiling":
        result = asyncio.run(_ceiling(url))
    elif mode == "floor":
        result = asyncio.run(_floor(url, db_url))
    else:
        result = asyncio.run(_sync(url, db_url, full=mode == "resync"))
    print(json.dumps(result), flush=True)


# -- the parent: simulators, fresh databases, figures ---------------------------


class Simulator:
    def __init__(self, courses: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "simulate", "--port", "0"]
            + ["--courses", str(courses)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise SystemExit(f"simulator did not start: {line!r}")
        self.url = line.split("listening on ", 1)[1].split()[0]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _measure(mode: str, url: str, db_url: str = "") -> dict[str, Any]:
    # The measurement before may have left hundreds of MB for the kernel to
    # write back: not during this one.
    os.sync()
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--db", db_url]
        + ["--connector", CONNECTOR],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh_db(kind: str, workdir: Path) -> str:
    from app.db.migrate import apply_migrations

    if kind == "sqlite":
        url = f"sqlite://{workdir / f'{uuid.uuid4().hex[:8]}.db'}"
    else:
        import asyncpg

        server = os.environ["TEST_POSTGRES_URL"].rstrip("/")
        server = server.rsplit("/", 1)[0] if server.count("/") > 2 else server
        name = f"credgraph_bench_{uuid.uuid4().hex[:8]}"

        async def create() -> None:
            conn = await asyncpg.connect(
                server.replace("postgres://", "postgresql://") + "/postgres"
            )
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        url = f"{server}/{name}"
        _PG_DATABASES.append((server, name))
    asyncio.run(apply_migrations(url))
    return url


_PG_DATABASES: list[tuple[str, str]] = []  # made by _fresh_db, dropped by run()
DROP_ATTEMPTS = 40  # half a second apart


def _drop_pg_databases(only: str | None = None) -> None:
    """Drop the PostgreSQL databases `_fresh_db` made (`only`: the one of
    that URL, so autovacuum does not work on it during the next figure)."""
    import asyncpg

    async def drop() -> None:
        for server, name in list(_PG_DATABASES):
            if only is not None and only != f"{server}/{name}":
                continue
            _PG_DATABASES.remove((server, name))
            conn = await asyncpg.connect(
                server.replace("postgres://", "postgresql://") + "/postgres"
            )
            try:
                # An autovacuum worker may still be in the database after a
                # sync, and FORCE needs a role allowed to signal it: wait.
                for attempt in range(DROP_ATTEMPTS):
                    try:
                        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                        break
                    except asyncpg.ObjectInUseError:
                        if attempt == DROP_ATTEMPTS - 1:
                            print(f"could not drop {name}: in use", file=sys.stderr)
                        await asyncio.sleep(0.5)
            finally:
                await conn.close()

    if _PG_DATABASES:
        asyncio.run(drop())


def _rate(result: dict[str, Any]) -> float:
    return result["courses"] / result["seconds"] if result["seconds"] else 0.0


def run(courses: int, only: str | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "connector": CONNECTOR,
        "courses": courses,
        "cpus": os.cpu_count(),
    }
    figures["load_avg_before"] = round(os.getloadavg()[0], 2)
    backends = ["sqlite"] + (
        ["postgres"] if os.environ.get("TEST_POSTGRES_URL") else []
    )
    if only:
        backends = [b for b in backends if b == only]
    with tempfile.TemporaryDirectory(prefix="credgraph-bench-") as tmp:
        workdir = Path(tmp)
        small = Simulator(min(10_000, courses))
        try:
            first_small = _measure("sync", small.url, _fresh_db("sqlite", workdir))
            figures["peak_rss_mb_10k"] = round(first_small["rss_mb"], 1)
        finally:
            small.close()
        sim = Simulator(courses)
        try:
            ceiling = _measure("ceiling", sim.url)
            figures["ceiling_per_s"] = round(_rate(ceiling))
            for backend in backends:
                prefix = "" if backend == "sqlite" else "pg_"
                # the executemany floor is built from SWAYAM rows only
                floor = None
                if CONNECTOR == "swayam":
                    floor_db = _fresh_db(backend, workdir)
                    floor = _measure("floor", sim.url, floor_db)
                    _drop_pg_databases(only=floor_db)
                db_url = _fresh_db(backend, workdir)
                first = _measure("sync", sim.url, db_url)
                again = _measure("resync", sim.url, db_url)
                assert first["status"] == again["status"] == "succeeded"
                assert again["changed"] == 0, again
                if floor is not None:
                    figures[f"{prefix}floor_per_s"] = round(_rate(floor))
                figures[f"{prefix}first_sync_per_s"] = round(_rate(first))
                figures[f"{prefix}resync_per_s"] = round(_rate(again))
                figures[f"{prefix}peak_rss_mb"] = round(first["rss_mb"], 1)
                if backend == "sqlite":
                    figures["peak_wal_mb"] = first["wal_mb"]
                figures[f"{prefix}peak_rss_mb_resync"] = round(again["rss_mb"], 1)
        finally:
            sim.close()
            _drop_pg_databases()
    figures["load_avg_after"] = round(os.getloadavg()[0], 2)
    return figures


def report(f: dict[str, Any]) -> str:
    n = f["courses"]
    lines = [
        f"ingest benchmark: {n:,} {f['connector']}-format courses over loopback; "
        f"{f['cpus']} CPUs, load average "
        f"{f['load_avg_before']} before, {f['load_avg_after']} after "
        "(a shared machine: other work competes for the cores)",
        f"  HTTP ceiling (fetch + parse)    {f['ceiling_per_s']:>8,} courses/s",
    ]
    for prefix, name in (("", "SQLite"), ("pg_", "PostgreSQL")):
        if f"{prefix}first_sync_per_s" not in f:
            continue
        first, again = f[f"{prefix}first_sync_per_s"], f[f"{prefix}resync_per_s"]
        floor = f.get(f"{prefix}floor_per_s")
        if floor:
            lines.append(f"  {name} floor (executemany)     {floor:>8,} courses/s")
        versus_floor = f", {first / floor:.2f}x floor" if floor else ""
        lines += [
            f"  {name} first sync              {first:>8,} courses/s "
            f"({first / f['ceiling_per_s']:.2f}x ceiling{versus_floor})",
            f"  {name} unchanged re-sync       {again:>8,} courses/s "
            f"({again / f['ceiling_per_s']:.2f}x ceiling)",
        ]
    if "peak_wal_mb" in f:
        lines.append(
            f"  largest SQLite WAL during the first sync: {f['peak_wal_mb']} MB"
        )
    for prefix, name in (("", "SQLite"), ("pg_", "PostgreSQL")):
        if f"{prefix}peak_rss_mb" in f:
            lines.append(
                f"  peak RSS of the syncing process ({name}): "
                f"{f[f'{prefix}peak_rss_mb']} MB at {n // 1000}k, re-sync "
                f"{f[f'{prefix}peak_rss_mb_resync']} MB; SQLite at 10k: "
                f"{f['peak_rss_mb_10k']} MB"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=50_000)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.add_argument(
        "--only", choices=("sqlite", "postgres"), help="measure one backend"
    )
    parser.add_argument(
        "--connector",
        default="swayam",
        choices=("swayam", "edx", "ctdl", "coursera", "nptel"),
        help="the feed format (the executemany floor is measured for swayam only)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global CONNECTOR
    CONNECTOR = args.connector
    if args.child:
        _child(args)
        return
    figures = run(args.courses, args.only)
    print(json.dumps(figures) if args.json else report(figures))


if __name__ == "__main__":
    main()
