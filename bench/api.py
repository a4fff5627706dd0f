"""Benchmark of the GraphQL API (prints figures; not a test).

Loads a generated catalogue (50,000 courses, 20 providers, one or two
offerings each, equivalence groups and pathways) into PostgreSQL and SQLite,
starts the real server with uvicorn (one worker, then two) and drives a
closed-loop load over loopback (16 clients, after a warm-up) on:

1. a page of 50 courses by title with provider and offerings;
2. a filtered search (text + credits range + mode), 20 results;
3. `course(id)` with equivalents and pathways;

each uncached (the same app with its response cache off) and cached. In the
same run, on PostgreSQL: page (1) from PostGraphile 4 over the same tables
(`npx postgraphile@4`, one process; skipped when node is absent) and the raw
SQL alone behind a bare Starlette endpoint (the floor).

Targets (issue 11, 2 cores, PostgreSQL, one worker each): uncached >= 0.5x
PostGraphile's req/s on (1) with p99 <= 100 ms; cached >= 5x PostGraphile;
0 errors everywhere.

Run: .venv/bin/python bench/api.py [--courses 50000] [--seconds 20] [--json]
PostgreSQL from TEST_POSTGRES_URL (a throwaway database is made in it), else a
cluster started like the test suite's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIENTS = 16
LOAD_PROCESSES = 2  # the load generator is Python too: one process is not enough
WARMUP_SECONDS = 3.0

PAGE = (
    "{ courses(first: 50, orderBy: {field: TITLE}) { edges { node {"
    " title credits provider { name } offerings { start } } } } }"
)
SEARCH = (
    '{ courses(filter: {search: "data", credits: {min: 2, max: 4},'
    " modes: [ONLINE]}, first: 20) { edges { node { title credits"
    " provider { name } } } } }"
)
COURSE = (
    "query($id: ID!) { course(id: $id) { title credits"
    " equivalents { title provider { name } } pathways { title } } }"
)
PEER_PAGE = (
    "{ allCourses(first: 50, orderBy: [TITLE_ASC, ID_ASC]) { nodes {"
    " title credits providerByProviderId { name }"
    " offeringsByCourseId(orderBy: [START_ASC]) { nodes { start } } } } }"
)
BENCH_APAAR = "123456789012"
ELIGIBILITY = (
    '{ me { eligibility(award: {builtin: "bachelor"}, asOf: "2026-06-01") '
    "{ eligible missing { rule what short } checks { rule required actual met "
    "children { rule required actual met used } } } } }"
)
FLOOR_SQL = """
SELECT c.id, c.title, c.credits, p.name AS provider,
  COALESCE((SELECT json_agg(o.start ORDER BY o.start) FROM offering o
            WHERE o.course_id = c.id), '[]') AS starts
