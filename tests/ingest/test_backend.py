"""The engine's write transactions on both backends.

On SQLite a statement whose result nobody reads is queued and sent with the
next read or with the COMMIT (one trip to the driver's thread): these tests
pin what a caller may rely on regardless, order and all-or-nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.db.models.catalogue import Provider
from app.ingest.backend import Tx, write_transaction

_INSERT = (
    'INSERT INTO "provider" ("slug", "name", "kind", "abc_registered", "swayam", '
    '"created_at", "updated_at") VALUES (?, ?, ?, ?, ?, ?, ?)'
)


def _provider(slug: str) -> list[object]:
    now = datetime.now(UTC)
    return [slug, slug.upper(), "platform", False, False, now, now]


async def _rename(tx: Tx, slug: str, name: str, error: Exception) -> None:
    await tx.execute_changing(
        'UPDATE "provider" SET "name" = ? WHERE "slug" = ?', [name, slug], error
    )


@pytest.mark.asyncio
async def test_a_read_sees_the_writes_before_it(db: str) -> None:
    async with write_transaction() as tx:
        await tx.execute(_INSERT, _provider("first"))
        await tx.executemany(_INSERT, [_provider("second"), _provider("third")])
        rows = await tx.fetch('SELECT "slug" FROM "provider" ORDER BY "id"')
        assert [r[0] for r in rows] == ["first", "second", "third"]
    assert await Provider.all().count() == 3


@pytest.mark.asyncio
async def test_a_failing_statement_undoes_the_whole_transaction(db: str) -> None:
    with pytest.raises(Exception, match="(?i)unique"):
        async with write_transaction() as tx:
            await tx.execute(_INSERT, _provider("kept-out"))
            await tx.execute(_INSERT, _provider("twice"))
            await tx.execute(_INSERT, _provider("twice"))  # the unique slug
    assert await Provider.all().count() == 0
    # The connection is usable afterwards, outside any transaction.
    async with write_transaction() as tx:
        await tx.execute(_INSERT, _provider("after"))
    assert await Provider.filter(slug="after").exists()


@pytest.mark.asyncio
async def test_a_statement_that_must_change_a_row_raises_when_none_matches(
    db: str,
) -> None:
    class Gone(Exception):
        pass

    async with write_transaction() as tx:
        await tx.execute(_INSERT, _provider("present"))
        await _rename(tx, "present", "Present", Gone("not raised: a row matched"))
    assert (await Provider.get(slug="present")).name == "Present"

    with pytest.raises(Gone):
        async with write_transaction() as tx:
            await tx.execute(_INSERT, _provider("rolled-back"))
            await _rename(tx, "absent", "Nobody", Gone("no such provider"))
    assert not await Provider.filter(slug="rolled-back").exists()
