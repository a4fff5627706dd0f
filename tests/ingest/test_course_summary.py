"""The course columns the catalogue filters read (next start, cheapest fee and
its currency, exam) follow the course's live runs through syncs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.db.models.catalogue import Course
from app.ingest import run_sync
from connectors import registry
from connectors.base import SourceConfig, SyncState
from connectors.records import (
    CourseRecord,
    OfferingRecord,
    PageDone,
    ProviderRecord,
    Record,
)

TODAY = datetime.now(UTC).date()
FEED: list[Record] = []


class Scripted:
    """A connector that yields whatever the test put in FEED, as one page."""

    name = "scripted"

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        for record in FEED:
            yield record
        yield PageDone(1, "done")


def build(config: SourceConfig, http: Any) -> Scripted:
    return Scripted()


def _feed(courses: dict[str, list[OfferingRecord]]) -> None:
    FEED[:] = [ProviderRecord("acme", "Acme")]
    for key, runs in courses.items():
        FEED.append(CourseRecord("acme", key, f"Course {key}"))
        FEED.extend(runs)


def _run(course: str, slug: str, days: int, **values: Any) -> OfferingRecord:
    start = TODAY + timedelta(days=days)
    return OfferingRecord("acme", course, slug, start=start, **values)


async def _summary(key: str) -> tuple[date | None, int | None, str | None, Any]:
    course = await Course.get(external_id=key)
    return course.next_start, course.min_fee_minor, course.fee_currency, course.has_exam


@pytest.mark.asyncio
async def test_summary_follows_the_live_runs(
    migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "scripted", __name__)
    config = SourceConfig("scripted", "scripted")
    _feed({
        "a": [
            _run("a", "a-past", -30, fee_minor=50000, currency="INR", has_exam=False),
            _run("a", "a-soon", 10, fee_minor=30000, currency="inr", has_exam=True),
            _run("a", "a-later", 60, fee_minor=40000, currency="INR"),
        ],
        "b": [_run("b", "b-old", -400), _run("b", "b-last", -20, has_exam=False)],
        "c": [_run("c", "c-free", 5, fee_minor=0)],
    })  # fmt: skip
    first = await run_sync(config)
    assert first.status == "succeeded", first.error
    # The next start is the earliest upcoming run, not the latest one; the
    # cheapest fee carries its currency, so a maxFee in INR can match it.
    assert await _summary("a") == (TODAY + timedelta(days=10), 30000, "INR", True)
    # No upcoming run: the latest past start.
    assert await _summary("b") == (TODAY - timedelta(days=20), None, None, False)
    assert await _summary("c") == (TODAY + timedelta(days=5), 0, None, None)

    # Next sync: a's upcoming runs are gone (withdrawn), b has no runs left,
    # c gains a paid run with an exam (an existing course: recomputed in SQL).
    _feed({
        "a": [
            _run("a", "a-past", -30, fee_minor=50000, currency="INR", has_exam=False)
        ],
        "b": [],
        "c": [
            _run("c", "c-free", 5, fee_minor=0),
            _run("c", "c-paid", 2, fee_minor=9900, currency="USD", has_exam=True),
        ],
    })  # fmt: skip
    second = await run_sync(config, full=True)
    assert second.status == "succeeded", second.error
    assert await _summary("a") == (TODAY - timedelta(days=30), 50000, "INR", False)
    # Every run withdrawn: no stale start, fee or exam left behind.
    assert await _summary("b") == (None, None, None, None)
    assert await _summary("c") == (TODAY + timedelta(days=2), 0, None, True)
