"""Batched upserts of one page on natural keys, skipping unchanged rows.

For each kind of row a page is written in a few statements whatever its
size: one SELECT of the rows already stored under the page's keys (id,
content hash, withdrawn flag), then `INSERT … ON CONFLICT DO UPDATE` for the
rows that are new or whose hash differs (PostgreSQL: one statement from
column arrays, RETURNING the ids; SQLite: one multi-row statement a chunk,
then the new ids in one packed row, the statements sent to the driver's
thread together: backend._SqliteTx). While pages are mostly new, a page is
first written as new rows (PostgreSQL: by COPY) and only the keys found
taken go the way above (`upsert_courses`'s `optimistic`). An unchanged record costs a
hash and an index lookup, no write ("touching every unchanged row costs as
much as rewriting it"); an unchanged SWAYAM node not even that
(app/ingest/known.py).
The key, hash and column values are prepared (`prepare`, `course_rest`,
`offering_rest`) as the connector yields each record, before the page's
transaction begins.

Rows are plain tuples for the driver: building model objects costs about
48 µs a course, several times the whole budget of a record.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Any

import orjson

from app.ingest.backend import SQLITE_PAIR_ITEM, Tx
from app.ingest.hashing import content_hash, matches
from app.ingest.ids import ReservedIds, draw_ids
from app.ingest.tally import Tally
from app.search.courses import ingested_rows_sql
from connectors.jsonbody import dump_raw
from connectors.keys import clip, storage_key
from connectors.records import CourseRecord, OfferingRecord, ProviderRecord

if TYPE_CHECKING:  # summary.py imports this module's in_clause
    from app.ingest.summary import Summary

# The summary of a course with no offerings in hand (summary.EMPTY).
EMPTY: Summary = (None, None, None, None)

# The Provenance mixin's columns, last in every ingested row.
PROVENANCE_COLUMNS = (
    "source",
    "source_url",
    "content_hash",
    "raw_payload",
    "first_seen",
    "last_changed",
    "withdrawn",
    "withdrawn_at",
)
COURSE_COLUMNS = (
    "provider_id",
    "external_id",
    "title",
    "description",
    "subjects",
    "ncrf_level",
    "level_label",
    "notional_hours",
    "contact_hours",
    "weeks",
    "hours_per_week",
    "workload_text",
    "credits",
    "credit_source",
    "credit_unit",
    "language",
    "languages",
    "mode",
    "url",
    "institute",
    "instructors",
    "coordinator",
    "has_certificate",
    "identifiers",
    *PROVENANCE_COLUMNS,
    # Denormalised from offerings (app/ingest/summary.py); written here only
    # for a new course (from its offerings in the same page), else kept up by
    # refresh_course_summary.
    "next_start",
    "min_fee_minor",
    "fee_currency",
    "has_exam",
)
# The ids first: a row is (provider_id, course_id) + the prepared rest.
OFFERING_COLUMNS = (
    "provider_id",
    "course_id",
    "external_id",
    "start",
    "end",
    "enrolment_end",
    "exam_date",
    "fee_minor",
    "currency",
    "mode",
    "language",
    "status",
    "url",
    "has_exam",
    "raw_digest",
) + PROVENANCE_COLUMNS
# Never overwritten by a later sync: the key, when the row was first seen, and
# the offering summary (a page holds only some of an existing course's runs).
_KEPT = frozenset(
    {
        "provider_id",
        "external_id",
        "first_seen",
        "next_start",
        "min_fee_minor",
        "fee_currency",
        "has_exam",
    }
)


_SEARCH_CHUNK = 500  # ids bound per statement


def upsert_sql(
    table: str,
    columns: Sequence[str],
    rows: int = 1,
    returning: bool = False,
    new_only: bool = False,
) -> str:
    """INSERT … ON CONFLICT on the natural key; `new_only`: the rows whose
    key is not stored, the others left alone (not even locked)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in _KEPT)
    # The WHERE makes a replayed page (after a kill) a no-op for rows it
    # already wrote, whatever the pre-read said.
    action = (
        "DO NOTHING"
        if new_only
        else f"DO UPDATE SET {updates} "
        f'WHERE "{table}"."content_hash" IS DISTINCT FROM excluded."content_hash" '
        f'OR "{table}"."withdrawn"'
    )
    sql = (
        f'INSERT INTO "{table}" ({cols}) VALUES {", ".join([marks] * rows)} '
        f'ON CONFLICT ("provider_id", "external_id") {action}'
    )
    return sql + ' RETURNING "provider_id", "external_id", "id"' if returning else sql


