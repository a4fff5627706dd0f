"""A re-sync does not parse what the provider sends exactly as before.

Each offering keeps the fingerprint of the node it was last confirmed from
(`raw_digest`); the engine's lookup hands those to the SWAYAM connector,
which parses only the nodes whose fingerprint differs.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.db.models.catalogue import Course, Offering
from app.ingest import run_sync
from app.ingest.known import StoredOfferings
from connectors.swayam_nodes import NodeParser
from tests.ingest.conftest import StartSimulator, source

COURSES = 150
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the nodes the connector parses."""
    calls: list[str] = []
    original = NodeParser.parse

    def counting(self: NodeParser, node, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(self, node, *args, **kwargs)
        calls.append(result[2].external_id)
        return result

    monkeypatch.setattr(NodeParser, "parse", counting)
    return calls


@pytest.mark.asyncio
async def test_an_unchanged_resync_parses_no_node(
    migrated: str, start_simulator: StartSimulator, parsed: list[str]
) -> None:
    sim = await start_simulator(courses=COURSES, seed=2)
    await run_sync(source(sim))
    assert len(parsed) == COURSES
    assert await Offering.filter(raw_digest__isnull=True).count() == 0
    parsed.clear()

    again = await run_sync(source(sim), full=True)

    assert parsed == []
    assert again.courses.unchanged == again.courses.seen == COURSES
    assert again.offerings.unchanged == again.offerings.seen == COURSES
    assert again.total.changed == 0


@pytest.mark.asyncio
async def test_a_changed_node_is_parsed_and_written(
    migrated: str, start_simulator: StartSimulator, parsed: list[str]
) -> None:
    sim = await start_simulator(courses=COURSES, seed=2, change=0.2)
    await run_sync(source(sim))
    parsed.clear()

    sim.control(generation=1)
    changed = await run_sync(source(sim))

    assert 0 < len(parsed) < COURSES  # only what changed
    assert changed.offerings.updated == len(parsed)
    assert changed.offerings.unchanged == changed.offerings.seen - len(parsed)
    revised = await Course.filter(description__contains="revised, generation 1")
    assert len(revised) == len(parsed)


@pytest.mark.asyncio
async def test_rows_stored_from_another_fingerprint_are_restamped_not_rewritten(
    migrated: str, start_simulator: StartSimulator, parsed: list[str]
) -> None:
    """After the parser changes (its source is in the fingerprint), or the
    provider edits a field we do not keep, nodes are parsed again once: rows
    whose content is the same keep their `last_changed`, and only their
    fingerprint is brought up to date."""
    sim = await start_simulator(courses=COURSES, seed=2)
    await run_sync(source(sim))
    stamps = dict(await Offering.all().values_list("id", "raw_digest"))
    for pk, digest in stamps.items():
        await Offering.filter(id=pk).update(raw_digest=digest ^ 1)
    await Offering.all().update(last_changed=LONG_AGO)
    await Course.all().update(last_changed=LONG_AGO)
    parsed.clear()

    upgraded = await run_sync(source(sim), full=True)

    assert len(parsed) == COURSES
    assert upgraded.total.changed == 0
    assert dict(await Offering.all().values_list("id", "raw_digest")) == stamps
    for model in (Course, Offering):
        assert set(await model.all().values_list("last_changed", flat=True)) == {
            LONG_AGO
        }
    parsed.clear()
    await run_sync(source(sim), full=True)
    assert parsed == []


@pytest.mark.asyncio
async def test_a_withdrawn_row_sent_again_unchanged_is_reinstated(
    migrated: str, start_simulator: StartSimulator, parsed: list[str]
) -> None:
    sim = await start_simulator(courses=COURSES, seed=2)
    await run_sync(source(sim))
    gone = await Offering.all().order_by("id").first()
    assert gone is not None
    await Offering.filter(id=gone.id).update(withdrawn=True, withdrawn_at=LONG_AGO)
    await Course.filter(id=gone.course_id).update(withdrawn=True, withdrawn_at=LONG_AGO)
    parsed.clear()

    back = await run_sync(source(sim), full=True)

    assert parsed == [gone.external_id]
    assert (back.courses.updated, back.offerings.updated) == (1, 1)
    assert await Offering.filter(withdrawn=True).count() == 0
    assert await Course.filter(withdrawn=True).count() == 0


@pytest.mark.asyncio
async def test_a_failing_lookup_costs_a_parse_not_the_run(
    migrated: str,
    start_simulator: StartSimulator,
    parsed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_simulator(courses=COURSES, seed=2)
    await run_sync(source(sim))
    parsed.clear()

    async def broken(self: StoredOfferings, keys: object) -> list[object]:
        raise OSError("disk I/O error")

    monkeypatch.setattr(StoredOfferings, "_rows", broken)
    again = await run_sync(source(sim), full=True)

    assert again.status == "succeeded"
    assert len(parsed) == COURSES
    assert again.total.unchanged == again.total.seen == 2 * COURSES
