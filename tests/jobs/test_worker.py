"""A sync queued through the API is run by a `credgraph worker` process
against the provider simulator, and its status reaches SUCCEEDED."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.db.connection import open_database
from app.db.migrate import apply_migrations
from app.db.models.catalogue import Course
from app.main import create_app
from app.settings import Settings
from connectors.simulator import Simulator
from tests.conftest import ROOT
from tests.graphql.learners.conftest import gql
from tests.ingest.conftest import (  # noqa: F401  (fixtures)
    StartSimulator,
    migrated,
    migrated_url,
    simulator_thread,
    start_simulator,
)

FAST = (
    "page_size = 100\ntimeout_s = 3.0\nattempts = 3\n"
    "backoff_base_s = 0.01\nbackoff_max_s = 0.02\nretry_after_max_s = 0.02\n"
)
START = 'mutation { startSync(source: "swayam") { run { id status } } }'
STATUS = """query($id: ID!) { syncRun(id: $id) {
  status seen created error worker run { status } } }"""


async def _api(db_url: str, connectors: Path, query: str, variables: dict) -> dict:
    app = create_app(
        Settings(database_url=db_url, connectors_file=connectors), register_db=False
    )
    async with open_database(db_url):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await gql(c, query, variables, as_=("platform_admin", "ops"))


async def _courses(db_url: str) -> int:
    async with open_database(db_url):
        return await Course.all().count()


def test_worker_runs_a_sync_queued_through_the_api(
    db_url: str,
    tmp_path: Path,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
) -> None:
    asyncio.run(apply_migrations(db_url))
    sim = simulator_thread(courses=40)
    connectors = tmp_path / "connectors.toml"
    connectors.write_text(
        f'[sources.swayam]\nconnector = "swayam"\nurl = "{sim.url}"\n'
        f'every = "6h"\n[sources.swayam.options]\n{FAST}'
    )
    queued = asyncio.run(
        _api(
            db_url,
            connectors,
            START,
            {},
        )
    )
    run = queued["data"]["startSync"]["run"]
    assert run["status"] == "QUEUED", queued

    result = subprocess.run(
        [sys.executable, "-m", "app", "worker", "--once"],
        env={
            **os.environ,
            "DATABASE_URL": db_url,
            "CREDGRAPH_CONNECTORS_FILE": str(connectors),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "ran 1 job(s)" in result.stdout

    done = asyncio.run(_api(db_url, connectors, STATUS, {"id": run["id"]}))
    status = done["data"]["syncRun"]
    assert status["status"] == "SUCCEEDED", done
    assert status["error"] is None
    assert status["seen"] >= 40 and status["created"] >= 40
    assert status["run"] == {"status": "SUCCEEDED"}
    assert status["worker"]
    assert asyncio.run(_courses(db_url)) == 40


@pytest.mark.asyncio
async def test_the_worker_rematches_equivalence_after_its_syncs(
    migrated: str,  # noqa: F811
    start_simulator: StartSimulator,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.ingest.equivalence import unregister_hook
    from app.jobs.queue import enqueue
    from app.jobs.worker import work

    sim = await start_simulator(courses=6, seed=5)
    connectors = tmp_path / "connectors.toml"
    connectors.write_text(
        f'[sources.edx]\nurl = "{sim.url}"\n[sources.edx.options]\n'
        f'token_url = "{sim.url}/oauth2/access_token"\nclient_id = "sim-client"\n'
        '[sources.edx.secrets]\nclient_secret = "CREDGRAPH_EDX_CLIENT_SECRET"\n'
        f'[sources.coursera]\nurl = "{sim.url}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CREDGRAPH_EDX_CLIENT_SECRET", "sim-secret")
    await enqueue("edx", "edx", "test")
    await enqueue("coursera", "coursera", "test")
    try:
        assert await work(connectors, once=True, name="w1") == 2
    finally:
        unregister_hook()  # the hook is process-wide: leave other tests alone
    # Each edX course and its Coursera twin share a group, with no manual match.
    grouped = await Course.filter(equivalence_group_id__isnull=False).count()
    assert grouped == 12