COURSE_UPSERT = upsert_sql("course", COURSE_COLUMNS)
OFFERING_UPSERT = upsert_sql("offering", OFFERING_COLUMNS)


def in_clause(tx: Tx, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column IN (…)` on SQLite, `column = ANY(?)` (one array) on PostgreSQL."""
    if tx.dialect == "postgres":
        return f"{column} = ANY(?)", [list(values)]
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


def _float(value: float | None) -> float | None:
    # asyncpg wants a float for a double column, not an int.
    return None if value is None else float(value)


class RawCache:
    """Raw payloads serialised once a page: a SWAYAM course and its offering
    carry the same node."""

    def __init__(self) -> None:
        self._done: dict[int, str | None] = {}

    def __call__(self, raw: Any) -> str | None:
        if raw is None:
            return None
        key = id(raw)
        text = self._done.get(key)
        if text is None:
            text = dump_raw(raw)
            self._done[key] = text
        return text


@dataclass
class Stored:
    id: int
    content_hash: str | None
    withdrawn: bool
    course_id: int | None = None
    raw_digest: int | None = None


@dataclass
class Written:
    """What one kind of row did in a page."""

    tally: Tally = field(default_factory=Tally)
    ids: dict[tuple[int, str], int] = field(default_factory=dict)  # key -> id
    changed_ids: list[int] = field(default_factory=list)
    created_ids: set[int] = field(default_factory=set)
    # Unchanged rows whose hash is of the previous scheme: (new hash, id).
    restamp: list[tuple[str, int]] = field(default_factory=list)
    # Unchanged offerings read from a payload of another fingerprint (a field
    # we do not keep changed, or the parser did): (fingerprint, id).
    redigest: list[tuple[int, int]] = field(default_factory=list)

    def unchanged(self, key: tuple[int, str], pk: int) -> None:
        """A row the connector did not send again (`Unchanged`): seen as is."""
        self.ids[key] = pk
        self.tally.seen += 1
        self.tally.unchanged += 1


class Found(dict[tuple[int, str], Stored]):
    """Stored rows by key; on SQLite also the table's largest id as read
    (`top`): the page's inserts get the ids above it (see `_write`)."""

    top: int | None = None


async def _stored(
    tx: Tx, table: str, keys: Collection[tuple[int, str]], with_course: bool = False
) -> Found:
    """The stored rows under these (provider_id, external_id) keys."""
    found = Found()
    if not keys:
        return found
    extra = ', t."course_id", t."raw_digest"' if with_course else ""
    columns = (
        f't."external_id", t."id", t."content_hash", t."withdrawn"{extra}, '
        't."provider_id"'
    )
    packed = tx.dialect == "sqlite"
    if packed:
        # One row holding every match as JSON, not a row per match: the
        # driver thread takes the GIL again for each row it hands over, and
        # waits for it each time while the event loop's thread parses.
        columns = f"json_group_array(json_array({columns}))"
    if tx.dialect == "postgres":
        # One join of the keys, unnested, with the unique index: a nested
        # loop of index probes once statistics are fresh (runner.
        # _analyze_as_tables_grow). Measured against one query per provider
        # (about 8 a page, each a round trip): unchanged re-sync +15%, first
        # sync +6%. (Before statistics were refreshed during a run, this
        # join planned as a scan of the table each page.)
        sql = (
            f"SELECT {columns} FROM unnest(?::bigint[], ?::text[]) AS k(p, e) "
            f'JOIN "{table}" AS t ON t."provider_id" = k.p AND t."external_id" = k.e'
        )
        params: list[Any] = [[p for p, _ in keys], [e for _, e in keys]]
    else:
        # The keys as one JSON array of pairs, each pair one probe of the
        # unique index (two IN lists probed every provider with every key:
        # the pre-reads of a 50k first sync took 0.34 s, now 0.22 s, ad hoc
        # statement timings); the largest id in the same trip.
        sql = (
            f'SELECT {columns}, (SELECT coalesce(max("id"), 0) FROM "{table}") '
            "FROM json_each(?) AS k "
            f'JOIN "{table}" AS t ON t."provider_id" = {SQLITE_PAIR_ITEM.format(0)} '
            f'AND t."external_id" = {SQLITE_PAIR_ITEM.format(1)}'
        )
        params = [orjson.dumps(list(keys)).decode()]
    rows = await tx.fetch(sql, params)
    if packed:
        found.top = rows[0][1]
        rows = orjson.loads(rows[0][0])
    for row in rows:
        key = (row[-1], row[0])
        found[key] = (
            Stored(row[1], row[2], bool(row[3]), row[4], row[5])
            if with_course
            else Stored(row[1], row[2], bool(row[3]))
        )
    return found


async def upsert_providers(
    tx: Tx, records: Sequence[ProviderRecord], ids: dict[str, int], now: datetime
) -> None:
    """Providers are few: upsert each, and learn its id."""
    for r in records:
        await tx.execute(
            'INSERT INTO "provider" ("slug", "name", "kind", "country", "url", '
            '"abc_registered", "swayam", "created_at", "updated_at") '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            'ON CONFLICT ("slug") DO UPDATE SET "name" = excluded."name", '
            '"kind" = excluded."kind", "country" = excluded."country", '
            '"url" = excluded."url", "abc_registered" = excluded."abc_registered", '
            '"swayam" = excluded."swayam", "updated_at" = excluded."updated_at" '
            'WHERE "provider"."name" IS DISTINCT FROM excluded."name" '
            'OR "provider"."kind" IS DISTINCT FROM excluded."kind" '
            'OR "provider"."country" IS DISTINCT FROM excluded."country" '
            'OR "provider"."url" IS DISTINCT FROM excluded."url" '
            'OR "provider"."abc_registered" IS DISTINCT FROM excluded."abc_registered" '
            'OR "provider"."swayam" IS DISTINCT FROM excluded."swayam"',
            [
                r.slug,
                clip(r.name, 255),
                r.kind,
                r.country,
                clip(r.url, 512),
                r.abc_registered,
                r.swayam,
                now,
                now,
            ],
        )
        rows = await tx.fetch('SELECT "id" FROM "provider" WHERE "slug" = ?', [r.slug])
        ids[r.slug] = rows[0][0]


async def provider_ids(
    tx: Tx, slugs: Iterable[str], ids: dict[str, int], now: datetime
) -> dict[str, int]:
    """Ids of these provider slugs; a slug no record introduced gets a bare row
    (named by its slug) rather than losing the courses that name it."""
    missing = sorted({s for s in slugs if s not in ids})
    if missing:
        where, params = in_clause(tx, '"slug"', missing)
        for slug, pk in await tx.fetch(
            f'SELECT "slug", "id" FROM "provider" WHERE {where}', params
        ):
            ids[slug] = pk
        bare = [ProviderRecord(slug=s, name=s) for s in missing if s not in ids]
        await upsert_providers(tx, bare, ids, now)
    return ids


@dataclass(slots=True)
class Prepared:
    """A record with what its row needs that no database read can change:
    its key as stored, its content hash and (`rest`) its column values.
    Built as the connector yields it, so the work overlaps the writes of the
    page before; `rest` only while pages are mostly written (`Page.eager`),
    else on demand for the rows that are."""

    record: Any
    key: str  # storage_key(record.external_id)
    digest: str
    course_key: str | None = None  # an offering's course, as stored
    rest: tuple[Any, ...] | None = None  # the row without ids (or summary)


def prepare(r: CourseRecord | OfferingRecord) -> Prepared:
    key = storage_key(r.external_id)
    if isinstance(r, OfferingRecord):
        return Prepared(r, key, content_hash(r), storage_key(r.course_external_id))
    return Prepared(r, key, content_hash(r))


def _json_list(values: Sequence[Any]) -> str:
    """A tuple of a record as a JSON array (most are empty)."""
    return dump_raw(values) if values else "[]"


def stamp(now: datetime, text: bool) -> datetime | str:
    """`now` as a page's rows bind it (see `day`)."""
    return now.isoformat(" ") if text else now


def day(value: date | None, text: bool) -> date | str | None:
    """A date as a row binds it: for SQLite (`text`) the text Tortoise's
    adapter would make of it (`isoformat`), here rather than in the driver,
    which adapts a date or a datetime through a Python call per value (~0.4
    and ~1 µs bound, against ~70 ns for text: ad hoc, 500-row INSERTs) on
    the thread a sync's writes wait for, while the event loop's thread has
    time to spare."""
    return value.isoformat() if text and value is not None else value


def flag(value: bool | None, text: bool) -> bool | int | None:
    """A boolean as a row binds it: an int for SQLite (see `day`; a bool
    takes the driver's adapter lookup, ~0.2 µs)."""
    return int(value) if text and value is not None else value


def course_rest(
    p: Prepared, source: str, raw: str | None, now: datetime | str, text: bool
) -> tuple[Any, ...]:
    """A course's row is `(provider_id, *rest, *summary)`; `now` as `stamp`
    made it, `text` as for `day`."""
    r: CourseRecord = p.record
    return (
        p.key,
        clip(r.title, 512),
        r.description,
        _json_list(r.subjects),
        _float(r.ncrf_level),
        clip(r.level_label, 64),
        _float(r.notional_hours),
        _float(r.contact_hours),
        r.weeks,
        _float(r.hours_per_week),
        clip(r.workload_text, 255),
        _float(r.credits),
        r.credit_source,
        clip(r.credit_unit, 16),
        clip(r.languages[0], 32) if r.languages else None,
        _json_list(r.languages),
        r.mode,
        clip(r.url, 1024),
        clip(r.institute, 255),
        _json_list(r.instructors),
        clip(r.coordinator, 32),
        flag(r.has_certificate, text),
        _json_list(r.identifiers),
        source,
        clip(r.source_url, 1024),
        p.digest,
        raw,
        now,
        now,
        0 if text else False,
        None,
    )


def offering_rest(
    p: Prepared, source: str, raw: str | None, now: datetime | str, text: bool
) -> tuple[Any, ...]:
    """An offering's row is `(provider_id, course_id, *rest)`; `now` and
    `text` as for `course_rest`."""
    r: OfferingRecord = p.record
    return (
        p.key,
        day(r.start, text),
        day(r.end, text),
        day(r.enrolment_end, text),
        day(r.exam_date, text),
        r.fee_minor,
        clip(r.currency, 3),
        r.mode,
        clip(r.language, 32),
        clip(r.status, 32),
        clip(r.url, 1024),
        flag(r.has_exam, text),
        r.fingerprint,
        source,
        clip(r.source_url, 1024),
        p.digest,
        raw,
        now,
        now,
        0 if text else False,
        None,
    )


async def _new_ids(
    tx: Tx,
    table: str,
    keys: Sequence[tuple[int, str]],
    into: dict[tuple[int, str], int],
) -> None:
    if keys:
        for key, stored in (await _stored(tx, table, keys)).items():
            into[key] = stored.id


_COLUMNS = {"course": COURSE_COLUMNS, "offering": OFFERING_COLUMNS}
# Rows per multi-row statement on SQLite: under its 32,766 bound parameters.
_SQLITE_ROWS = 500


@lru_cache(maxsize=64)
def _multi_upsert(table: str, rows: int, new_only: bool = False) -> str:
    return upsert_sql(table, _COLUMNS[table], rows, new_only=new_only)


async def _write(
    tx: Tx,
    table: str,
    rows: Sequence[tuple[Any, ...]],
    created: Sequence[tuple[int, str]],
    ids: dict[tuple[int, str], int],
    top: int | None = None,
) -> None:
    """Upsert the rows and learn the ids of the created keys.

    SQLite: one multi-row INSERT a chunk (not executemany, a statement per
    row: measured ~15% slower on the course rows, and the writer thread is a
    first sync's bottleneck), then the new rows' ids in one packed row: the
    write transaction holds the lock, so they are the ids above the largest
    before (`top`, read with the pre-read; else asked). Not RETURNING: the
    driver thread takes the GIL back for each returned row, and waits for it
    whenever the event loop's thread is parsing.

    PostgreSQL: one INSERT of the page's rows from column arrays, which it
    plans and runs once, where executemany runs its executor once a row
    (ad hoc, 50,000 course rows in pages of 500: 11.8k -> 14.9k rows/s);
    RETURNING names the rows it wrote, the new ones with their ids."""
    if not rows:
        return
    if tx.dialect == "postgres":
        sql = await _unnest_upsert(tx, table)
        columns = list(zip(*rows, strict=True))
        for provider_id, external_id, pk in await tx.fetch(sql, columns):
            ids[(provider_id, external_id)] = pk
    else:
        if top is None:
            ((top,),) = await tx.fetch(f'SELECT coalesce(max("id"), 0) FROM "{table}"')
        for i in range(0, len(rows), _SQLITE_ROWS):
            chunk = rows[i : i + _SQLITE_ROWS]
            await tx.execute(_multi_upsert(table, len(chunk)), list(chain(*chunk)))
        if created:
            await _ids_above(tx, table, top, ids)
    # Every created key was written, so found above; should one not be (a
    # concurrent writer's row, left as it was), ask.
    await _new_ids(tx, table, [k for k in created if k not in ids], ids)


async def _ids_above(
    tx: Tx, table: str, top: int, into: dict[tuple[int, str], int]
) -> None:
    """SQLite: the rows with ids above `top`, in one packed row."""
    ((packed,),) = await tx.fetch(
        'SELECT json_group_array(json_array("provider_id", "external_id", '
        f'"id")) FROM "{table}" WHERE "id" > ?',
        [top],
    )
    for provider_id, external_id, pk in orjson.loads(packed):
        into[(provider_id, external_id)] = pk


# (table, new rows only?) -> its statement from column arrays (the columns'
# types are read once from the catalogue).
_PG_UNNEST: dict[tuple[str, bool], str] = {}


async def _unnest_upsert(tx: Tx, table: str, new_only: bool = False) -> str:
    """`upsert_sql` with the rows as one array a column: `unnest` turns
    them back into rows inside PostgreSQL."""
    sql = _PG_UNNEST.get((table, new_only))
    if sql is None:
        types = dict(
            await tx.fetch(
                "SELECT attname, format_type(atttypid, atttypmod) "
                "FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 "
                "AND NOT attisdropped",
                [table],
            )
        )
        columns = _COLUMNS[table]
        cols = ", ".join(f'"{c}"' for c in columns)
        arrays = ", ".join(f"?::{types[c]}[]" for c in columns)
        _, _, conflict = upsert_sql(table, columns, new_only=new_only).partition(
            " ON CONFLICT "
        )
        sql = _PG_UNNEST[(table, new_only)] = (
            f'INSERT INTO "{table}" ({cols}) SELECT * FROM unnest({arrays}) '
            f'ON CONFLICT {conflict} RETURNING "provider_id", "external_id", "id"'
        )
    return sql


async def _insert_new(
    tx: Tx,
    table: str,
    rows: Sequence[tuple[Any, ...]],
    reserved: ReservedIds | None = None,
) -> dict[tuple[int, str], int]:
    """Insert the rows whose key is not stored, without a pre-read; their
    keys and new ids.

    SQLite: one multi-row INSERT … DO NOTHING a chunk; when it took every
    row (a first sync's page) their ids are the ones up to the last it
    gave out, in order (the write transaction holds the lock), else the
    ids it gave out are read back. PostgreSQL: by COPY, the ids drawn from
    the table's sequence first (or taken from those `reserved` drew ahead),
    when no key is taken; else (COPY is all or nothing) by INSERT … ON
    CONFLICT DO NOTHING."""
    if not rows:
        return {}
    if tx.dialect == "sqlite":
        return await _insert_new_sqlite(tx, table, rows)
    if reserved is not None:
        ids = await reserved.take(tx, table, len(rows))
    else:
        ids = await draw_ids(tx, table, len(rows))
    at = _COLUMNS[table].index("external_id")
    if await tx.copy_new(
        table,
        ("id", *_COLUMNS[table]),
        [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
    ):
        return {(row[0], row[at]): pk for pk, row in zip(ids, rows, strict=True)}
    sql = await _unnest_upsert(tx, table, new_only=True)
    columns = list(zip(*rows, strict=True))
    return {(p, e): pk for p, e, pk in await tx.fetch(sql, columns)}


async def _insert_new_sqlite(
    tx: Tx, table: str, rows: Sequence[tuple[Any, ...]]
) -> dict[tuple[int, str], int]:
    new: dict[tuple[int, str], int] = {}
    at = _COLUMNS[table].index("external_id")
    for i in range(0, len(rows), _SQLITE_ROWS):
        chunk = rows[i : i + _SQLITE_ROWS]
        await tx.execute(_multi_upsert(table, len(chunk), True), list(chain(*chunk)))
        ((count, last),) = await tx.fetch("SELECT changes(), last_insert_rowid()")
        if count == len(chunk):
            first = last - count + 1
            new.update(((r[0], r[at]), first + n) for n, r in enumerate(chunk))
        elif count:
            await _ids_above(tx, table, last - count, new)
    return new


async def _restamp(tx: Tx, table: str, rows: Sequence[tuple[str, int]]) -> None:
    """The current hash scheme's digest on unchanged rows (hashing.matches):
    once per row after an upgrade, leaving `last_changed` alone."""
    await tx.executemany(
        f'UPDATE "{table}" SET "content_hash" = ? WHERE "id" = ?', rows
    )


async def upsert_courses(
    tx: Tx,
    items: Collection[Prepared],
    *,
    providers: dict[str, int],
    fill: Callable[[Prepared], tuple[Any, ...]],
    summaries: Callable[[Collection[tuple[int, str]]], dict[tuple[int, str], Summary]]
    | None = None,
    optimistic: bool = False,
    reserved: ReservedIds | None = None,
) -> Written:
    """Write a page's prepared courses (one per key); `fill(p)` gives a row's
    column values (`Page.fill`). `summaries(keys)`: the
    offering summary (app/ingest/summary.py) of these courses from their
    offerings in this page, written into the courses this page creates
    (saving a second write of every new course to denormalise them); asked
    for the new ones (all the page's, when `optimistic`).

    `optimistic` (while pages are mostly new: a first sync): the page is
    first written as new rows (`_insert_new`) and only the keys found taken
    are read and compared. That saves the pre-read of a page that is new,
    and on PostgreSQL lets its rows go in by COPY; a page guessed wrong
    costs a statement that writes nothing (PostgreSQL: and a COPY undone).
    `reserved`: the run's ids drawn ahead (app/ingest/ids.py), else a page's
    are drawn as it is written."""
    out = Written()
    batch = {(providers[p.record.provider], p.key): p for p in items}
    out.tally.seen = len(batch)
    created: list[tuple[int, str]] = []
    if optimistic and batch:
        summary = _summaries(tx, summaries, list(batch))
        new = await _insert_new(
            tx,
            "course",
            [(k[0], *fill(p), *summary.get(k, EMPTY)) for k, p in batch.items()],
            reserved,
        )
        out.ids.update(new)
        out.tally.created += len(new)
        created.extend(new)
        batch = {k: p for k, p in batch.items() if k not in new}
    stored = await _stored(tx, "course", batch)
    writes, fresh = [], []
    for key, p in batch.items():
        old = stored.get(key)
        if old is not None:
            out.ids[key] = old.id
            if not old.withdrawn and matches(old.content_hash, p.record, p.digest):
                out.tally.unchanged += 1
                if old.content_hash != p.digest:
                    out.restamp.append((p.digest, old.id))
                continue
            out.tally.updated += 1
            out.changed_ids.append(old.id)
        else:
            out.tally.created += 1
            fresh.append(key)
        writes.append((key, p))
    summary = _summaries(tx, summaries, fresh)
    rows = [(key[0], *fill(p), *summary.get(key, EMPTY)) for key, p in writes]
    await _write(tx, "course", rows, fresh, out.ids, stored.top)
    created.extend(fresh)
    await _restamp(tx, "course", out.restamp)
    out.created_ids = {out.ids[k] for k in created}
    await _index_for_search(tx, sorted(out.created_ids))
    return out


def _summaries(
    tx: Tx,
    summaries: Callable[[Collection[tuple[int, str]]], dict[tuple[int, str], Summary]]
    | None,
    keys: Collection[tuple[int, str]],
) -> dict[tuple[int, str], Summary]:
    """The summaries of these courses as their rows bind them (see `day`)."""
    summary = summaries(keys) if summaries and keys else {}
    if summary and tx.dialect == "sqlite":
        summary = {
            k: (day(s[0], True), s[1], s[2], flag(s[3], True))
            for k, s in summary.items()
        }
    return summary


async def _index_for_search(tx: Tx, ids: Sequence[int]) -> None:
    """New courses into the text search index, in this transaction (SQLite's
    insert trigger leaves the engine's rows to it: app/search/sqlite.py)."""
    for i in range(0, len(ids), _SEARCH_CHUNK):
        chunk = ids[i : i + _SEARCH_CHUNK]
        sql = ingested_rows_sql(tx.dialect, len(chunk))
        if sql is None:
            return
        await tx.execute(sql, chunk)


async def course_ids_for(
    tx: Tx, keys: Iterable[tuple[int, str]], known: dict[tuple[int, str], int]
) -> dict[tuple[int, str], int]:
    """Course ids of offerings' courses: this page's, else the stored ones."""
    missing = [k for k in set(keys) if k not in known]
    await _new_ids(tx, "course", missing, known)
    return known


async def upsert_offerings(
    tx: Tx,
    items: Collection[Prepared],
    *,
    providers: dict[str, int],
    courses: dict[tuple[int, str], int],
    fill: Callable[[Prepared], tuple[Any, ...]],
    optimistic: bool = False,
    reserved: ReservedIds | None = None,
) -> tuple[Written, list[OfferingRecord]]:
    """Write a page's prepared offerings (one per key). Returns what was
    written and the offerings whose course is unknown. `optimistic` and
    `reserved`: as for `upsert_courses`."""
    out = Written()
    orphans: list[OfferingRecord] = []
    batch: dict[tuple[int, str], tuple[Prepared, int]] = {}
    for p in items:
        key = (providers[p.record.provider], p.key)
        course_id = courses.get((key[0], p.course_key))
        if course_id is None:
            orphans.append(p.record)
        else:
            batch[key] = (p, course_id)
    out.tally.seen = len(batch)
    if optimistic and batch:
        new = await _insert_new(
            tx,
            "offering",
            [(k[0], course_id, *fill(p)) for k, (p, course_id) in batch.items()],
            reserved,
        )
        out.ids.update(new)
        out.tally.created += len(new)
        out.changed_ids.extend(batch[k][1] for k in new)
        batch = {k: v for k, v in batch.items() if k not in new}
    stored = await _stored(tx, "offering", batch, with_course=True)
    rows, created = [], []
    for key, (p, course_id) in batch.items():
        old = stored.get(key)
        if old is not None:
            out.ids[key] = old.id
            if (
                not old.withdrawn
                and old.course_id == course_id
                and matches(old.content_hash, p.record, p.digest)
            ):
                out.tally.unchanged += 1
                if old.content_hash != p.digest:
                    out.restamp.append((p.digest, old.id))
                fingerprint = p.record.fingerprint
                if fingerprint is not None and old.raw_digest != fingerprint:
                    out.redigest.append((fingerprint, old.id))
                continue
            out.tally.updated += 1
            out.changed_ids.append(course_id)
        else:
            out.tally.created += 1
            created.append(key)
            out.changed_ids.append(course_id)
        rows.append((key[0], course_id, *fill(p)))
    await _write(tx, "offering", rows, created, out.ids, stored.top)
    await _restamp(tx, "offering", out.restamp)
    await tx.executemany(
        'UPDATE "offering" SET "raw_digest" = ? WHERE "id" = ?', out.redigest
    )
    return out, orphans
