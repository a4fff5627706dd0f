"""Kill -9 a sync of each issue-9 connector mid-run, rerun: one clean run's rows.

The SWAYAM version (test_kill_rerun.py) is the model; its helpers are reused.
Each connector runs as `credgraph sync <source>` from a connectors file, with
every simulator page held a little so a run dies part-way; killed runs are
resumed from their last committed cursor (edX: listing + next URL, CTDL:
envelope page, Coursera: start offset; NPTEL's single file dies mid-page).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.db.connection import open_database
from app.db.migrate import apply_migrations
from app.db.models.catalogue import Programme
from app.db.models.pathways import Pathway
from connectors.simulator import Simulator
from tests.conftest import ROOT
from tests.ingest.conftest import simulator_thread  # noqa: F401  (fixture)
from tests.ingest.test_kill_rerun import _fresh_url, _kill_after, _runs, _state

COURSES = 600
KILLS = 3
SOURCES = {
    "edx": """\
[sources.edx]
url = "{url}"
[sources.edx.options]
token_url = "{url}/oauth2/access_token"
client_id = "sim-client"
page_size = 40
[sources.edx.secrets]
client_secret = "CREDGRAPH_EDX_CLIENT_SECRET"
""",
    "ctdl": """\
[sources.ctdl]
url = "{url}"
[sources.ctdl.options]
per_page = 40
[sources.ctdl.secrets]
api_key = "CREDGRAPH_CTDL_API_KEY"
""",
    "coursera": """\
[sources.coursera]
url = "{url}"
[sources.coursera.options]
limit = 40
""",
    "nptel": """\
[sources.nptel]
connector = "nptel"
[sources.nptel.options]
file = "{url}/nptel/noc-courses.xlsx"
""",
}
ENV = {
    "CREDGRAPH_EDX_CLIENT_SECRET": "sim-secret",
    "CREDGRAPH_CTDL_API_KEY": "sim-ctdl-key",
}


def _start(
    name: str, db_url: str, sources: Path, quiet: bool = False
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "sync", name],
        env={
            **os.environ,
            **ENV,
            "DATABASE_URL": db_url,
            "CREDGRAPH_CONNECTORS_FILE": str(sources),
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else subprocess.PIPE,
        text=True,
    )


def _run_to_end(name: str, db_url: str, sources: Path) -> None:
    for _ in range(20):  # exit 3: a killed session's lock not yet released
        proc = _start(name, db_url, sources)
        _, err = proc.communicate(timeout=180)
        if proc.returncode != 3:
            assert proc.returncode == 0, err
            return
        time.sleep(0.25)
    raise AssertionError("the lock of a killed run was never released")


async def _awards(db_url: str) -> dict[str, set[tuple[object, ...]]]:
    async with open_database(db_url):
        return {
            "pathways": set(
                await Pathway.all().values_list(
                    "provider__slug", "external_id", "content_hash", "withdrawn"
                )
            ),
            "programmes": set(
                await Programme.all().values_list(
                    "institution__slug", "external_id", "content_hash", "withdrawn"
                )
            ),
        }


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_killed_runs_converge_to_one_clean_run(
    name: str,
    db_url: str,
    backend: str,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
    tmp_path: Path,
) -> None:
    # An XLSX list is one request: hold it longer so a kill lands inside it.
    delay = 0.5 if name == "nptel" else 0.1
    sim = simulator_thread(courses=COURSES, seed=3, faults=f"slow:delay={delay}")
    sources = tmp_path / "connectors.toml"
    sources.write_text(SOURCES[name].format(url=sim.url), encoding="utf-8")
    asyncio.run(apply_migrations(db_url))

    rng = random.Random(name)
    for _ in range(KILLS):
        proc = _start(name, db_url, sources, quiet=True)
        if name == "nptel":
            time.sleep(2.0 + rng.random())  # somewhere in start-up, fetch or write
            proc.kill()
            proc.wait()
        else:
            _kill_after(proc, db_url, rng.randint(1, 4))
    _run_to_end(name, db_url, sources)
    killed = {**asyncio.run(_state(db_url)), **asyncio.run(_awards(db_url))}
    assert asyncio.run(_runs(db_url))[-1][0] == "succeeded"

    clean_url, drop = _fresh_url(backend, db_url, tmp_path)
    try:
        asyncio.run(apply_migrations(clean_url))
        _run_to_end(name, clean_url, sources)
        clean = {**asyncio.run(_state(clean_url)), **asyncio.run(_awards(clean_url))}
    finally:
        drop()

    assert killed["counts"] == clean["counts"]
    assert clean["counts"][0] > 0
    for table in ("courses", "offerings", "pathways", "programmes"):
        assert killed[table] == clean[table], table
