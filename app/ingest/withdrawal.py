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

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.ingest.backend import Tx, write_transaction
from app.ingest.summary import refresh_course_summary
from app.ingest.upsert import in_clause
from connectors.keys import storage_key
from connectors.records import Withdrawal

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
    runs_of: list[int] = []  # courses whose offerings a provider withdrew
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
        course = ', "course_id"' if table == "offering" else ""
        rows = await tx.fetch(
            f'SELECT "id"{course} FROM "{table}" WHERE {key_col} = ({owner[0]}) '
            'AND "external_id" = ? AND NOT "withdrawn"',
            [owner[1], storage_key(w.external_id)],
        )
        ids = [row[0] for row in rows]
        if ids:
            await _mark(tx, table, ids, w.at or now)
            count += len(ids)
            if course:
                runs_of.extend(row[1] for row in rows)
    await refresh_course_summary(tx, runs_of)
    return count


def _seen(tx: Tx, column: str, run_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """A subquery of the ids the pages of these runs saw (`sync_page` JSON)."""
    if tx.dialect == "postgres":
        return (
            f'SELECT (jsonb_array_elements_text(p."{column}"))::int '
            'FROM "sync_page" AS p WHERE p."run_id" = ANY(?)',
            [list(run_ids)],
        )
    where, params = in_clause(tx, 'p."run_id"', run_ids)
    return (
        f'SELECT j.value FROM "sync_page" AS p, json_each(p."{column}") AS j '
        f"WHERE {where}",
        params,
    )


async def withdraw_unseen(
    source: str, run_ids: Sequence[int], now: datetime
) -> tuple[int, int]:
    """Mark this source's rows that no page of these runs saw; (courses, offerings).

    Done in SQL from the page log, so a pass of any size holds no set of ids
    in memory.
    """
    async with write_transaction() as tx:
        gone: dict[str, list[Any]] = {}
        for table, column in (("course", "course_ids"), ("offering", "offering_ids")):
            seen, params = _seen(tx, column, run_ids)
            returning = '"id", "course_id"' if table == "offering" else '"id"'
            # `"withdrawn" = ?`, not `NOT "withdrawn"`: SQLite then walks
            # the index on withdrawn, whose entries carry the id, and reads
            # only the rows left after NOT IN for their source (a re-sync
            # of 50k courses, ad hoc: 44 -> 17 ms a table).
            gone[table] = await tx.fetch(
                f'UPDATE "{table}" SET "withdrawn" = ?, "withdrawn_at" = ?, '
                f'"last_changed" = ? WHERE "withdrawn" = ? '
                f'AND "id" NOT IN ({seen}) AND "source" = ? RETURNING {returning}',
                [True, now, now, False, *params, source],
            )
        await refresh_course_summary(tx, [row[1] for row in gone["offering"]])
    return len(gone["course"]), len(gone["offering"])
