"""edX and the CTDL Registry have change feeds: a second, non-full run asks
only for what changed (the simulator records what was asked) and applies the
changes and the provider's deletions; the CTDL files on disk have no feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db.models.catalogue import Course, Programme
from app.db.models.pathways import Pathway
from app.ingest import run_sync
from connectors import registry
from connectors.base import SourceConfig
from connectors.http import HttpClient, HttpPolicy
from tests.ingest.conftest import FAST_OPTIONS, StartSimulator

HTTP = {k: v for k, v in FAST_OPTIONS.items() if k != "page_size"}


def _edx(url: str) -> SourceConfig:
    options = {
        **HTTP,
        "token_url": url + "/oauth2/access_token",
        "client_id": "sim-client",
        "page_size": 40,
    }
    return SourceConfig("edx", "edx", url, options, {"client_secret": "sim-secret"})


def _ctdl(url: str) -> SourceConfig:
    options = {**HTTP, "per_page": 40}
    return SourceConfig("ctdl", "ctdl", url, options, {"api_key": "sim-ctdl-key"})


@pytest.mark.asyncio
async def test_edx_second_run_uses_the_timestamp_filter_and_withdraws_deleted_programs(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=200, seed=5)
    first = await run_sync(_edx(sim.url))
    assert first.status == "succeeded" and first.complete
    assert not any("timestamp=" in r for r in sim.state.requests)
    live_pathways = await Pathway.filter(source="edx", withdrawn=False).count()

    sim.control(generation=1, change=0.2, drop=0.1, reset_counts=True)
    second = await run_sync(_edx(sim.url))

    assert second.status == "succeeded", second.error
    listings = [r for r in sim.state.requests if "/api/v1/" in r]
    assert listings and all("timestamp=" in r for r in listings)
    assert not second.complete  # a feed cannot see absences
    assert 0 < second.courses.updated < 200 * 0.4
    changed = await Course.filter(source="edx", description__contains="generation 1")
    assert len(changed) == second.courses.updated
    assert await Course.filter(source="edx", withdrawn=True).count() == 0
    gone = await Pathway.filter(source="edx", withdrawn=True).count()
    assert gone > 0  # the deleted-programs listing, applied
    assert await Pathway.filter(source="edx", withdrawn=False).count() == (
        live_pathways - gone
    )


@pytest.mark.asyncio
async def test_ctdl_second_run_reads_the_event_feed_and_withdraws_deletions(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=100, seed=4)
    first = await run_sync(_ctdl(sim.url))
    assert first.status == "succeeded" and first.complete
    assert not any("/envelopes/events" in r for r in sim.state.requests)
    courses = await Course.filter(source="ctdl").count()

    sim.control(generation=1, change=0.1, drop=0.1, reset_counts=True)
    second = await run_sync(_ctdl(sim.url))

    assert second.status == "succeeded", second.error
    events = [r for r in sim.state.requests if "/envelopes/events" in r]
    assert events and all("after=" in r for r in events)
    assert not any("/envelopes?" in r for r in sim.state.requests)  # no listing
    assert not second.complete
    assert second.total.updated > 0
    assert await Course.filter(source="ctdl", title__contains="generation 1").exists()
    withdrawn = (
        await Course.filter(source="ctdl", withdrawn=True).count()
        + await Pathway.filter(source="ctdl", withdrawn=True).count()
        + await Programme.filter(source="ctdl", withdrawn=True).count()
    )
    assert withdrawn > 0  # deletions from the feed, applied
    assert await Course.filter(source="ctdl").count() == courses  # never deleted


@pytest.mark.asyncio
async def test_ctdl_files_have_no_feed(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text("{}", encoding="utf-8")
    files = SourceConfig("ctdl", "ctdl", None, {"path": str(tmp_path)})
    registry_form = SourceConfig("ctdl", "ctdl", "http://127.0.0.1:1")
    async with HttpClient(HttpPolicy()) as http:
        assert not getattr(registry.build_connector(files, http), "incremental", False)
        assert registry.build_connector(registry_form, http).incremental
        edx = registry.build_connector(SourceConfig("edx", "edx", "http://x"), http)
        assert edx.incremental


@pytest.mark.asyncio
async def test_edx_a_week_after_the_last_complete_run_is_a_full_pass_again(
    migrated: str, start_simulator: StartSimulator
) -> None:
    from datetime import UTC, datetime, timedelta

    from app.db.models.sync import SyncRun

    sim = await start_simulator(courses=100, seed=5)
    first = await run_sync(_edx(sim.url))
    assert first.complete
    # edX's feed has no course tombstones: a removed course is only seen
    # missing by a complete pass, which comes back once the last is 7 days old.
    week_ago = datetime.now(UTC) - timedelta(days=8)
    await SyncRun.filter(id=first.run_id).update(started_at=week_ago)
    sim.control(generation=1, drop=0.1, reset_counts=True)

    second = await run_sync(_edx(sim.url))
    assert second.status == "succeeded" and second.complete
    assert not any("timestamp=" in r for r in sim.state.requests)
    assert second.courses.withdrawn > 0
    assert await Course.filter(source="edx", withdrawn=True).count() > 0
