"""The catalogue generation: one integer that rises whenever public catalogue
data changes (a sync, a pathway or programme edited through the API), so every
API worker can tell its cached answers are stale by reading one row."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app.db.models.sync import CatalogueGeneration

_ROW = 1


async def read_generation() -> int:
    values = await CatalogueGeneration.filter(id=_ROW).values_list(
        "generation", flat=True
    )
    return values[0] if values else 0


async def bump_generation() -> None:
    """Tell every API worker's cache that the catalogue changed.

    The UPDATE is the statement's first write, so on SQLite it takes the write
    lock at once rather than failing a read-to-write upgrade (TECH-NOTES §2.7).
    """
    if await _increment():
        return
    try:
        await CatalogueGeneration.create(
            id=_ROW, generation=1, changed_at=datetime.now(UTC)
        )
    except IntegrityError:  # another process made the row first
        await _increment()


async def _increment() -> int:
    return await CatalogueGeneration.filter(id=_ROW).update(
        generation=F("generation") + 1, changed_at=datetime.now(UTC)
    )