FROM course c JOIN provider p ON p.id = c.provider_id
WHERE NOT c.withdrawn ORDER BY c.title, c.id LIMIT 50
"""

WORDS = (
    "data science machine learning statistics physics chemistry biology history "
    "economics design systems networks signals algebra calculus ethics writing "
    "management marketing finance law music art health energy climate cloud"
).split()


# -- data ---------------------------------------------------------------------


async def load(url: str, courses: int) -> None:
    """Migrate and fill the database through the models (explicit ids: SQLite
    bulk_create does not report them)."""
    import random

    from app.db.connection import open_database
    from app.db.migrate import apply_migrations
    from app.db.models.catalogue import Course, EquivalenceGroup, Offering, Provider
    from app.db.models.pathways import Pathway, PathwayCourse

    rng = random.Random(11)
    await apply_migrations(url)
    async with open_database(url):
        await Provider.bulk_create(
            [
                Provider(
                    id=i + 1,
                    slug=f"provider-{i}",
                    name=f"Provider {i:02d}",
                    kind="platform" if i % 3 else "national_coordinator",
                    swayam=i % 3 == 0,
                )
                for i in range(20)
            ]
        )
        groups = courses // 20
        await EquivalenceGroup.bulk_create(
            [EquivalenceGroup(id=g + 1, key=f"g{g}") for g in range(groups)]
        )
        start = date(2026, 1, 1)
        batch: list[Course] = []
        offerings: list[Offering] = []
        for i in range(courses):
            words = rng.sample(WORDS, 3)
            batch.append(
                Course(
                    id=i + 1,
                    provider_id=i % 20 + 1,
                    external_id=f"c{i}",
                    title=" ".join(words).title() + f" {i}",
                    description=" ".join(rng.sample(WORDS, 8)),
                    subjects=[words[0]],
                    credits=rng.choice((None, 1, 2, 3, 4, 6)),
                    ncrf_level=rng.choice((4.5, 5, 5.5, 6)),
                    notional_hours=rng.choice((None, 30, 60, 90, 120)),
                    mode=rng.choice(("online", "online", "blended", "in_person")),
                    language="en",
                    next_start=start + timedelta(days=i % 400),
                    min_fee_minor=rng.choice((0, 50000, 100000)),
                    fee_currency="INR",
                    equivalence_group_id=(i % groups) + 1 if i % 2 == 0 else None,
                )
            )
            for k in range(1 + i % 2):
                offerings.append(
                    Offering(
                        id=len(offerings) + 1,
                        course_id=i + 1,
                        provider_id=i % 20 + 1,
                        external_id=f"c{i}-{k}",
                        start=start + timedelta(days=i % 400 + 180 * k),
                        fee_minor=0,
                        currency="INR",
                    )
                )
            if len(batch) == 1000:
                await Course.bulk_create(batch)
                batch = []
        if batch:
            await Course.bulk_create(batch)
        for i in range(0, len(offerings), 1000):
            await Offering.bulk_create(offerings[i : i + 1000])
        await Pathway.bulk_create(
            [
                Pathway(id=p + 1, external_id=f"pw{p}", slug=f"pw{p}", title=f"PW {p}")
                for p in range(100)
            ]
        )
        await PathwayCourse.bulk_create(
            [
                PathwayCourse(
                    id=i + 1,
                    pathway_id=i % 100 + 1,
                    course_id=i + 1,
                    course_ref=f"c{i}",
                )
                for i in range(0, courses, 10)
            ]
        )
        await _learner_with_credits(rng)
        # Planner statistics, as a database in use has them (PostgreSQL's
        # autovacuum; SQLite needs ANALYZE or `PRAGMA optimize`): without them
        # SQLite sorts the whole table by title instead of walking its index.
        from tortoise import connections

        await connections.get("default").execute_script("ANALYZE")


async def _learner_with_credits(rng: Any) -> None:
    """The learner of the eligibility query: 120 deposited credits (40 courses
    of 3) from catalogue courses, spread over the categories of a 3-year degree."""
    from app.db.models.catalogue import Institution
    from app.db.models.learners import Credential, Learner, LedgerEntry

    home = await Institution.create(slug="home", name="Home University",
                                    abc_registered=True)  # fmt: skip
    learner = await Learner.create(apaar_id=BENCH_APAAR, name="Bench Learner",
                                   home_institution=home)  # fmt: skip
    categories = (
        ("major",) * 20
        + ("minor",) * 8
        + ("multidisciplinary",) * 3
        + ("aec", "aec", "sec", "sec", "sec", "vac", "vac", "internship", "elective")
    )
    for i, category in enumerate(categories):
        credential = await Credential.create(
            learner=learner, course_id=i * 7 + 1, title=f"Course {i}",
            issuer_registered=True, kind="course_certificate",
            earned_on=date(2025, 1, 1) + timedelta(days=i * 9), credits=3,
            credits_source="stated", ncrf_level=rng.choice((4.5, 5, 5.5)),
            category=category, semester=str(i % 6 + 1), certificate=True,
            fingerprint=f"bench-{i:04d}".ljust(64, "0"),
        )  # fmt: skip
        await LedgerEntry.create(learner=learner, credential=credential,
                                 kind="deposit", credits=3)  # fmt: skip


def _learner_token() -> str:
    from app.auth.caller import Role
    from app.auth.tokens import issue_token
    from app.settings import Settings

    return issue_token(Settings.from_env(), Role.LEARNER, BENCH_APAAR, ttl_seconds=7200)


@contextmanager
def postgres_database() -> Iterator[str | None]:
    import asyncpg

    from tests.postgres import server_from_env, start_cluster

    server = server_from_env() or start_cluster()
    if server is None:
        print("PostgreSQL: not available (set TEST_POSTGRES_URL)")
        yield None
        return
    name = f"credgraph_bench_{uuid.uuid4().hex[:8]}"
    admin = server.url.replace("postgres://", "postgresql://") + "/postgres"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.url}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if os.environ.get("TEST_POSTGRES_URL") is None:
            server.stop()


# -- servers ------------------------------------------------------------------


def uncached_app() -> Any:
    """The real app with its response cache off (nothing is ever kept)."""
    from app.graphql.cache import ResponseCache
    from app.main import create_app

    app = create_app()
    for route in app.routes:
        if getattr(route, "path", None) == "/graphql":
            route.endpoint.cache = ResponseCache(max_entries=0)
    return app


def floor_app() -> Any:
    """The page's SQL alone (asyncpg, a pool of 10) behind a bare route."""
    import asyncpg
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    pool: dict[str, Any] = {}

    async def page(request: Any) -> Response:
        if "pool" not in pool:
            url = os.environ["DATABASE_URL"].split("?")[0]
            pool["pool"] = await asyncpg.create_pool(
                url.replace("postgres://", "postgresql://"), min_size=10, max_size=10
            )
        rows = await pool["pool"].fetch(FLOOR_SQL)
        body = {"data": [dict(r) for r in rows]}
        return Response(json.dumps(body, default=str), media_type="application/json")

    return Starlette(routes=[Route("/graphql", page, methods=["GET", "POST"])])


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(command: list[str], env: dict[str, str], probe: str) -> Iterator[str]:
    # Its own process group: `npx` starts PostGraphile as a child that
    # outlived a terminate() of npx alone.
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(probe, timeout=1):
                    break
            except OSError as exc:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from exc
                if getattr(exc, "code", None):  # any HTTP answer: it is up
                    break
                time.sleep(0.1)
        yield probe
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stderr.close()


