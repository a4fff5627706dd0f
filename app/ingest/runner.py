"""One sync run of one source, from lock to summary.

The connector fetches (and prefetches) pages; a producer task turns its
records into `Page`s on a queue, taking a credit per page (QUEUE_PAGES); the
writer commits each page with the run's counts and resume cursor (SQLite:
one short transaction; PostgreSQL: its courses, then its offerings, then
its log, two pages in flight on connections of their own, see
`_Run._commit`) and hands the credit back as its COMMIT starts. So the
next page downloads and parses while the current one is written, no
transaction ever spans a network call, and memory holds at most a few pages.
The connector may look up what is stored under a page's keys
(`SyncState.known`, app/ingest/known.py) and send `Unchanged` for payloads
it need not parse again: those count as seen and unchanged, and their ids go
into the page log like any other row's.

Exit states: succeeded (complete, or a 304 said nothing changed), failed
(the reason and where the next run resumes are in `SyncRun.error`), locked
(another live run holds the source's lease).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from app.db.generation import bump_generation
from app.db.migrate import ensure_migrated
from app.db.models.sync import SyncRun
from app.ingest import hooks, locks, runs
from app.ingest.backend import (
    HeldConnection,
    Tx,
    held_connections,
    read_connection,
    results_waiting,
    statements_waiting,
    write_transaction,
)
from app.ingest.checkpoints import checkpoints_in_background
from app.ingest.ids import ReservedIds
from app.ingest.known import StoredOfferings
from app.ingest.page import Page
from app.ingest.pathways import write_pathways, write_programmes
from app.ingest.progress import NoProgress, Progress
from app.ingest.quarantine import quarantine
from app.ingest.sources import parse_every
from app.ingest.summary import page_summaries, refresh_course_summary, today
from app.ingest.tally import Tally
from app.ingest.upsert import (
    Written,
    course_ids_for,
    provider_ids,
    upsert_courses,
    upsert_offerings,
    upsert_providers,
)
from app.ingest.withdrawal import apply_withdrawals, largest_ids, withdraw_unseen
from connectors import registry
from connectors.base import NOT_MODIFIED, VALIDATORS, SourceConfig, SyncState
from connectors.jsonbody import dump_raw
from connectors.records import Malformed, OfferingRecord, PageDone, Record

log = logging.getLogger(__name__)

# A page's log row and its run's counts and cursor (runner._close).
_LOG_PAGE = (
    'INSERT INTO "sync_page" ("run_id", "number", "cursor", "course_ids", '
    '"offering_ids", "committed_at") VALUES (?, ?, ?, ?, ?, ?)'
)
_LOG_RUN = (
    'UPDATE "sync_run" SET "pages" = ?, "seen" = ?, "created" = ?, '
    '"updated" = ?, "unchanged" = ?, "withdrawn" = ?, "quarantined" = ?, '
    '"cursor" = ?, "heartbeat_at" = ? WHERE "id" = ?'
)

# Pages parsed ahead of the writer. The producer takes a credit before it
# reads a page, and the writer returns it once the page's statements are
# written (on SQLite: queued for the trip that ends with its COMMIT): so the
# next page is parsed while the database works. Three, not two: the parser
# then rides out a slow page (SQLite first sync of 100k courses, one ad hoc
# run each: 12.8k -> 13.6k courses/s, peak RSS 90.6 -> 93.7 MB).
QUEUE_PAGES = 3
# The collector's first generation runs every this many allocations during
# a sync (CPython's default: 700). A page allocates a few hundred thousand
# short-lived objects and every collection also walks the young survivors:
# measured ~12% of an unchanged re-sync's main thread at the default.
GC_YOUNG_THRESHOLD = 10_000
# The writer's statements run on the database driver's thread, which needs
# the GIL back to hand each result over. While the event loop's thread
# parses, it gets it only at the interpreter's switch interval (5 ms by
# default) and at the producer's yields: so both are short during a sync.
# Measured on an unchanged re-sync: ~21k -> ~29k courses/s, the two threads
# overlapping instead of taking turns.
SWITCH_INTERVAL_S = 0.0002
YIELD_EVERY = 64  # records between the producer's yields to the event loop
# ... while a PostgreSQL statement is under way, whose result waits for the
# event loop to read it (backend.statements_waiting). PostgreSQL 50k first
# syncs, four interleaved pairs: 12.1k -> 13.3k courses/s against 64.
YIELD_WAITING = 8
# Rows a PostgreSQL sync writes before it stops analysing as it goes
# (_analyze_as_tables_grow). The planner scales the last statistics' rows
# per page by a table's current size, so lookups by key keep their index
# plans as it grows; later ANALYZEs only sampled ever larger tables, beside
# the writers. 50k first syncs, four interleaved pairs: 17.9k -> 19.5k
# courses/s; 200k, one pair: 15.9k -> 18.1k (no plan went bad).
ANALYZE_UNTIL_ROWS = 20_000
# A pass resumed long after it began may have crossed a change of the source
# (offset cursors shift when records vanish), so records it never saw may
# still exist: such a pass does not withdraw; the next clean pass will.
RESUMED_PASS_TRUSTED_S = 3600.0
# A change feed is trusted this long after the last complete run (a source's
# `full_every` option overrides it); then a complete pass sees removals.
FULL_EVERY = "7d"


@dataclass
class SyncOutcome:
    source: str
    connector: str
    status: str  # succeeded | failed | locked
    run_id: int | None = None
    pages: int = 0
    courses: Tally = field(default_factory=Tally)
    offerings: Tally = field(default_factory=Tally)
    others: Tally = field(default_factory=Tally)  # pathways, programmes
    quarantined: int = 0
    elapsed_s: float = 0.0
    error: str | None = None
    resumed_from: int | None = None
    took_over: str | None = None
    not_modified: bool = False
    complete: bool = False

    @property
    def total(self) -> Tally:
        total = Tally()
        for part in (self.courses, self.offerings, self.others):
            total += part
        return total

    def as_json(self) -> dict[str, Any]:
        total = self.total
        return {
            "connector": self.connector,
            "source": self.source,
            "run": self.run_id,
            "status": self.status,
            "pages": self.pages,
            "seen": total.seen,
            "created": total.created,
            "updated": total.updated,
            "unchanged": total.unchanged,
            "withdrawn": total.withdrawn,
            "quarantined": self.quarantined,
            "elapsed_s": round(self.elapsed_s, 3),
            "courses": self.courses.as_dict(),
            "offerings": self.offerings.as_dict(),
            "complete": self.complete,
            "not_modified": self.not_modified,
            "resumed_from": self.resumed_from,
            "took_over": self.took_over,
            "error": self.error,
        }


async def run_sync(
    config: SourceConfig,
    *,
    full: bool = False,
    progress: Progress | None = None,
    stale_after_s: float = locks.STALE_AFTER_S,
) -> SyncOutcome:
    """Run `config`'s connector once into the current database.

    Raises `NotMigratedError` before touching anything when migrations are
    pending; every other failure ends as a failed `SyncOutcome` and run row.
    """
    started = time.monotonic()
    await ensure_migrated()
    outcome = SyncOutcome(config.name, config.connector, "running")
    try:
        lease = await locks.acquire(config.name, stale_after_s=stale_after_s)
    except locks.LockBusy as exc:
        now = datetime.now(UTC)
        run = await SyncRun.create(
            source=config.name,
            connector=config.connector,
            status="locked",
            full=full,
            started_at=now,
            finished_at=now,
            error=str(exc),
        )
        outcome.status, outcome.run_id, outcome.error = "locked", run.id, str(exc)
        outcome.elapsed_s = time.monotonic() - started
        return outcome
    try:
        outcome.took_over = lease.taken_over
        await runs.close_interrupted(config.name, lease.owner)
        plan = await runs.plan_run(config.name, full)
        run = await SyncRun.create(
            source=config.name,
            connector=config.connector,
            status="running",
            full=full,
            started_at=datetime.now(UTC),
            heartbeat_at=datetime.now(UTC),
            worker=lease.owner,
            cursor=plan.resume_cursor,
            options={
                "base_url": config.base_url,
                "resumed_from": plan.resumed_from,
                "chain": plan.chain,
                "took_over": lease.taken_over,
            },
        )
        outcome.run_id, outcome.resumed_from = run.id, plan.resumed_from
        if plan.resumed_from:
            log.info(
                "sync %s: resuming run %d after cursor %r",
                config.name,
                plan.resumed_from,
                plan.resume_cursor,
            )
        engine = _Run(config, run, lease, plan, outcome, progress or NoProgress())
        with interpreter_tuned_for_sync():
            async with checkpoints_in_background():
                await engine.execute()
    finally:
        await locks.release(lease)
        outcome.elapsed_s = time.monotonic() - started
    return outcome


@dataclass
class _FirstHalf:
    """What a page's first transaction (its courses) hands to the second."""

    number: int
    now: datetime
    others: Tally
    courses: Written = field(default_factory=Written)


