"""`credgraph sync`, `sync-runs` and `quarantine` as a user runs them."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.db.connection import open_database
from app.db.migrate import apply_migrations
from app.db.models.sync import SyncLock
from connectors.simulator import Simulator
from tests.conftest import ROOT
from tests.ingest.conftest import simulator_thread  # noqa: F401  (fixture)

SUMMARY_KEYS = {
    "connector",
    "status",
    "pages",
    "seen",
    "created",
    "updated",
    "unchanged",
    "withdrawn",
    "quarantined",
    "elapsed_s",
}
FAST = (
    "page_size = 100\ntimeout_s = 3.0\nattempts = 3\n"
    "backoff_base_s = 0.01\nbackoff_max_s = 0.02\nretry_after_max_s = 0.02\n"
)


def _cli(
    *args: str, db_url: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, "DATABASE_URL": db_url, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _sources(tmp_path: Path, body: str) -> dict[str, str]:
    path = tmp_path / "connectors.toml"
    path.write_text(body, encoding="utf-8")
    return {"CREDGRAPH_CONNECTORS_FILE": str(path)}


def _swayam(url: str, name: str = "swayam") -> str:
    return (
        f'[sources.{name}]\nconnector = "swayam"\nurl = "{url}"\n'
        f"[sources.{name}.options]\n{FAST}"
    )


@pytest.fixture
def migrated_url(db_url: str) -> str:
    asyncio.run(apply_migrations(db_url))
    return db_url


def test_unmigrated_database_is_exit_2_naming_migrate(db_url: str) -> None:
    result = _cli("sync", "swayam", "--base-url", "http://127.0.0.1:9", db_url=db_url)
    assert result.returncode == 2
    assert "credgraph migrate" in result.stderr


def test_usage_errors_are_exit_2(migrated_url: str) -> None:
    assert _cli("sync", db_url=migrated_url).returncode == 2  # no source
    both = _cli("sync", "swayam", "--all", db_url=migrated_url)
    assert both.returncode == 2
    unknown = _cli("sync", "nosuch", db_url=migrated_url)
    assert unknown.returncode == 2 and "unknown source 'nosuch'" in unknown.stderr


def test_sync_json_then_history_and_quarantine(
    migrated_url: str,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
    tmp_path: Path,
) -> None:
    sim = simulator_thread(courses=300, faults="malformed:every=100")
    env = _sources(tmp_path, _swayam(sim.url))
    result = _cli("sync", "swayam", "--json", db_url=migrated_url, env=env)

    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert SUMMARY_KEYS <= set(doc)
    assert (doc["connector"], doc["status"], doc["pages"]) == ("swayam", "succeeded", 3)
    assert (doc["created"], doc["quarantined"]) == (2 * 297, 3)

    runs = _cli("sync-runs", "--connector", "swayam", "--json", db_url=migrated_url)
    assert runs.returncode == 0
    [run] = json.loads(runs.stdout)
    assert (run["id"], run["status"], run["seen"]) == (doc["run"], "succeeded", 594)
    assert "succeeded" in _cli("sync-runs", db_url=migrated_url).stdout

    quarantined = _cli("quarantine", "--run", str(doc["run"]), db_url=migrated_url)
    assert quarantined.returncode == 0
    assert quarantined.stdout.count("reason:") == 3
    assert '"ncCode":42' in quarantined.stdout  # the raw record, as stored
    missing = _cli("quarantine", "--run", "999", db_url=migrated_url)
    assert missing.returncode == 2


def test_failed_run_is_exit_1_with_the_reason(
    migrated_url: str,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
    tmp_path: Path,
) -> None:
    sim = simulator_thread(courses=300, faults="error500:page=2")
    env = _sources(tmp_path, _swayam(sim.url))
    result = _cli("sync", "swayam", db_url=migrated_url, env=env)
    assert result.returncode == 1
    assert "failed" in result.stdout and "page 2" in result.stdout
    listed = _cli("sync-runs", "--json", db_url=migrated_url)
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert runs[0]["status"] == "failed" and "HTTP 500" in runs[0]["error"]


def test_locked_is_exit_3(
    migrated_url: str,
    backend: str,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
) -> None:
    sim = simulator_thread(courses=10)

    async def hold() -> object:
        if backend == "sqlite":
            async with open_database(migrated_url):
                now = datetime.now(UTC)
                await SyncLock.create(
                    source="swayam",
                    owner=f"{socket.gethostname()}:1:live",
                    acquired_at=now,
                    heartbeat_at=now,
                )
            return None
        import asyncpg

        from app.ingest.locks import ADVISORY_CLASS

        conn = await asyncpg.connect(
            migrated_url.replace("postgres://", "postgresql://")
        )
        await conn.execute(
            "SELECT pg_advisory_lock($1, hashtext('swayam'))", ADVISORY_CLASS
        )
        return conn

    loop = asyncio.new_event_loop()
    try:
        holder = loop.run_until_complete(hold())
        result = _cli("sync", "swayam", "--base-url", sim.url, db_url=migrated_url)
        assert result.returncode == 3, result.stderr
        assert "another sync of 'swayam' is running" in result.stdout
        if holder is not None:
            loop.run_until_complete(holder.close())  # type: ignore[attr-defined]
    finally:
        loop.close()


def test_sync_all_runs_every_source_and_reports_the_worst(
    migrated_url: str,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
    tmp_path: Path,
) -> None:
    good = simulator_thread(courses=100)
    bad = simulator_thread(courses=100, faults="error500")
    env = _sources(
        tmp_path, _swayam(good.url, "swayam") + "\n" + _swayam(bad.url, "mirror")
    )
    result = _cli("sync", "--all", "--json", db_url=migrated_url, env=env)
    assert result.returncode == 1
    docs = json.loads(result.stdout)
    assert [(d["source"], d["status"]) for d in docs] == [
        ("swayam", "succeeded"),
        ("mirror", "failed"),
    ]


def test_sources_file_refuses_inline_secrets(migrated_url: str, tmp_path: Path) -> None:
    env = _sources(
        tmp_path,
        '[sources.swayam]\nconnector = "swayam"\n'
        '[sources.swayam.secrets]\napi_key = "s3cr3t-value"\n',
    )
    result = _cli("sync", "--all", db_url=migrated_url, env=env)
    assert result.returncode == 2
    assert "must name an environment variable" in result.stderr


def test_help() -> None:
    for command in ("sync", "sync-runs", "quarantine"):
        result = subprocess.run(
            [sys.executable, "-m", "app", command, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0 and "usage:" in result.stdout, command
