"""One page of a connector's records, gathered until its `PageDone`.

The page is the unit of commit: its rows, its quarantined records and the
run's resume cursor are written in one transaction, so a run killed at any
moment resumes exactly after the last page it committed.

Courses and offerings are prepared as they arrive (key and content hash;
column values too while the run's pages are mostly written: `eager`), while
the writer is busy with the page before; the writer then compares hashes
and writes. A key repeated within the page keeps its last version (one
write per key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.ingest.upsert import (
    Prepared,
    RawCache,
    course_rest,
    offering_rest,
    prepare,
    stamp,
)
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    PathwayRecord,
    ProgrammeRecord,
    ProviderRecord,
    Record,
    Unchanged,
    Withdrawal,
)


@dataclass
class Page:
    source: str
    # Build column values as records arrive, not only for rows to write: a
    # first sync writes them all, an unchanged re-sync none.
    eager: bool = True
    # Values as the SQLite driver binds them (upsert.day): the page's rows
    # are written to SQLite.
    text: bool = False
    # When the page was read: first_seen / last_changed of the rows it writes.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    providers: list[ProviderRecord] = field(default_factory=list)
    # (provider slug, storage key) -> prepared row
    courses: dict[tuple[str, str], Prepared] = field(default_factory=dict)
    offerings: dict[tuple[str, str], Prepared] = field(default_factory=dict)
    pathways: list[PathwayRecord] = field(default_factory=list)
    programmes: list[ProgrammeRecord] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)
    done: PageDone | None = None
    # A SWAYAM course and its offering carry the same node: dumped once.
    raw: RawCache = field(default_factory=RawCache)

    def add(self, record: Record) -> None:
        """File a record under its kind; an unknown kind is a programming error."""
        kind = type(record)
        if kind is CourseRecord or kind is OfferingRecord:
            p = prepare(record)
            rows = self.courses if kind is CourseRecord else self.offerings
            rows[(record.provider, p.key)] = p
            if self.eager:
                self.fill(p)
        else:
            bucket = _BUCKETS.get(kind)
            if bucket is None:
                raise TypeError(f"not a connector record: {record!r:.200}")
            getattr(self, bucket).append(record)

    def fill(self, p: Prepared) -> tuple[Any, ...]:
        """The column values of a prepared row, built once."""
        if p.rest is None:
            build = course_rest if type(p.record) is CourseRecord else offering_rest
            p.rest = build(
                p, self.source, self.raw(p.record.raw), self._stamp, self.text
            )
        return p.rest

    def __post_init__(self) -> None:
        self._stamp = stamp(self.now, self.text)

    @property
    def meta(self) -> dict[str, Any]:
        return self.done.meta if self.done is not None else {}

    def __len__(self) -> int:
        return (
            len(self.courses)
            + len(self.offerings)
            + len(self.pathways)
            + len(self.programmes)
            + len(self.unchanged)
        )


_BUCKETS: dict[type, str] = {
    ProviderRecord: "providers",
    PathwayRecord: "pathways",
    ProgrammeRecord: "programmes",
    Withdrawal: "withdrawals",
    Malformed: "malformed",
    Unchanged: "unchanged",
}