def uvicorn_server(app: str, database_url: str, workers: int, port: int) -> Any:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    return server(
        command,
        env,
        f"http://127.0.0.1:{port}/healthz"
        if app.startswith("app.")
        else f"http://127.0.0.1:{port}/graphql",
    )


# -- load ---------------------------------------------------------------------


def _load_process(
    url: str,
    body: bytes,
    clients: int,
    warmup: float,
    seconds: float,
    out: Any,
    extra_headers: dict[str, str] | None = None,
) -> None:
    import aiohttp

    async def main() -> None:
        latencies: list[float] = []
        errors = 0
        connector = aiohttp.TCPConnector(limit=clients)
        headers = {"Content-Type": "application/json", **(extra_headers or {})}
        async with aiohttp.ClientSession(connector=connector) as session:
            start = time.monotonic()
            measure_from = start + warmup
            stop = measure_from + seconds

            async def client() -> None:
                nonlocal errors
                while (now := time.monotonic()) < stop:
                    try:
                        async with session.post(url, data=body, headers=headers) as r:
                            payload = await r.read()
                            ok = r.status == 200 and b'"errors"' not in payload
                    except aiohttp.ClientError:
                        ok = False
                    end = time.monotonic()
                    if now >= measure_from:
                        latencies.append(end - now)
                        errors += not ok

            await asyncio.gather(*(client() for _ in range(clients)))
        out.put((latencies, errors))

    asyncio.run(main())


