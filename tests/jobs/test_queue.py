"""Queueing syncs through the API, claiming them, and the schedule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.db.models.sync import SyncRun
from app.jobs.queue import claim_next, enqueue
from app.jobs.schedule import ScheduleError, load_schedule, parse_every, queue_due
from tests.graphql.learners.conftest import codes, gql

START = """
mutation($source: String!) {
  startSync(source: $source) {
    run { id source connector status requestedBy }
    userErrors { field code message }
  }
}"""


@pytest.mark.asyncio
async def test_start_sync_queues_a_job(client: httpx.AsyncClient) -> None:
    body = await gql(client, START, {"source": "swayam"}, as_=("connector", "bot"))
    run = body["data"]["startSync"]["run"]
    assert run["status"] == "QUEUED" and run["connector"] == "swayam"
    assert run["requestedBy"] == "connector:bot"
    again = await gql(
        client, START, {"source": "swayam"}, as_=("platform_admin", "ops")
    )
    assert again["data"]["startSync"]["run"]["id"] == run["id"]  # not queued twice
    status = await gql(
        client,
        "query($id: ID!) { syncRun(id: $id) { status } }",
        {"id": run["id"]},
        as_=("connector", "bot"),
    )
    assert status["data"]["syncRun"]["status"] == "QUEUED"
    assert await SyncRun.filter(status="queued").count() == 1


@pytest.mark.asyncio
async def test_start_sync_roles(client: httpx.AsyncClient) -> None:
    assert codes(await gql(client, START, {"source": "swayam"})) == ["UNAUTHENTICATED"]
    for role in ("learner", "institution_admin"):
        body = await gql(client, START, {"source": "swayam"}, as_=(role, "x"))
        assert codes(body) == ["FORBIDDEN"]
    runs = await gql(
        client,
        "{ syncRuns { edges { node { id } } } }",
        as_=("learner", "123456789012"),
    )
    assert codes(runs) == ["FORBIDDEN"]


@pytest.mark.asyncio
async def test_unknown_source_is_a_user_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, START, {"source": "nope"}, as_=("platform_admin", "ops"))
    payload = body["data"]["startSync"]
    assert payload["run"] is None
    assert payload["userErrors"][0]["field"] == "source"


@pytest.mark.asyncio
async def test_two_workers_never_claim_the_same_job(db: str) -> None:
    job = await enqueue("swayam", "swayam", "test")
    claims = await asyncio.gather(*(claim_next(f"w{i}") for i in range(4)))
    winners = [c for c in claims if c is not None]
    assert [w.id for w in winners] == [job.id]
    assert (await SyncRun.get(id=job.id)).worker == winners[0].worker


@pytest.mark.asyncio
async def test_a_started_source_is_not_claimed_twice(db: str) -> None:
    await enqueue("swayam", "swayam", "test")
    assert (await claim_next("w1")) is not None
    await enqueue("swayam", "swayam", "test")  # queued again while running
    assert await claim_next("w2") is None


def test_every_parses(tmp_path: Path) -> None:
    assert parse_every("6h", "x") == timedelta(hours=6)
    assert parse_every("30m", "x") == timedelta(minutes=30)
    with pytest.raises(ScheduleError):
        parse_every("often", "x")
    path = tmp_path / "connectors.toml"
    path.write_text(
        '[sources.swayam]\nconnector = "swayam"\nevery = "6h"\n'
        '[sources.nptel]\nconnector = "nptel"\n'
    )
    assert [(e.source, e.every) for e in load_schedule(path)] == [
        ("swayam", timedelta(hours=6))
    ]


@pytest.mark.asyncio
async def test_schedule_queues_a_source_when_due(db: str, tmp_path: Path) -> None:
    path = tmp_path / "connectors.toml"
    path.write_text('[sources.swayam]\nconnector = "swayam"\nevery = "6h"\n')
    entries = load_schedule(path)
    assert len(await queue_due(entries, path)) == 1
    assert await queue_due(entries, path) == []  # one is waiting already
    job = await SyncRun.get(status="queued")
    await SyncRun.filter(id=job.id).update(status="succeeded")
    assert await queue_due(entries, path) == []  # ran less than 6 h ago
    await SyncRun.filter(id=job.id).update(
        queued_at=datetime.now(UTC) - timedelta(hours=7)
    )
    assert len(await queue_due(entries, path)) == 1


@pytest.mark.asyncio
async def test_a_job_whose_worker_stopped_is_failed_and_its_source_freed(
    db: str,
) -> None:
    await enqueue("swayam", "swayam", "test")
    job = await claim_next("w1")
    assert job is not None
    await SyncRun.filter(id=job.id).update(
        heartbeat_at=datetime.now(UTC) - timedelta(minutes=10)
    )
    await enqueue("swayam", "swayam", "test")
    again = await claim_next("w2")
    assert again is not None and again.id != job.id
    stale = await SyncRun.get(id=job.id)
    assert (stale.status, stale.error) == ("failed", "the worker stopped")
