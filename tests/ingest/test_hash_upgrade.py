"""A database synced before the content hash changed scheme: the next sync
recognises the old digests, so unchanged rows are counted unchanged and keep
their `last_changed`; it restamps them, and the sync after writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.db.models.catalogue import Course, Offering, Provider
from app.ingest import run_sync
from app.ingest.hashing import SCHEME, legacy_content_hash
from connectors.keys import storage_key
from connectors.records import CourseRecord, OfferingRecord
from tests.ingest.conftest import StartSimulator, sent_records, source

LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.asyncio
async def test_rows_hashed_by_the_previous_scheme_are_not_rewritten(
    migrated: str, start_simulator: StartSimulator
) -> None:
    sim = await start_simulator(courses=60, seed=5)
    config = source(sim)
    await run_sync(config)
    providers = dict(await Provider.all().values_list("slug", "id"))
    # What the previous release stored: its digest, dated long ago.
    for r in await sent_records(config):
        if not isinstance(r, CourseRecord | OfferingRecord):
            continue
        model = Course if isinstance(r, CourseRecord) else Offering
        await model.filter(
            provider_id=providers[r.provider], external_id=storage_key(r.external_id)
        ).update(content_hash=legacy_content_hash(r), last_changed=LONG_AGO)
    # ... before offerings kept the fingerprint of their payload, too ...
    await Offering.all().update(raw_digest=None)
    # ... and one course whose content changed since (its old digest differs).
    edited = await Course.filter().order_by("id").first()
    assert edited is not None
    await Course.filter(id=edited.id).update(content_hash="0" * 32)

    upgraded = await run_sync(config, full=True)

    assert upgraded.status == "succeeded"
    assert (upgraded.courses.unchanged, upgraded.courses.updated) == (59, 1)
    assert (upgraded.offerings.unchanged, upgraded.offerings.updated) == (60, 0)
    untouched = await Course.exclude(id=edited.id).values_list(
        "last_changed", flat=True
    )
    assert set(untouched) == {LONG_AGO}
    assert (await Course.get(id=edited.id)).last_changed > LONG_AGO
    hashes = await Course.all().values_list("content_hash", flat=True)
    hashes += await Offering.all().values_list("content_hash", flat=True)
    assert all(h.startswith(SCHEME) for h in hashes)

    again = await run_sync(config, full=True)
    assert again.total.changed == 0
    assert again.courses.unchanged == 60
