"""One page of a connector's records, gathered until its `PageDone`.

The page is the unit of commit: its rows, its quarantined records and the
run's resume cursor are written in one transaction, so a run killed at any
moment resumes exactly after the last page it committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    providers: list[ProviderRecord] = field(default_factory=list)
    courses: list[CourseRecord] = field(default_factory=list)
    offerings: list[OfferingRecord] = field(default_factory=list)
    pathways: list[PathwayRecord] = field(default_factory=list)
    programmes: list[ProgrammeRecord] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    done: PageDone | None = None

    def add(self, record: Record) -> None:
        """File a record under its kind; an unknown kind is a programming error."""
        bucket = _BUCKETS.get(type(record))
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
    CourseRecord: "courses",
    OfferingRecord: "offerings",
    PathwayRecord: "pathways",
    ProgrammeRecord: "programmes",
    Withdrawal: "withdrawals",
    Malformed: "malformed",
}
