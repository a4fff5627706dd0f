"""One page of a connector's records, gathered until its `PageDone`.

The page is the unit of commit: its rows, its quarantined records and the
run's resume cursor are written in one transaction, so a run killed at any
moment resumes exactly after the last page it committed.

Courses and offerings are prepared as they arrive (key, content hash, column
values: `upsert.prepare_*`), while the writer is busy with the page before;
the writer then only compares hashes and writes. A key repeated within the
page keeps its last version (one write per key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.ingest.upsert import Prepared, RawCache, prepare_course, prepare_offering
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    PathwayRecord,
    ProgrammeRecord,
    ProviderRecord,
    Record,
    Withdrawal,
)


@dataclass
class Page:
    source: str
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
    done: PageDone | None = None
    # A SWAYAM course and its offering carry the same node: dumped once.
    raw: RawCache = field(default_factory=RawCache)

    def add(self, record: Record) -> None:
        """File a record under its kind; an unknown kind is a programming error."""
        kind = type(record)
        if kind is CourseRecord:
            p = prepare_course(record, self.source, self.raw(record.raw), self.now)
            self.courses[(record.provider, p.key)] = p
        elif kind is OfferingRecord:
            p = prepare_offering(record, self.source, self.raw(record.raw), self.now)
            self.offerings[(record.provider, p.key)] = p
        else:
            bucket = _BUCKETS.get(kind)
            if bucket is None:
                raise TypeError(f"not a connector record: {record!r:.200}")
            getattr(self, bucket).append(record)

    @property
    def meta(self) -> dict[str, Any]:
        return self.done.meta if self.done is not None else {}

    def __len__(self) -> int:
        return (
            len(self.courses)
            + len(self.offerings)
            + len(self.pathways)
            + len(self.programmes)
        )


_BUCKETS: dict[type, str] = {
    ProviderRecord: "providers",
    PathwayRecord: "pathways",
    ProgrammeRecord: "programmes",
    Withdrawal: "withdrawals",
    Malformed: "malformed",
}
