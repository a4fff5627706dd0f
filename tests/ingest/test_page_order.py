"""Pages are written in order: a course on two pages ends as the later one
has it, though on PostgreSQL two pages are in flight at once (runner._commit)."""

from __future__ import annotations

import pytest

from app.db.models.catalogue import Course
from app.ingest import run_sync
from connectors import registry
from connectors.base import SourceConfig
from connectors.records import CourseRecord, ProviderRecord
from tests.ingest import pages_connector

OTHERS = 400  # a page slow to write beside a page of one course


def _course(key: str, title: str) -> CourseRecord:
    return CourseRecord(provider="uni", external_id=key, title=title)


@pytest.mark.asyncio
@pytest.mark.parametrize("stored", [False, True], ids=["new", "stored"])
async def test_a_course_on_two_pages_ends_as_the_later_page_has_it(
    migrated: str, monkeypatch: pytest.MonkeyPatch, stored: bool
) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "pages", "tests.ingest.pages_connector")
    config = SourceConfig("pages", "pages", "http://127.0.0.1:9", {})
    provider = ProviderRecord(slug="uni", name="A University")
    if stored:
        monkeypatch.setattr(pages_connector, "PAGES", [[provider, _course("k", "v0")]])
        assert (await run_sync(config)).status == "succeeded"
    others = [_course(f"other-{i}", f"Course {i}") for i in range(OTHERS)]
    monkeypatch.setattr(
        pages_connector,
        "PAGES",
        [[provider, _course("k", "v1"), *others], [_course("k", "v2")]],
    )

    outcome = await run_sync(config, full=True)

    assert outcome.status == "succeeded", outcome.error
    assert (await Course.get(external_id="k")).title == "v2"
    assert await Course.all().count() == OTHERS + 1
