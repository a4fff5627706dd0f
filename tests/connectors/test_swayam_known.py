"""SWAYAM nodes the engine has stored from the same payload are not parsed again.

The engine's lookup (`SyncState.known`) says, a page at a time, which of the
page's offerings it holds and from which fingerprint; the connector yields an
`Unchanged` for those instead of parsing them, and everything else as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from connectors.base import Known, SyncState
from connectors.http import HttpClient
from connectors.keys import storage_key
from connectors.records import (
    CourseRecord,
    OfferingRecord,
    PageDone,
    ProviderRecord,
    Unchanged,
)
from connectors.swayam_nodes import fingerprint
from tests.connectors.conftest import StartSimulator, collect, of_type


class Lookup:
    """A stand-in for the engine's store: what it holds, and what it was asked."""

    def __init__(self, held: dict[tuple[str, str], Known]) -> None:
        self.held = held
        self.asked: list[list[tuple[str, str]]] = []

    async def __call__(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], Known]:
        self.asked.append(list(keys))
        return {k: self.held[k] for k in keys if k in self.held}


def _stored(offerings: list[OfferingRecord]) -> dict[tuple[str, str], Known]:
    """What a database holds after a sync of these offerings."""
    return {
        (o.provider, storage_key(o.external_id)): Known(
            o.fingerprint,  # type: ignore[arg-type]
            storage_key(o.course_external_id),
            ("ref", o.external_id),
        )
        for o in offerings
    }


@pytest.mark.asyncio
async def test_stored_nodes_come_back_unchanged_and_the_rest_parsed(
    start_simulator: StartSimulator, http: HttpClient, swayam_sample: Path
) -> None:
    sim = await start_simulator(swayam_sample=swayam_sample)
    first = await collect(sim, http, page_size=100)
    offerings = of_type(first, OfferingRecord)
    assert all(isinstance(o.fingerprint, int) for o in offerings)
    held = _stored(offerings)
    # One offering stored from another payload (the provider edited a field,
    # or the parser changed since), one never stored.
    edited, new = offerings[150], offerings[400]
    key = (edited.provider, edited.external_id)
    held[key] = held[key]._replace(fingerprint=edited.fingerprint + 1)
    del held[(new.provider, new.external_id)]
    lookup = Lookup(held)

    again = await collect(sim, http, SyncState(known=lookup), page_size=100)

    # One question a page, with the page's keys.
    assert len(lookup.asked) == len(of_type(again, PageDone)) == 7
    assert sum(len(keys) for keys in lookup.asked) == 641
    parsed = of_type(again, OfferingRecord)
    assert {o.external_id for o in parsed} == {edited.external_id, new.external_id}
    unchanged = of_type(again, Unchanged)
    assert len(unchanged) == 639
    assert all(u.ref == ("ref", u.external_id) for u in unchanged)
    # Each course still comes once a run: as a parsed record, or as the
    # `course` of its first Unchanged offering.
    courses = of_type(again, CourseRecord)
    firsts = [u for u in unchanged if u.course]
    assert len(courses) + len(firsts) == 640
    # The same coordinators are introduced as in a run without a lookup.
    assert [p.slug for p in of_type(again, ProviderRecord)] == [
        p.slug for p in of_type(first, ProviderRecord)
    ]


@pytest.mark.asyncio
async def test_what_the_lookup_does_not_report_is_parsed(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    """The engine reports only current rows; whatever it does not report is
    parsed, so a lookup that knows nothing changes nothing."""
    sim = await start_simulator(courses=120, seed=3)
    plain = await collect(sim, http, page_size=50)
    lookup = Lookup({})

    looked_up = await collect(sim, http, SyncState(known=lookup), page_size=50)

    assert lookup.asked and not of_type(looked_up, Unchanged)
    assert [type(r) for r in looked_up] == [type(r) for r in plain]


def test_a_fingerprint_follows_the_payload_as_received() -> None:
    node = {"id": "Q291cnNlTGlzdDovbmQxX25vYzIwX21hMzk=", "title": "Calculus"}
    same = orjson.loads(orjson.dumps(node))
    assert fingerprint(same) == fingerprint(node)
    assert fingerprint({**node, "title": "Calculus II"}) != fingerprint(node)
    # Another key order is another payload: parsed again, found unchanged.
    assert fingerprint(dict(reversed(node.items()))) != fingerprint(node)
    assert fingerprint({"n": 1 << 70}) is None  # beyond orjson: always parsed
