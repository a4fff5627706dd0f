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

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from app.ingest.backend import Tx, read_connection, write_transaction
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


async def largest_ids() -> dict[str, int]:
    """Each withdrawable table's largest id, read as a run begins: a row
    above it was written later, by that run (the source's lock keeps its
    other runs out), so a page of the run saw it."""
    async with read_connection() as tx:
        ((course, offering),) = await tx.fetch(
            'SELECT (SELECT coalesce(max("id"), 0) FROM "course"), '
            '(SELECT coalesce(max("id"), 0) FROM "offering")'
        )
    return {"course": course, "offering": offering}


async def withdraw_unseen(
    source: str, run_ids: Sequence[int], now: datetime, before: Mapping[str, int]
) -> tuple[int, int]:
    """Mark this source's rows that no page of these runs saw; (courses, offerings).

    Done in SQL from the page log, so a pass of any size holds no set of ids
    in memory. Only rows up to `before` (`largest_ids` as the last run
    began) can be unseen: a first sync into an empty table reads none
    (PostgreSQL, 50,000 courses: 73 ms of the run's end).
    """
    async with write_transaction() as tx:
        gone: dict[str, list[Any]] = {"course": [], "offering": []}
        for table, column in (("course", "course_ids"), ("offering", "offering_ids")):
            if not before[table]:
                continue
            seen, params = _seen(tx, column, run_ids)
            returning = '"id", "course_id"' if table == "offering" else '"id"'
            # `"withdrawn" = ?`, not `NOT "withdrawn"`: SQLite then walks
            # the index on withdrawn, whose entries carry the id, and reads
            # only the rows left after NOT IN for their source (a re-sync
            # of 50k courses, ad hoc: 44 -> 17 ms a table).
            gone[table] = await tx.fetch(
                f'UPDATE "{table}" SET "withdrawn" = ?, "withdrawn_at" = ?, '
                f'"last_changed" = ? WHERE "withdrawn" = ? AND "id" <= ? '
                f'AND "id" NOT IN ({seen}) AND "source" = ? RETURNING {returning}',
                [True, now, now, False, before[table], *params, source],
            )
        await refresh_course_summary(tx, [row[1] for row in gone["offering"]])
    return len(gone["course"]), len(gone["offering"])