def drive(
    url: str,
    query: str,
    variables: dict | None,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    per_process = CLIENTS // LOAD_PROCESSES
    processes = [
        context.Process(
            target=_load_process,
            args=(url, body, per_process, WARMUP_SECONDS, seconds, out, headers),
        )
        for _ in range(LOAD_PROCESSES)
    ]
    for p in processes:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in processes:
        lat, err = out.get()
        latencies += lat
        errors += err
    for p in processes:
        p.join()
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": errors}
    return {
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "errors": errors,
    }


def one_response(
    url: str,
    query: str,
    variables: dict | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# -- runs ---------------------------------------------------------------------


def bench_backend(
    name: str, database_url: str, seconds: float, worker_counts: tuple[int, ...]
) -> dict:
    results: dict[str, Any] = {}
    course_id = None
    for workers in worker_counts:
        for label, app in (("uncached", "bench.api:uncached_app"),
                           ("cached", "app.main:create_app")):  # fmt: skip
            port = _free_port()
            with uvicorn_server(app, database_url, workers, port):
                url = f"http://127.0.0.1:{port}/graphql"
                if course_id is None:
                    first = one_response(
                        url, "{ courses(first: 1) { edges { node { id } } } }"
                    )
                    course_id = first["data"]["courses"]["edges"][0]["node"]["id"]
                for query_name, query, variables in (
                    ("page", PAGE, None),
                    ("search", SEARCH, None),
                    ("course", COURSE, {"id": course_id}),
                ):
                    answer = one_response(url, query, variables)
                    assert "errors" not in answer, answer
                    figures = drive(url, query, variables, seconds)
                    key = f"{name}/{workers}w/{query_name}/{label}"
                    results[key] = figures
                    print(f"{key:32} {_line(figures)}", flush=True)
                if label == "cached":
                    # learner data is never cached: one run, on the real app
                    auth = {"Authorization": f"Bearer {_learner_token()}"}
                    answer = one_response(url, ELIGIBILITY, None, auth)
                    assert "errors" not in answer, answer
                    figures = drive(url, ELIGIBILITY, None, seconds, auth)
                    key = f"{name}/{workers}w/eligibility-120-credits"
                    results[key] = figures
                    print(f"{key:32} {_line(figures)}", flush=True)
    return results


def _line(f: dict) -> str:
    return (
        f"{f['rps']:>9} req/s  p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  "
        f"errors {f['errors']}"
    )


def bench_peer(database_url: str, seconds: float) -> dict | None:
    npx = shutil.which("npx")
    if npx is None:
        print("PostGraphile: skipped (node/npx not found)")
        return None
    port = _free_port()
    command = [
        npx, "--yes", "postgraphile@4", "-c", database_url.split("?")[0],
        "--schema", "public", "--host", "127.0.0.1", "--port", str(port),
        "--disable-default-mutations", "--disable-query-log",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"
    with server(command, dict(os.environ), url):
        answer = one_response(url, PEER_PAGE)
        assert "errors" not in answer, answer
        figures = drive(url, PEER_PAGE, None, seconds)
    print(f"{'postgres/postgraphile4/page':32} {_line(figures)}", flush=True)
    return figures


def bench_floor(database_url: str, seconds: float) -> dict:
    port = _free_port()
    with uvicorn_server("bench.api:floor_app", database_url, 1, port):
        figures = drive(f"http://127.0.0.1:{port}/graphql", "", None, seconds)
    print(f"{'postgres/floor/page':32} {_line(figures)}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", default="1,2", help="worker counts to run")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    workers = tuple(int(w) for w in args.workers.split(","))
    results: dict[str, Any] = {}
    with postgres_database() as pg:
        if pg is not None:
            # the same pool size as PostGraphile's (TECH-NOTES §5)
            pg_url = pg + "?maxsize=10"
            started = time.monotonic()
            asyncio.run(load(pg_url, args.courses))
            print(f"postgres: loaded {args.courses} courses in "
                  f"{time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
            results |= bench_backend("postgres", pg_url, args.seconds, workers)
            results["peer"] = bench_peer(pg, args.seconds)
            results["floor"] = bench_floor(pg, args.seconds)
        if not args.no_sqlite:
            with tempfile.TemporaryDirectory() as tmp:
                sqlite_url = f"sqlite://{tmp}/bench.db"
                asyncio.run(load(sqlite_url, args.courses))
                results |= bench_backend("sqlite", sqlite_url, args.seconds, workers)
    if args.json:
        page = results.get("postgres/1w/page/uncached", {})
        cached = results.get("postgres/1w/page/cached", {})
        peer = results.get("peer") or {}
        floor = results.get("floor") or {}
        print(
            json.dumps(
                {
                    "rps": page.get("rps"),
                    "p99_ms": page.get("p99_ms"),
                    "errors": sum(r.get("errors", 0) for r in results.values() if r),
                    "cached_rps": cached.get("rps"),
                    "peer_rps": peer.get("rps"),
                    "floor_rps": floor.get("rps"),
                    "eligibility": results.get("postgres/1w/eligibility-120-credits"),
                    "all": results,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
