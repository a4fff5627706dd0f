"""Cross-provider equivalence groups over synced catalogues (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.db.models.catalogue import Course, EquivalenceDecision, EquivalenceGroup
from app.ingest import run_sync
from app.ingest.equivalence import (
    EquivalenceError,
    join,
    match_all,
    register_hook,
    split,
    unregister_hook,
)
from connectors.base import SourceConfig
from connectors.simulator import Simulator
from connectors.simulator import coursera as simulated_coursera
from connectors.simulator import edx as simulated_edx
from connectors.simulator import nptel as simulated_nptel
from tests.ingest.conftest import FAST_OPTIONS, StartSimulator, source


@pytest.fixture
def rematch_after_sync() -> Iterator[None]:
    register_hook()
    yield
    unregister_hook()


def nptel(sim: Simulator) -> SourceConfig:
    return simulated_nptel.source_config(sim.url, kind="csv", **FAST_OPTIONS)


def edx(sim: Simulator) -> SourceConfig:
    return simulated_edx.source_config(sim.url, **FAST_OPTIONS)


def coursera(sim: Simulator) -> SourceConfig:
    return simulated_coursera.source_config(sim.url, **FAST_OPTIONS, limit=100)


async def groups() -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for row in await Course.filter(equivalence_group_id__not_isnull=True).values(
        "id", "source", "equivalence_group_id", "equivalence_reason"
    ):
        out.setdefault(row["equivalence_group_id"], []).append(row)
    return out


@pytest.mark.asyncio
async def test_nptel_list_and_swayam_join_by_identifier_after_sync(
    migrated: str,
    start_simulator: StartSimulator,
    swayam_sample: Path,
    rematch_after_sync: None,
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    assert (await run_sync(source(sim))).status == "succeeded"
    assert not await groups()  # one source: nothing to match
    assert (await run_sync(nptel(sim))).status == "succeeded"

    found = await groups()
    assert len(found) == 353  # every NPTEL run of the sample, once
    for members in found.values():
        assert sorted(m["source"] for m in members) == ["nptel", "swayam"]
        assert all(m["equivalence_reason"].startswith("identifier") for m in members)
    assert await EquivalenceDecision.filter(action="matched").count() == 706

    # Nothing moved: matching again writes nothing.
    again = await match_all()
    assert (again.groups, again.matched, again.unmatched) == (353, 0, 0)


@pytest.mark.asyncio
async def test_title_institution_and_coordinator_match_across_catalogues(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=30, seed=5)
    assert (await run_sync(edx(sim))).status == "succeeded"
    assert (await run_sync(coursera(sim))).status == "succeeded"
    report = await match_all()
    assert report.groups == 30 and report.reasons == {"title": 60}
    found = await groups()
    assert all(
        sorted(m["source"] for m in g) == ["coursera", "edx"] for g in found.values()
    )


@pytest.mark.asyncio
async def test_operator_join_and_split_survive_later_matching_and_syncs(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=12, seed=5)
    await run_sync(edx(sim))
    await run_sync(coursera(sim))
    await match_all()
    first, second, *_ = sorted((await groups()).items())
    a, b = (m["id"] for m in first[1])
    c = second[1][0]["id"]

    split_group = await split(a, "operator:test", "different syllabus")
    joined = await join([b, c], "operator:test")
    assert (await EquivalenceGroup.get(id=joined)).pinned

    report = await match_all()
    assert report.pinned_skipped == 3
    assert (await Course.get(id=a)).equivalence_group_id == split_group
    assert {
        x["id"] for x in await Course.filter(equivalence_group_id=joined).values("id")
    } == {b, c}
    # c's old twin lost its partner to the operator's group: out of its group.
    assert report.unmatched == 1

    sim.control(generation=1, change=0.5, drop=0.0)
    await run_sync(edx(sim))
    await run_sync(coursera(sim))
    await match_all()
    assert (await Course.get(id=a)).equivalence_group_id == split_group
    assert (await Course.get(id=c)).equivalence_group_id == joined
    reasons = await EquivalenceDecision.filter(course_id=a).values_list(
        "action", flat=True
    )
    assert list(reasons) == ["matched", "split"]


@pytest.mark.asyncio
async def test_operator_mistakes_are_refused(migrated: str) -> None:
    with pytest.raises(EquivalenceError, match="at least two"):
        await join([1], "operator:test")
    with pytest.raises(EquivalenceError, match="no course"):
        await join([1, 2], "operator:test")
    with pytest.raises(EquivalenceError, match="no course"):
        await split(99, "operator:test")
