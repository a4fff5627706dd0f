"""Free-text workload ("4-8 hours/week", "Approx. 20 hours to complete") as numbers.

Coursera states effort only as text. What can be read is read: hours per
week (a range becomes its midpoint), weeks, or total hours; text that says
none of these is left for the record's `workload_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_RANGE = rf"{_NUMBER}(?:\s*(?:-|–|to)\s*{_NUMBER})?"
_HOURS = r"(?:hours?|hrs?\.?|h)\b"
_MINUTES = r"(?:minutes?|mins?\.?)\b"
_PER_WEEK = r"\s*(?:/|per|a|each)\s*(?:week|wk)\b"
PER_WEEK = re.compile(rf"{_RANGE}\s*{_HOURS}{_PER_WEEK}", re.I)
MINUTES_PER_WEEK = re.compile(rf"{_RANGE}\s*{_MINUTES}{_PER_WEEK}", re.I)
WEEKS = re.compile(rf"{_RANGE}\s*weeks?\b(?!\s*(?:/|per))", re.I)
TOTAL = re.compile(
    rf"{_RANGE}\s*{_HOURS}\s*(?:to complete|total|in total|overall)", re.I
)


@dataclass(frozen=True)
class Workload:
    hours_per_week: float | None = None
    weeks: int | None = None
    total_hours: float | None = None

    @property
    def parsed(self) -> bool:
        return any(
            v is not None for v in (self.hours_per_week, self.weeks, self.total_hours)
        )


def _mid(match: re.Match[str]) -> float:
    low = float(match.group(1).replace(",", "."))
    high = match.group(2)
    return (low + float(high.replace(",", "."))) / 2 if high else low


def parse_workload(text: str | None) -> Workload:
    if not text:
        return Workload()
    per_week = None
    if match := PER_WEEK.search(text):
        per_week = _mid(match)
    elif match := MINUTES_PER_WEEK.search(text):
        per_week = _mid(match) / 60
    weeks = None
    if match := WEEKS.search(text):
        weeks = round(_mid(match))
    total = _mid(match) if (match := TOTAL.search(text)) else None
    return Workload(per_week, weeks, total)