class _Run:
    def __init__(
        self,
        config: SourceConfig,
        run: SyncRun,
        lease: locks.Lease,
        plan: runs.Plan,
        outcome: SyncOutcome,
        progress: Progress,
    ) -> None:
        self.config = config
        self.source = config.name
        self.run = run
        self.lease = lease
        self.plan = plan
        self.out = outcome
        self.progress = progress
        self.providers: dict[str, int] = {}
        self.started = datetime.now(UTC)
        self.number = 0  # pages handed to the writer
        self.pending: asyncio.Task[None] | None = None  # the last second half
        # The last page's first half, and its course keys.
        self.writing: asyncio.Task[None] | None = None
        self.writing_keys: set[tuple[str, str]] = set()
        # Two writers where there are two connections to write with.
        self.pipelined = lease.dialect == "postgres"
        # The connections the two halves write on, when the run holds them.
        self.halves: list[HeldConnection] | None = None
        self.reserved = ReservedIds()  # ids drawn ahead (PostgreSQL)
        self.pass_full = True  # a walk of the whole source (see _state)
        self.analyzed_at = 0  # rows written at the last ANALYZE
        self.analyzing: asyncio.Task[None] | None = None
        self.validators: dict[str, str] = {}
        self.before: dict[str, int] = {}  # withdrawal.largest_ids as it began
        self.cursor = plan.resume_cursor
        self.lost: Exception | None = None
        self.credits = asyncio.Semaphore(QUEUE_PAGES)  # see QUEUE_PAGES
        self.eager = True  # Page.eager: were most rows of the last page written?
        self.text = lease.dialect == "sqlite"  # Page.text

    # -- the run -------------------------------------------------------------

    async def execute(self) -> None:
        beat = asyncio.create_task(self._heartbeat())
        try:
            self.before = await largest_ids()  # before the run writes a row
            await self._pages()
            await self._finish()
        except Exception as exc:
            await self._fail(exc)
        except BaseException as exc:  # Ctrl-C, cancellation: record, then go
            await asyncio.shield(self._fail(exc))
            raise
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            self.progress.close()

    async def _pages(self) -> None:
        held = held_connections(2) if self.pipelined else contextlib.nullcontext()
        async with held as self.halves, registry.open_client(self.config) as http:
            connector = registry.build_connector(self.config, http)
            # Into an empty table there is nothing stored to look up (a
            # record repeated within the run is the connector's to drop).
            stored = (
                StoredOfferings(on=self.lease.reader())
                if self.before["offering"]
                else None
            )
            state = await self._state(connector, stored)
            # Unbounded: the credits bound it.
            queue: asyncio.Queue[Page | BaseException | None] = asyncio.Queue()
            producer = asyncio.create_task(
                self._produce(connector.records(state), queue)
            )
            try:
                while (item := await queue.get()) is not None:
                    if isinstance(item, BaseException):
                        raise item
                    await self._commit(item)
                await self._drain()
            finally:
                producer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await producer
                # Let the last pages settle (commit or roll back) before the
                # run is recorded as failed.
                for task in (self.pending, self.analyzing):
                    if task is not None:
                        with contextlib.suppress(BaseException):
                            await task
                if stored is not None:
                    stored.close()

    async def _state(
        self, connector: object, stored: StoredOfferings | None
    ) -> SyncState:
        """Where the connector starts. A connector that declares
        `incremental = True` (a change feed: edX timestamps, CTDL events) is
        asked only for what changed since the last complete run, unless the
        run is `--full`; such a run cannot see absences, so it withdraws
        nothing. Every other connector walks the whole source each run.

        A feed without tombstones (edX courses) never reports a removal, so
        once the last complete run is older than the source's `full_every`
        option (default 7d) the run is a complete pass again."""
        since = self.plan.since
        incremental = (
            bool(getattr(connector, "incremental", False))
            and not self.run.full
            and since is not None
            and datetime.now(UTC) - _aware(since) < _full_every(self.config)
        )
        self.pass_full = not incremental
        if incremental:
            await SyncRun.filter(id=self.run.id).update(
                options={**(self.run.options or {}), "since": str(self.plan.since)}
            )
        return SyncState(
            full=self.pass_full,
            resume_cursor=self.plan.resume_cursor,
            since=self.plan.since if incremental else None,
            validators=self.plan.validators,
            known=stored,
        )

    async def _produce(
        self,
        records: AsyncIterator[Record],
        queue: asyncio.Queue[Page | BaseException | None],
    ) -> None:
        await self.credits.acquire()
        page = Page(self.source, self.eager, self.text)
        try:
            count = 0
            async for record in records:
                count += 1
                if results_waiting():
                    # The writer first: see backend.results_waiting.
                    while results_waiting():
                        await asyncio.sleep(0)
                elif not count % (
                    YIELD_WAITING if statements_waiting() else YIELD_EVERY
                ):
                    await asyncio.sleep(0)
                if isinstance(record, PageDone):
                    page.done = record
                    await queue.put(page)
                    await self.credits.acquire()
                    page = Page(self.source, self.eager, self.text)
                else:
                    page.add(record)
            if len(page) or page.malformed or page.withdrawals or page.providers:
                # Records after the last PageDone: commit them, no new cursor.
                await queue.put(page)
            await queue.put(None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await queue.put(exc)
        finally:
            aclose = getattr(records, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def _commit(self, page: Page) -> None:
        """Write one page. On PostgreSQL in two halves on connections of
        their own: its courses (`_first_half`), then its offerings and the
        page log with the cursor, which alone says the page is written
        (`_second_half`), while the pages before and after it write theirs;
        the resume cursor still moves only in page order. On SQLite (one
        connection) in one transaction."""
        if self.lost is not None:
            raise self.lost
        others = await self._others(page)
        if not self.pipelined:
            await self._commit_alone(page, others)
            return
        self.number += 1
        first = _FirstHalf(self.number, datetime.now(UTC), others)
        # A course on this page and the one before (SWAYAM: two runs of it)
        # must end as this page has it: then this page's courses wait.
        keys = page.courses.keys()
        prior = self.writing if self.writing_keys & keys else None
        courses = asyncio.create_task(self._first_half(page, first, prior))
        self.writing, self.writing_keys = courses, set(keys)
        before = self.pending
        self.pending = asyncio.create_task(
            self._second_half(page, first, courses, before)
        )
        # Two pages in flight: this page's courses are written while the
        # page before commits, and while the next page's courses are.
        if before is not None:
            await before
        self._analyze_as_tables_grow()

    async def _others(self, page: Page) -> Tally:
        """Note the page's validators; write its pathways and programmes. They
        are few and go through the ORM, in their own short transactions,
        before the page's: replaying them is harmless."""
        done = page.done
        if done is not None and done.meta.get(VALIDATORS):
            self.validators.update(done.meta[VALIDATORS])
        if done is not None and done.meta.get(NOT_MODIFIED):
            self.out.not_modified = True
        others = Tally()
        if page.pathways or page.programmes:
            now = datetime.now(UTC)
            others += await write_pathways(self.source, page.pathways, now)
            others += await write_programmes(self.source, page.programmes, now)
        return others

    async def _commit_alone(self, page: Page, others: Tally) -> None:
        self.number += 1
        first = _FirstHalf(self.number, datetime.now(UTC), others)
        with self._counts_undone_on_failure():
            async with write_transaction() as tx:
                await self._courses(tx, page, first)
                await self._rest(tx, page, first)

    @contextlib.contextmanager
    def _counts_undone_on_failure(self) -> Iterator[None]:
        """Counts and cursor move as a page's statements run, before its
        COMMIT: should the transaction fail, put them back, so a failed run
        records where its last COMMIT left it (else the next run would
        resume after a page that was never written)."""
        out = self.out
        saved = (out.pages, out.courses, out.offerings, out.others)
        saved_rest = (out.quarantined, self.cursor)
        try:
            yield
        except BaseException:
            out.pages, out.courses, out.offerings, out.others = saved
            out.quarantined, self.cursor = saved_rest
            raise

    def _analyze_as_tables_grow(self) -> None:
        """PostgreSQL plans with statistics autovacuum refreshes about once a
        minute: during a first sync they still say "a few rows", and lookups
        by key then scan a provider's every row (measured: quadratic, 3 ms a
        lookup at 20k courses). ANALYZE each time the rows written double,
        the columns the sync looks rows up by only (the table's row count is
        refreshed either way): over every column, the tsvector and texts
        included, the seven ANALYZEs of a 50k first sync took 1.3 s; these
        take 0.3 s. Only up to ANALYZE_UNTIL_ROWS: then autovacuum analyses
        the rest after the run."""
        written = self.out.courses.created + self.out.offerings.created
        running = self.analyzing is not None and not self.analyzing.done()
        doubled = written >= max(1_000, 2 * self.analyzed_at)
        if running or not doubled or written > ANALYZE_UNTIL_ROWS:
            return
        self.analyzed_at = written
        # In the background: the writer need not wait for statistics.
        self.analyzing = asyncio.create_task(self._analyze())

    async def _analyze(self) -> None:
        async with read_connection() as tx:
            await tx.execute(
                'ANALYZE "course" ("provider_id", "external_id"), '
                '"offering" ("provider_id", "external_id", "course_id")'
            )

    async def _first_half(
        self, page: Page, first: _FirstHalf, prior: asyncio.Task[None] | None
    ) -> None:
        """A page's courses, once `prior` (the page before's) is written. Not
        one transaction: each statement is an upsert a replay repeats
        harmlessly, and the page counts as written only once its second half
        commits; its own BEGIN and COMMIT would be two more round trips a
        page, each waiting for the parser to yield."""
        if prior is not None:
            await prior
        async with read_connection(on=self._held(0)) as tx:
            await self._courses(tx, page, first)

    async def _second_half(
        self,
        page: Page,
        first: _FirstHalf,
        courses: asyncio.Task[None],
        before: asyncio.Task[None] | None,
    ) -> None:
        """The rest of a page, once its courses are written and the page
        before has committed (so the resume cursor moves in page order)."""
        failure: BaseException | None = None
        for task in (courses, before):
            try:
                if task is not None:
                    await task
            except BaseException as exc:  # each awaited, the first raised
                failure = failure or exc
        if failure is not None:
            raise failure
        with self._counts_undone_on_failure():
            # The offerings before the page's transaction, each statement
            # committing on its own: like the courses, a replay repeats them
            # harmlessly, and the optimistic COPY needs no savepoint (two
            # round trips a page). The page log then commits alone, one
            # statement, when nothing else has to go with it.
            async with read_connection(on=self._held(1)) as tx:
                offerings, orphans = await self._offerings(tx, page, first)
            along = page.malformed or orphans or page.withdrawals
            alone = not (along or self._refreshed(first, offerings))
            closing = read_connection if alone else write_transaction
            async with closing(on=self._held(1)) as tx:
                await self._close(tx, page, first, offerings, orphans)

    def _held(self, half: int) -> HeldConnection | None:
        return self.halves[half] if self.halves else None

    async def _drain(self) -> None:
        """Wait for the last page's second half (raising its failure)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def _courses(self, tx: Tx, page: Page, first: _FirstHalf) -> None:
        await upsert_providers(tx, page.providers, self.providers, first.now)
        await provider_ids(
            tx,
            [slug for slug, _ in page.courses] + [slug for slug, _ in page.offerings],
            self.providers,
            first.now,
        )
        first.courses = await upsert_courses(
            tx,
            page.courses.values(),
            providers=self.providers,
            fill=page.fill,
            summaries=partial(
                page_summaries, page.offerings.values(), self.providers, today()
            ),
            optimistic=page.eager,
            reserved=self.reserved,
        )
        for u in page.unchanged:
            if u.course:
                provider_id, _, course_id, course_key = u.ref
                first.courses.unchanged((provider_id, course_key), course_id)

    async def _rest(self, tx: Tx, page: Page, first: _FirstHalf) -> None:
        """Offerings, quarantine, withdrawals, page log, counts and cursor,
        in the page's transaction; the in-memory counts move only once this
        has committed."""
        offerings, orphans = await self._offerings(tx, page, first)
        await self._close(tx, page, first, offerings, orphans)

    async def _offerings(
        self, tx: Tx, page: Page, first: _FirstHalf
    ) -> tuple[Written, list[OfferingRecord]]:
        """The page's offerings written; those whose course is unknown."""
        courses = first.courses
        known = await course_ids_for(
            tx,
            [
                (self.providers[p.record.provider], p.course_key)
                for p in page.offerings.values()
            ],
            dict(courses.ids),
        )
        offerings, orphans = await upsert_offerings(
            tx,
            page.offerings.values(),
            providers=self.providers,
            courses=known,
            fill=page.fill,
            optimistic=page.eager,
            reserved=self.reserved,
        )
        for u in page.unchanged:
            provider_id, offering_id, _, _ = u.ref
            offerings.unchanged((provider_id, u.external_id), offering_id)
        return offerings, orphans

    @staticmethod
    def _refreshed(first: _FirstHalf, offerings: Written) -> set[int]:
        """Courses whose offering summary moves (new ones got theirs with
        their row)."""
        return set(offerings.changed_ids) - first.courses.created_ids

    async def _close(
        self,
        tx: Tx,
        page: Page,
        first: _FirstHalf,
        offerings: Written,
        orphans: list[OfferingRecord],
    ) -> None:
        """Quarantine, withdrawals, summaries, page log, counts and cursor."""
        now, courses, done = first.now, first.courses, page.done
        bad = page.malformed + [_orphan(r) for r in orphans]
        quarantined = await quarantine(tx, self.run.id, self.source, bad, now)
        withdrawn = await apply_withdrawals(tx, page.withdrawals, self.providers, now)
        await refresh_course_summary(tx, self._refreshed(first, offerings))
        number = first.number
        cursor = done.cursor if done is not None else self.cursor
        page_row = [
            self.run.id,
            number,
            cursor,
            json.dumps(sorted(courses.ids.values())),
            json.dumps(sorted(offerings.ids.values())),
            now,
        ]
        c_total, o_total, t_total = Tally(), Tally(), Tally()
        c_total += self.out.courses
        c_total += courses.tally
        c_total.withdrawn += withdrawn
        o_total += self.out.offerings
        o_total += offerings.tally
        t_total += self.out.others
        t_total += first.others
        grand = Tally()
        for part in (c_total, o_total, t_total):
            grand += part
        run_row = [
            number,
            grand.seen,
            grand.created,
            grand.updated,
            grand.unchanged,
            grand.withdrawn,
            self.out.quarantined + quarantined,
            cursor,
            now,
            self.run.id,
        ]
        if tx.dialect == "postgres":
            # One statement, atomic by itself: on its own it needs no
            # transaction (see _second_half).
            await tx.execute(
                f'WITH "logged" AS ({_LOG_PAGE}) {_LOG_RUN}', page_row + run_row
            )
        else:
            await tx.execute(_LOG_PAGE, page_row)
            await tx.execute(_LOG_RUN, run_row)
        if self.lease.dialect == "sqlite":
            # Checked as it runs, with the COMMIT (backend._SqliteTx): a
            # lost lease rolls the page back.
            await tx.execute_changing(
                'UPDATE "sync_lock" SET "heartbeat_at" = ?, "run_id" = ? '
                'WHERE "source" = ? AND "owner" = ?',
                [now, self.run.id, self.source, self.lease.owner],
                locks.LeaseLost(
                    f"the lock of {self.source!r} was taken over by another run"
                ),
            )
        # The page's statements are written (on SQLite: sent with its
        # COMMIT, which follows).
        self.credits.release()
        seen = courses.tally.seen + offerings.tally.seen
        self.eager = 2 * (courses.tally.changed + offerings.tally.changed) > seen
        # Runs inside the transaction's block, but after every statement:
        # an exception above leaves the counts where they were.
        self.out.pages = number
        self.out.courses, self.out.offerings, self.out.others = (
            c_total,
            o_total,
            t_total,
        )
        self.out.quarantined += quarantined
        self.cursor = cursor
        self.progress.page(number, done.total if done else None, grand)

    async def _finish(self) -> None:
        now = datetime.now(UTC)
        out = self.out
        if self._may_withdraw(now):
            # The pass began at page 1 in this run or in the runs it resumed.
            gone_c, gone_o = await withdraw_unseen(
                self.source, [*self.plan.chain, self.run.id], now, self.before
            )
            out.courses.withdrawn += gone_c
            out.offerings.withdrawn += gone_o
        validators = self.validators or (
            self.plan.validators if out.not_modified else {}
        )
        total = out.total
        out.complete = self.pass_full
        await SyncRun.filter(id=self.run.id).update(
            status="succeeded",
            complete=self.pass_full,
            finished_at=now,
            heartbeat_at=now,
            withdrawn=total.withdrawn,
            validators=validators,
            cursor=None,
            error=None,
        )
        out.status = "succeeded"
        await runs.forget_pages(self.source)
        await self._after(total)

    def _may_withdraw(self, now: datetime) -> bool:
        if self.out.not_modified or not self.pass_full:
            return False
        began = self.plan.pass_started
        if self.plan.chain and (
            began is None or (now - began).total_seconds() > RESUMED_PASS_TRUSTED_S
        ):
            log.warning(
                "sync %s: this pass resumed one that began at %s; withdrawals "
                "wait for the next complete pass",
                self.source,
                began,
            )
            return False
        return True

    async def _fail(self, exc: BaseException) -> None:
        out = self.out
        if isinstance(exc, Exception):
            reason = f"{exc}" or exc.__class__.__name__
        else:
            reason = f"interrupted ({exc.__class__.__name__})"
        where = (
            f"; {out.pages} page(s) committed, the next run resumes after cursor "
            f"{self.cursor!r}"
            if self.cursor
            else "; nothing committed"
            if not out.pages
            else f"; {out.pages} page(s) committed"
        )
        out.status, out.error = "failed", reason + where
        log.error("sync %s failed: %s", self.source, out.error)
        try:
            await SyncRun.filter(id=self.run.id).update(
                status="failed",
                finished_at=datetime.now(UTC),
                error=out.error,
                cursor=self.cursor,
            )
            await self._after(out.total)
        except Exception:
            log.exception("sync %s: could not record the failure", self.source)

    async def _after(self, total: Tally) -> None:
        if total.changed:
            await bump_generation()
            try:
                await runs.optimize_sqlite()
            except Exception:  # statistics are an optimisation, never a failure
                log.warning(
                    "sync %s: PRAGMA optimize failed", self.source, exc_info=True
                )
        await hooks.run_hooks(
            hooks.RunChanges(
                source=self.source,
                run_id=self.run.id,
                status=self.out.status,
                since=self.started,
                changed_courses=self.out.courses.created + self.out.courses.updated,
                withdrawn_courses=self.out.courses.withdrawn,
            )
        )

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(locks.HEARTBEAT_S)
            try:
                await locks.heartbeat(self.lease, self.run.id)
                await SyncRun.filter(id=self.run.id).update(
                    heartbeat_at=datetime.now(UTC)
                )
            except locks.LeaseLost as exc:
                self.lost = exc
                return
            except Exception:  # a busy database: try again next beat
                log.warning("sync %s: heartbeat failed", self.source, exc_info=True)


class _InterpreterTuning:
    """GC_YOUNG_THRESHOLD and SWITCH_INTERVAL_S while any run is going, then
    the process's own settings back (a server syncing in the background keeps
    its tuning between runs). Counted: runs that overlap in one process (the
    job worker) restore once, after the last."""

    def __init__(self) -> None:
        self.runs = 0
        self.saved = (gc.get_threshold(), sys.getswitchinterval())

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        if self.runs == 0:
            self.saved = (gc.get_threshold(), sys.getswitchinterval())
            gc.set_threshold(GC_YOUNG_THRESHOLD, *self.saved[0][1:])
            sys.setswitchinterval(min(self.saved[1], SWITCH_INTERVAL_S))
        self.runs += 1
        try:
            yield
        finally:
            self.runs -= 1
            if self.runs == 0:
                gc.set_threshold(*self.saved[0])
                sys.setswitchinterval(self.saved[1])


interpreter_tuned_for_sync = _InterpreterTuning()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _full_every(config: SourceConfig) -> timedelta:
    """How old the last complete run may be for a change feed to be trusted."""
    value = config.options.get("full_every", FULL_EVERY)
    return parse_every(value, f"source {config.name!r}: full_every")


def _orphan(record: OfferingRecord) -> Malformed:
    return Malformed(
        reason=f"offering {record.external_id!r} names course "
        f"{record.course_external_id!r}, which this source never sent",
        raw=dump_raw(record.raw) if record.raw is not None else repr(record),
        key=record.external_id,
        source_url=record.source_url,
    )
