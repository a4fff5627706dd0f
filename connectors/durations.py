"""ISO 8601 durations (`P4Y`, `P9M`, `PT120H`, `P1Y6M`) as years, weeks or hours.

CTDL's `estimatedDuration` and ELM's `volumeOfLearning` use them. A duration
with a date part (Y, M, W, D) is calendar time; one with only a time part
(H, M, S after T) is effort. Calendar units are averaged (a month is 1/12 of a
year, a week 7 days), which is all a catalogue's "about nine months" means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERN = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:[.,]\d+)?)Y)?(?:(?P<M>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<W>\d+(?:[.,]\d+)?)W)?(?:(?P<D>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Duration:
    days: float  # the calendar part
    hours: float  # the time part

    @property
    def calendar(self) -> bool:
        return self.days > 0

    @property
    def years(self) -> float:
        return (self.days + self.hours / 24) / DAYS_PER_YEAR

    @property
    def weeks(self) -> float:
        return (self.days + self.hours / 24) / 7


def parse_duration(text: str) -> Duration | None:
    """The duration, or None when `text` is not ISO 8601."""
    match = _PATTERN.match(text.strip().upper())
    if match is None:
        return None
    part = {
        k: float((v or "0").replace(",", ".")) for k, v in match.groupdict().items()
    }
    days = (
        part["Y"] * DAYS_PER_YEAR
        + part["M"] * DAYS_PER_YEAR / 12
        + part["W"] * 7
        + part["D"]
    )
    hours = part["h"] + part["m"] / 60 + part["s"] / 3600
    return Duration(days, hours)


def midpoint(low: Duration | None, high: Duration | None) -> Duration | None:
    """Between a minimum and a maximum; either alone when the other is missing."""
    if low is None or high is None:
        return low or high
    return Duration((low.days + high.days) / 2, (low.hours + high.hours) / 2)
