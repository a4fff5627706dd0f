"""Withdrawal: rows a complete pass did not see are marked, never deleted.

Only a run that saw the whole source (every page, from the first, across the
runs it resumed) and succeeded may decide that something is gone: a failed or
partial run proves nothing about the pages it did not reach. Withdrawal is
absence only: an offering that has ended, or a course whose runs have all
ended, is still listed by the provider (SWAYAM is asked for closed runs too),
so an end date never withdraws anything. A row seen again is reinstated by
the upsert. Explicit `Withdrawal` records (a provider saying "deleted") are
applied as they come.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from app.ingest.backend import Tx, read_connection, write_transaction
from app.ingest.keys import storage_key
from app.ingest.upsert import in_clause, refresh_course_summary
from connectors.records import Withdrawal

_CHUNK = 500
_TABLES = {
    "course": "course",
    "offering": "offering",
    "pathway": "pathway",
    "programme": "programme",
}


async def _mark(tx: Tx, table: str, ids: Sequence[int], now: datetime) -> None:
    where, params = in_clause(tx, '"id"', ids)
    await tx.execute(
        f'UPDATE "{table}" SET "withdrawn" = ?, "withdrawn_at" = ?, '
        f'"last_changed" = ? WHERE {where} AND NOT "withdrawn"',
        [True, now, now, *params],
    )


async def apply_withdrawals(
    tx: Tx, records: Sequence[Withdrawal], providers: dict[str, int], now: datetime
) -> int:
    """Mark what a provider said is gone; returns how many rows it changed."""
    count = 0
    for w in records:
        table = _TABLES[w.entity]
        if table == "programme":
            owner = (
                'SELECT "id" FROM "institution" WHERE "slug" = ?',
                w.provider,
            )
            key_col = '"institution_id"'
        else:
            owner = ('SELECT "id" FROM "provider" WHERE "slug" = ?', w.provider)
            key_col = '"provider_id"'
        rows = await tx.fetch(
            f'SELECT "id" FROM "{table}" WHERE {key_col} = ({owner[0]}) '
            'AND "external_id" = ? AND NOT "withdrawn"',
            [owner[1], storage_key(w.external_id)],
        )
        ids = [row[0] for row in rows]
        if ids:
            await _mark(tx, table, ids, w.at or now)
            count += len(ids)
    return count


async def _unseen(table: str, source: str, seen: set[int]) -> list[int]:
    async with read_connection() as tx:
        rows = await tx.fetch(
            f'SELECT "id" FROM "{table}" WHERE "source" = ? AND NOT "withdrawn"',
            [source],
        )
    return [row[0] for row in rows if row[0] not in seen]


async def withdraw_unseen(
    source: str,
    seen_courses: set[int],
    seen_offerings: set[int],
    now: datetime,
) -> tuple[int, int]:
    """Mark this source's rows the complete pass did not see; (courses, offerings)."""
    courses = await _unseen("course", source, seen_courses)
    offerings = await _unseen("offering", source, seen_offerings)
    for table, ids in (("course", courses), ("offering", offerings)):
        for start in range(0, len(ids), _CHUNK):
            async with write_transaction() as tx:
                await _mark(tx, table, ids[start : start + _CHUNK], now)
    if offerings:
        await _refresh_for_offerings(offerings)
    return len(courses), len(offerings)


async def _refresh_for_offerings(offering_ids: Iterable[int]) -> None:
    ids = list(offering_ids)
    for start in range(0, len(ids), _CHUNK):
        async with write_transaction() as tx:
            where, params = in_clause(tx, '"id"', ids[start : start + _CHUNK])
            rows = await tx.fetch(
                f'SELECT DISTINCT "course_id" FROM "offering" WHERE {where}', params
            )
            await refresh_course_summary(tx, [row[0] for row in rows])
