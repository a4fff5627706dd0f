"""Kill -9 a sync at random moments, rerun it: the database of one clean run."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from app.db.connection import open_database
from app.db.migrate import apply_migrations
from app.db.models.catalogue import Course, Offering
from app.db.models.sync import SyncRun
from connectors.simulator import Simulator
from tests.conftest import ROOT, _pg_admin, drop_database

COURSES = 3000
KILLS = 4
SOURCES = """\
[sources.swayam]
connector = "swayam"
url = "{url}"
[sources.swayam.options]
page_size = 100
"""


def _start(db_url: str, sources: Path, quiet: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "sync", "swayam"],
        env={
            **os.environ,
            "DATABASE_URL": db_url,
            "CREDGRAPH_CONNECTORS_FILE": str(sources),
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else subprocess.PIPE,
        text=True,
    )


def _run_to_end(db_url: str, sources: Path) -> None:
    # A killed PostgreSQL session frees its advisory lock once the server
    # sees the socket close; give it that moment rather than fail on exit 3.
    for _ in range(20):
        proc = _start(db_url, sources)
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 3:
            assert proc.returncode == 0, err
            return
        time.sleep(0.25)
    raise AssertionError("the lock of a killed run was never released")


async def _state(db_url: str) -> dict[str, object]:
    async with open_database(db_url):
        courses = await Course.all().values_list(
            "provider__slug", "external_id", "content_hash", "withdrawn"
        )
        offerings = await Offering.all().values_list(
            "provider__slug", "external_id", "content_hash", "withdrawn"
        )
        return {
            "courses": set(courses),
            "offerings": set(offerings),
            "counts": (len(courses), len(offerings)),
        }


async def _committed(db_url: str) -> tuple[int, int]:
    """(id, pages committed) of the newest run (0, 0 before any)."""
    async with open_database(db_url):
        run = await SyncRun.all().order_by("-id").first()
        return (run.id, run.pages) if run else (0, 0)


def _kill_after(proc: subprocess.Popen, db_url: str, pages: int) -> int:
    """SIGKILL once this process's run committed `pages` pages."""
    before, _ = asyncio.run(_committed(db_url))
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        run_id, committed = asyncio.run(_committed(db_url))
        if run_id > before and committed >= pages:
            proc.send_signal(signal.SIGKILL)
            proc.wait()  # reaped, as a supervisor would
            return committed
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    return -1


async def _runs(db_url: str) -> list[tuple[str, str | None]]:
    async with open_database(db_url):
        return await SyncRun.all().order_by("id").values_list("status", "error")


def _fresh_url(backend: str, db_url: str, tmp_path: Path) -> tuple[str, Callable]:
    if backend == "sqlite":
        return f"sqlite://{tmp_path / 'clean.db'}", lambda: None
    server = db_url.rsplit("/", 1)[0]
    name = f"credgraph_clean_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    return f"{server}/{name}", lambda: asyncio.run(drop_database(server, name))


@pytest.mark.slow
def test_killed_runs_converge_to_one_clean_run(
    db_url: str,
    backend: str,
    simulator_thread: Callable[..., Simulator],
    tmp_path: Path,
) -> None:
    # Every page held a little, so a run lasts long enough to die mid-way.
    sim = simulator_thread(courses=COURSES, seed=7, faults="slow:delay=0.1")
    sources = tmp_path / "connectors.toml"
    sources.write_text(SOURCES.format(url=sim.url), encoding="utf-8")
    asyncio.run(apply_migrations(db_url))

    # Each kill lands after a random number of committed pages, plus a random
    # moment inside the next page (fetching, parsing or writing it).
    rng = random.Random(8)
    for _ in range(KILLS):
        proc = _start(db_url, sources, quiet=True)
        _kill_after(proc, db_url, rng.randint(1, 6))
    _run_to_end(db_url, sources)
    killed = asyncio.run(_state(db_url))
    runs = asyncio.run(_runs(db_url))
    assert runs[-1][0] == "succeeded"
    interrupted = [e for s, e in runs if s == "failed" and "interrupted" in (e or "")]
    assert len(interrupted) == KILLS, runs

    clean_url, drop = _fresh_url(backend, db_url, tmp_path)
    try:
        asyncio.run(apply_migrations(clean_url))
        _run_to_end(clean_url, sources)
        clean = asyncio.run(_state(clean_url))
    finally:
        drop()

    assert killed["counts"] == clean["counts"] == (COURSES, COURSES)
    assert killed["courses"] == clean["courses"]
    assert killed["offerings"] == clean["offerings"]
