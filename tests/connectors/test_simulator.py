"""The simulator as its users drive it: generated feeds, faults, /_control, the CLI."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC

import aiohttp
import pytest

from connectors.http import HttpClient
from connectors.records import CourseRecord, Malformed, OfferingRecord, PageDone
from connectors.simulator.faults import FaultPlan, FaultSyntaxError, parse_faults
from tests.connectors.conftest import ROOT, StartSimulator, collect, of_type


@pytest.mark.asyncio
async def test_generated_feed_is_complete_and_deterministic(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    one = await start_simulator(courses=2500, seed=7)
    two = await start_simulator(courses=2500, seed=7)
    other = await start_simulator(courses=2500, seed=8)
    first = await collect(one, http, page_size=1000)
    offerings = of_type(first, OfferingRecord)
    assert len({o.external_id for o in offerings}) == 2500
    assert len(of_type(first, CourseRecord)) == 2500
    assert [p.number for p in of_type(first, PageDone)] == [1, 2, 3]

    def key(records: list) -> list:  # type: ignore[type-arg]
        return [
            (r.external_id, r.start, r.end) for r in of_type(records, OfferingRecord)
        ]

    assert key(await collect(two, http, page_size=1000)) == key(first)
    assert key(await collect(other, http, page_size=1000)) != key(first)


@pytest.mark.asyncio
async def test_generated_feed_has_the_awkward_parts_of_the_real_one(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=2000, seed=3)
    records = await collect(sim, http, page_size=1000)
    courses = of_type(records, CourseRecord)
    offerings = of_type(records, OfferingRecord)
    assert any(c.weeks is None for c in courses)
    assert any(c.credits is None for c in courses)
    assert any(o.start is None for o in offerings)
    assert any(o.end is None for o in offerings)
    # Timestamps off IST midnight: the IST date differs from the UTC one.
    raws = [o.raw["startDate"] for o in offerings if o.start]
    assert Counter(r[11:16] for r in raws)["18:30"] < len(raws) * 0.6
    assert all(c.title == c.title.strip() for c in courses)


@pytest.mark.asyncio
async def test_generations_change_and_drop_records(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=1000, seed=1)
    before = {
        o.external_id: o for o in of_type(await collect(sim, http), OfferingRecord)
    }
    sim.control(generation=1, change=0.1, drop=0.05)
    after = {
        o.external_id: o for o in of_type(await collect(sim, http), OfferingRecord)
    }
    dropped = set(before) - set(after)
    changed = [k for k in after if after[k].status != before[k].status]
    assert 20 < len(dropped) < 80
    assert 50 < len(changed) < 150
    assert not set(after) - set(before)

    # Going back gives back exactly generation 0.
    sim.control(generation=0)
    again = {
        o.external_id: o for o in of_type(await collect(sim, http), OfferingRecord)
    }
    assert again.keys() == before.keys()


@pytest.mark.asyncio
async def test_control_endpoint_changes_the_world_and_reports_hits(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=50)
    async with aiohttp.ClientSession() as session:
        posted = await session.post(
            sim.url + "/_control",
            json={"generation": 2, "faults": "error500:times=1", "reset_counts": True},
        )
        assert posted.status == 200
        assert (await posted.json())["generation"] == 2
        records = await collect(sim, http, page_size=100)
        status = await (await session.get(sim.url + "/_control")).json()
        refused = await session.post(sim.url + "/_control", json={"faults": "nope"})
        assert refused.status == 400
    assert of_type(records, OfferingRecord)
    assert status["fired"] == {"error500": 1}
    assert status["hits"]["swayam"] == 2


def test_fault_grammar() -> None:
    faults = parse_faults("error500:p=0.25:page=2, rate429:every=3:retry_after=5")
    assert [(f.kind, f.p, f.page) for f in faults] == [
        ("error500", 0.25, 2),
        ("rate429", None, None),
    ]
    assert faults[1].every == 3 and faults[1].retry_after == 5
    for bad in ("boom", "error500:p", "error500:p=x", "slow:colour=red"):
        with pytest.raises(FaultSyntaxError):
            parse_faults(bad)


def test_probabilistic_faults_are_reproducible_and_every_nth_is_exact() -> None:
    def fired(seed: int) -> list[bool]:
        plan = FaultPlan.parse("error500:p=0.3", seed)
        return [plan.request_fault("swayam", 1) is not None for _ in range(200)]

    assert fired(1) == fired(1)
    assert fired(1) != fired(2)
    assert 40 < sum(fired(1)) < 80

    plan = FaultPlan.parse("html200:every=4")
    hits = [plan.request_fault("swayam", 1) is not None for _ in range(12)]
    assert [i for i, hit in enumerate(hits) if hit] == [3, 7, 11]
    assert plan.fired["html200"] == 3


@pytest.mark.asyncio
async def test_simulate_command_serves_the_connector(http: HttpClient) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "simulate",
        "--port",
        "0",
        "--courses",
        "300",
        "--faults",
        "error500:every=2,malformed:every=50",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert "listening on http://127.0.0.1:" in line
        url = line.split("listening on ", 1)[1].split()[0]
        records = await collect(url, http, page_size=100)
    finally:
        process.terminate()
        code = await process.wait()
    assert len(of_type(records, OfferingRecord)) == 294
    assert len(of_type(records, Malformed)) == 6
    # Three pages; every second request failed once and was retried.
    assert (http.stats.requests, http.stats.retries) == (5, 2)
    assert code == 0


def test_dates_are_not_all_at_ist_midnight() -> None:
    from connectors.simulator import data

    starts = [data.course(i, 0).start for i in range(500)]
    times = Counter((s.hour, s.minute) for s in starts if s)
    assert times[(18, 30)] < 300 and len(times) > 3
    assert all(s.tzinfo is UTC for s in starts if s)
