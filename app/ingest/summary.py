"""The course columns denormalised from its live offerings, so catalogue
filters and sorts need no join (app/graphql/catalogue/filters.py):

- `next_start`: the earliest start today or later; a course with no upcoming
  run shows its latest past start (the `startsAfter` filter then drops it);
- `min_fee_minor` and `fee_currency`: the cheapest run and its currency
  (`maxFee` compares both, so a fee without a currency matches nothing);
- `has_exam`: true if any run has an exam, false if all known runs have none.

A course whose runs are all withdrawn gets NULLs, not the last live values.
New courses get theirs with their row (`page_summaries`, the same rules in
Python); every other course a page touched is recomputed in SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime

from app.ingest.backend import Tx
from app.ingest.upsert import Prepared, in_clause
from connectors.records import OfferingRecord

# (next_start, min_fee_minor, fee_currency, has_exam), in COURSE_COLUMNS order.
Summary = tuple[date | None, int | None, str | None, bool | None]


def today() -> date:
    """The day `next_start` is measured from (UTC, as run times are)."""
    return datetime.now(UTC).date()


def summarise(records: Sequence[OfferingRecord], on: date) -> Summary:
    if len(records) == 1:  # most new courses: the same figures, cheaper
        (r,) = records
        fee = r.fee_minor
        currency = r.currency.upper() if fee is not None and r.currency else None
        return r.start, fee, currency, r.has_exam
    starts = [r.start for r in records if r.start is not None]
    upcoming = [s for s in starts if s >= on]
    next_start = min(upcoming) if upcoming else max(starts, default=None)
    fees = [r.fee_minor for r in records if r.fee_minor is not None]
    min_fee = min(fees, default=None)
    currencies = [
        r.currency.upper()
        for r in records
        if r.fee_minor is not None and r.fee_minor == min_fee and r.currency
    ]
    exams = [r.has_exam for r in records if r.has_exam is not None]
    has_exam = any(exams) if exams else None
    return next_start, min_fee, min(currencies, default=None), has_exam


def page_summaries(
    offerings: Iterable[Prepared],
    providers: dict[str, int],
    on: date,
    keys: Collection[tuple[int, str]],
) -> dict[tuple[int, str], Summary]:
    """The summary of these course keys over a page's prepared offerings (for
    the courses new in it, whose runs are all in hand)."""
    wanted = set(keys)
    by_course: dict[tuple[int, str], list[OfferingRecord]] = {}
    for p in offerings:
        key = (providers[p.record.provider], p.course_key)
        if key in wanted:
            by_course.setdefault(key, []).append(p.record)
    return {key: summarise(runs, on) for key, runs in by_course.items()}


_LIVE = 'NOT o."withdrawn"'
# Grouped over all of a course's offerings (withdrawn included), so a course
# whose runs are all withdrawn still gets a row, of NULLs.
_REFRESH = f"""
WITH agg AS (
  SELECT o."course_id" AS course_id,
    MIN(CASE WHEN {_LIVE} AND o."start" >= ? THEN o."start" END) AS upcoming,
    MAX(CASE WHEN {_LIVE} THEN o."start" END) AS latest,
    MIN(CASE WHEN {_LIVE} THEN o."fee_minor" END) AS min_fee,
    MAX(CASE WHEN {_LIVE} AND o."has_exam" THEN 1
             WHEN {_LIVE} AND o."has_exam" IS NOT NULL THEN 0 END) AS exam
  FROM "offering" o WHERE {{where}} GROUP BY o."course_id"
), s AS (
  SELECT course_id, COALESCE(upcoming, latest) AS next_start, min_fee,
    (SELECT MIN(UPPER(o."currency")) FROM "offering" o
      WHERE o."course_id" = agg.course_id AND {_LIVE}
        AND o."fee_minor" = agg.min_fee) AS currency,
    CASE WHEN exam IS NULL THEN NULL ELSE exam = 1 END AS has_exam
  FROM agg
)
UPDATE "course" SET "next_start" = s.next_start, "min_fee_minor" = s.min_fee,
  "fee_currency" = s.currency, "has_exam" = s.has_exam
FROM s WHERE "course"."id" = s.course_id AND (
  "course"."next_start" IS DISTINCT FROM s.next_start
  OR "course"."min_fee_minor" IS DISTINCT FROM s.min_fee
  OR "course"."fee_currency" IS DISTINCT FROM s.currency
  OR "course"."has_exam" IS DISTINCT FROM s.has_exam)
"""


async def refresh_course_summary(tx: Tx, course_ids: Iterable[int]) -> None:
    """Recompute the summary of these courses from their offerings; a course
    whose figures did not move is not written."""
    ids = sorted(set(course_ids))
    if not ids:
        return
    where, params = in_clause(tx, 'o."course_id"', ids)
    await tx.execute(_REFRESH.format(where=where), [today(), *params])
