"""Counts a run keeps, per kind of row."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Tally:
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0

    def __iadd__(self, other: Tally) -> Tally:
        self.seen += other.seen
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.withdrawn += other.withdrawn
        return self

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.withdrawn

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
